from datetime import date

from odoo import Command
from odoo.tests import new_test_user

from .common import RetailCommon

PERIOD = (date(2025, 4, 1), date(2025, 6, 30))


class RetailAnalyticsCommon(RetailCommon):
    """A small data set whose KPIs are computed by hand (readme/USAGE.md).

    Company 2 (no demo data) over the period 2025-04-01 .. 2025-06-30 (91
    days; previous period 2024-12-31 .. 2025-03-31), times in UTC:

    ======== ============================================= =====================
    customer purchases                                     in period
    ======== ============================================= =====================
    A (co.)  sale 100 2025-01-15, sale 200 2025-04-10,     2 orders, 250
             POS 50 2025-05-20 by its contact person A1
    B        POS 80 2025-04-05 refunded 2025-04-07,        2 orders, 120, new
             sale 120 2025-06-15
    C        sale 500 2025-02-10                           -
    D        sale 60 2024-06-01, sale 40 2025-05-05        1 order, 40
    E        quotation 999 2025-05-01 (not a purchase)     -
    G        sale 90 2025-07-02 (after the period)         -
    H        POS 30 2025-05-31 20:00, sale 70 2025-06-20   2 orders, 100, new
    ======== ============================================= =====================

    Company 1 gets noise that must never show in company 2: a sale of A and
    a POS order of F in the period, a ticket, points.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c1, c2 = cls.company_1, cls.company_2
        Partner = cls.env["res.partner"]
        cls.a = Partner.create(
            {"name": "A Tea House", "is_company": True, "retail_preferred_channel": "wechat"}
        )
        cls.a1 = Partner.create({"name": "A1 Buyer", "parent_id": cls.a.id})
        cls.b = Partner.create(
            {"name": "B Bai", "email": "b@example.cn", "retail_preferred_channel": "email"}
        )
        cls.c = Partner.create({"name": "C Chen"})
        cls.d = Partner.create({"name": "D Deng"})
        cls.e = Partner.create({"name": "E Er"})
        cls.f = Partner.create({"name": "F Fang"})
        cls.g = Partner.create({"name": "G Gao"})
        cls.h = Partner.create({"name": "H Hu"})

        cls._sale(cls.a, 100, "2025-01-15 10:00:00", company=c2)
        cls._sale(cls.a, 200, "2025-04-10 10:00:00", company=c2)
        cls._pos(cls.a1, 50, "2025-05-20 10:00:00", company=c2)
        pos_b = cls._pos(cls.b, 80, "2025-04-05 10:00:00", company=c2)
        cls._refund_pos(pos_b, "2025-04-07 10:00:00")
        cls._sale(cls.b, 120, "2025-06-15 10:00:00", company=c2)
        cls._sale(cls.c, 500, "2025-02-10 10:00:00", company=c2)
        cls._sale(cls.d, 60, "2024-06-01 10:00:00", company=c2)
        cls._sale(cls.d, 40, "2025-05-05 10:00:00", company=c2)
        cls._sale(cls.e, 999, "2025-05-01 10:00:00", company=c2, confirm=False)
        cls._sale(cls.g, 90, "2025-07-02 10:00:00", company=c2)
        cls._pos(cls.h, 30, "2025-05-31 20:00:00", company=c2)
        cls._sale(cls.h, 70, "2025-06-20 10:00:00", company=c2)
        # noise in company 1
        cls._sale(cls.a, 700, "2025-05-01 10:00:00", company=c1)
        cls._pos(cls.f, 40, "2025-05-02 10:00:00", company=c1)

        cls.retail_user = new_test_user(
            cls.env,
            login="an_retail",
            groups="retail_customer_mgmt.group_retail_user",
            company_id=c2.id,
            company_ids=[Command.set((c2 | c1).ids)],
            tz="UTC",
        )
        cls.plain_user = new_test_user(
            cls.env,
            login="an_plain",
            groups="base.group_user",
            company_id=c2.id,
            company_ids=[Command.set((c2 | c1).ids)],
        )
        cls.c1_retail_user = cls._retail_user(
            "an_retail_c1", "retail_customer_mgmt.group_retail_user", company=c1
        )

    @classmethod
    def _dashboard_env(cls, user=None, tz="UTC", company=None):
        company = company or cls.company_2
        others = cls.company_1 | cls.company_2
        env = cls.env(
            user=user or cls.retail_user,
            context={
                **cls.env.context,
                "tz": tz,
                "allowed_company_ids": [company.id, *(others - company).ids],
            },
        )
        return env["retail.dashboard"]

    @classmethod
    def _ticket(cls, subject, company, opened, closed=None, rating=None, **values):
        ticket = cls.env["retail.feedback"].create(
            {
                "subject": subject,
                "partner_id": cls.b.id,
                "company_id": company.id,
                "resolution": "<p>Done</p>" if closed else False,
                **values,
            }
        )
        if closed:
            ticket.stage_id = cls.env.ref("retail_customer_mgmt.retail_feedback_stage_solved")
            if rating:
                ticket.rating_apply(rating, token=ticket._rating_get_access_token())
            ticket.closed_date = cls._dt(closed)
        ticket.opened_at = cls._dt(opened)
        return ticket

    @classmethod
    def _service_data(cls):
        c1, c2 = cls.company_1, cls.company_2
        cls.t1 = cls._ticket("T1", c2, "2025-04-02 09:00", "2025-04-03 09:00", rating=5)
        cls.t2 = cls._ticket(
            "T2",
            c2,
            "2025-05-10 09:00",
            "2025-06-01 09:00",
            rating=2,
            feedback_type="suggestion",
        )
        cls.t3 = cls._ticket("T3", c2, "2025-06-10 09:00", priority="2")
        cls.t4 = cls._ticket("T4", c2, "2025-03-01 09:00", "2025-04-15 09:00")
        cls.t5 = cls._ticket("T5", c1, "2025-05-01 09:00")

    @classmethod
    def _points_data(cls):
        """Ledger lines dated in and around the period (company 2), and noise."""
        Card = cls.env["loyalty.card"]
        c1, c2 = cls.company_1, cls.company_2
        cards = Card._retail_cards_for(cls.a | cls.b, c2._retail_get_program())
        card_a, card_b = cards[cls.a], cards[cls.b]
        card_c1 = Card._retail_cards_for(cls.f, c1._retail_get_program())[cls.f]
        lines = [
            (card_a, "earn", 100, 0, "2025-04-10 10:00"),
            (card_b, "earn", 50, 0, "2025-04-05 10:00"),
            (card_a, "compensation", 20, 0, "2025-05-01 10:00"),
            (card_b, "expire", 0, 30, "2025-06-01 00:00"),
            (card_b, "refund", 0, 10, "2025-04-07 10:00"),
            (card_a, "adjust", 5, 0, "2025-05-02 10:00"),
            (card_b, "adjust", 0, 3, "2025-05-03 10:00"),
            (card_a, False, 0, 40, "2025-06-10 10:00"),  # spent on a reward
            (card_a, "earn", 999, 0, "2025-07-01 00:00"),  # after the period
            (card_a, "earn", 888, 0, "2025-03-31 23:59"),  # before the period
            (card_c1, "earn", 777, 0, "2025-05-01 10:00"),  # other company
        ]
        cls.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": f"test line {index}",
                    "retail_kind": kind or None,
                    "issued": issued,
                    "used": used,
                    "retail_key": f"analytics-test:{index}",
                    "retail_date": cls._dt(moment),
                }
                for index, (card, kind, issued, used, moment) in enumerate(lines)
            ]
        )
        return card_a, card_b
