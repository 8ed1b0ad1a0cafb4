from datetime import timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestServiceLevel(RetailLoyaltyCommon):
    """Service follows the tier and the segment; tiers on spend, orders or both;
    revisits through a consented channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.vip_seller = cls._retail_user("vip_seller", "sales_team.group_sale_salesman")
        cls.gold.write(
            {
                "service_priority": "2",
                "service_sla_hours": 4.0,
                "service_user_id": cls.vip_seller.id,
            }
        )
        Partner = cls.env["res.partner"]
        cls.vip = Partner.create({"name": "Vip Wang", "street": "1 Nanjing Road"})
        cls.vip.with_company(cls.company_1).retail_tier_id = cls.gold
        cls.plain = Partner.create({"name": "Plain Li", "street": "2 Nanjing Road"})
        cls.plain.with_company(cls.company_1).retail_tier_id = cls.normal

    # ------------------------------------------------------------------
    # Tickets, exceptions, orders and deliveries
    # ------------------------------------------------------------------
    def test_vip_tickets_get_priority_and_own_sla(self):
        Feedback = self.env["retail.feedback"]
        vip_ticket = Feedback.create({"subject": "Broken cup", "partner_id": self.vip.id})
        plain_ticket = Feedback.create({"subject": "Broken cup", "partner_id": self.plain.id})
        self.assertEqual(vip_ticket.priority, "2")
        self.assertEqual(plain_ticket.priority, "0")
        self.assertEqual(vip_ticket.sla_deadline, vip_ticket.opened_at + timedelta(hours=4))
        # a ticket moved to the VIP customer follows them
        plain_ticket.partner_id = self.vip
        self.assertEqual(plain_ticket.priority, "2")

    def test_vip_exceptions_first_and_sooner(self):
        Exception_ = self.env["retail.order.exception"]
        vip = Exception_.create(
            {
                "partner_id": self.vip.id,
                "exception_type": "address",
                "company_id": self.company_1.id,
            }
        )
        plain = Exception_.create(
            {
                "partner_id": self.plain.id,
                "exception_type": "address",
                "company_id": self.company_1.id,
            }
        )
        today = fields.Date.context_today(vip)
        self.assertEqual((vip.priority, vip.deadline), ("2", today + timedelta(days=1)))
        self.assertEqual((plain.priority, plain.deadline), ("0", today + timedelta(days=2)))
        self.assertEqual(Exception_.search([("id", "in", (vip | plain).ids)])[0], vip)

    def test_vip_orders_flagged_and_shipped_first(self):
        vip_order = self._sale(self.vip, 100.0, "2026-11-01 10:00:00")
        plain_order = self._sale(self.plain, 100.0, "2026-11-01 10:00:00")
        self.assertTrue(vip_order.retail_priority)
        self.assertFalse(plain_order.retail_priority)
        self.assertTrue(vip_order.picking_ids, "the order is delivered")
        self.assertEqual(set(vip_order.picking_ids.mapped("priority")), {"1"})
        self.assertEqual(set(plain_order.picking_ids.mapped("priority")), {"0"})

    def test_tier_dedicated_salesperson_on_upgrade(self):
        buyer = self.env["res.partner"].create({"name": "Rising Ma"})
        self._sale(buyer, 6000.0, "2026-11-01 10:00:00")
        self.assertEqual(buyer.with_company(self.company_1).retail_tier_id, self.gold)
        self.assertEqual(buyer.user_id, self.vip_seller, "the tier's salesperson takes over")

    def test_segment_dedicated_salesperson_for_customers_without_one(self):
        champions = self.env.ref("retail_customer_mgmt.retail_segment_champions")
        champions.service_user_id = self.vip_seller
        kept = self.env["res.partner"].create({"name": "Kept", "user_id": self.env.user.id})
        orphan = self.env["res.partner"].create({"name": "Orphan"})
        self.env["retail.customer.grade"]._retail_plan_activities(
            self.company_1,
            {kept.id: (champions.id, False), orphan.id: (champions.id, False)},
            {champions.id: champions},
        )
        self.assertEqual(orphan.user_id, self.vip_seller)
        self.assertEqual(kept.user_id, self.env.user)

    # ------------------------------------------------------------------
    # Tiers on orders
    # ------------------------------------------------------------------
    def test_tiers_on_orders_or_both(self):
        self.gold.write({"basis": "both", "min_orders": 5})
        self.silver.write({"basis": "orders", "min_orders": 3})
        frequent = self.env["res.partner"].create({"name": "Frequent Fu"})
        for day in (1, 2, 3):
            self._pos(frequent, 10.0, f"2026-11-0{day} 10:00:00")
        self.assertEqual(frequent.with_company(self.company_1).retail_tier_id, self.silver)
        big = self.env["res.partner"].create({"name": "Big Ba"})
        self._pos(big, 6000.0, "2026-11-01 10:00:00")
        self.assertEqual(
            big.with_company(self.company_1).retail_tier_id,
            self.normal,
            "6000 in one order: neither 3 orders nor Gold's 5",
        )
        with self.assertRaisesMessage(ValidationError, "must increase"):
            self.silver.min_orders = 6
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.silver.min_orders = -1
        self.assertEqual(self.silver.min_orders, 3)

    # ------------------------------------------------------------------
    # Revisits
    # ------------------------------------------------------------------
    def test_revisits_use_a_consented_channel(self):
        Partner = self.env["res.partner"]
        champions = self.env.ref("retail_customer_mgmt.retail_segment_champions")
        champions.revisit_channel = "visit"
        user = {"user_id": self.env.user.id}
        by_mail = Partner.create(
            {
                "name": "Mail Ma",
                "email": "ma@example.cn",
                "retail_consent_email": True,
                "retail_preferred_channel": "email",
                **user,
            }
        )
        visited = Partner.create(
            {
                "name": "Visit Wu",
                "phone": "010 1234",
                "street": "3 Road",
                "retail_consent_phone": True,
                **user,
            }
        )
        texted = Partner.create(
            {
                "name": "Text Tan",
                "mobile": "139",
                "retail_consent_sms": True,
                "retail_preferred_channel": "phone",
                **user,
            }
        )
        nobody = Partner.create({"name": "Nobody No", "phone": "010", **user})
        customers = by_mail | visited | texted | nobody
        self.env["retail.customer.grade"].sudo().create(
            [
                {"partner_id": p.id, "company_id": self.company_1.id, "segment_id": champions.id}
                for p in customers
            ]
        )
        Grade = self.env["retail.customer.grade"]
        for _night in range(2):
            Grade._retail_plan_activities(
                self.company_1,
                {p.id: (champions.id, False) for p in customers},
                {champions.id: champions},
            )
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", customers.ids)]
        )
        ref = self.env.ref
        self.assertEqual(
            {(a.res_id, a.activity_type_id) for a in activities},
            {
                (by_mail.id, ref("retail_customer_mgmt.mail_activity_type_revisit_email")),
                (visited.id, ref("retail_customer_mgmt.mail_activity_type_revisit_visit")),
                (texted.id, ref("retail_customer_mgmt.mail_activity_type_revisit_sms")),
            },
            "one revisit each, through their consented channel; none for Nobody",
        )
        # nobody is listed for staff, not silently skipped
        blocked = Grade.with_company(self.company_1).search([("revisit_no_channel", "=", True)])
        self.assertEqual(blocked.partner_id & customers, nobody)
        self.assertEqual(champions.with_company(self.company_1).revisit_no_channel_count, 1)
        action = champions.with_company(self.company_1).action_view_revisit_no_channel()
        self.assertEqual(Grade.search(action["domain"]).partner_id & customers, nobody)
        # once they consent, they are reached
        nobody.retail_consent_phone = True
        self.assertFalse(Grade.search([("partner_id", "=", nobody.id)]).revisit_no_channel)

    # ------------------------------------------------------------------
    # The shop's words for the classic segments
    # ------------------------------------------------------------------
    def test_segments_get_the_shop_names_on_upgrade(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        Segment = self.env["retail.segment"].with_context(lang="zh_CN")
        frequent = Segment.browse(
            self.env.ref("retail_customer_mgmt.retail_segment_frequent_small").id
        )
        big = Segment.browse(self.env.ref("retail_customer_mgmt.retail_segment_occasional_big").id)
        # a database installed before: the first Chinese names; one renamed by the shop
        frequent.name = "高频小单客户"
        big.name = "大客户"
        Segment._retail_apply_shop_names()
        self.assertEqual(frequent.name, "重要维护客户")
        self.assertEqual(big.name, "大客户", "a name the shop chose is kept")
        self.assertEqual(frequent.with_context(lang="en_US").name, "Frequent small-order customers")
