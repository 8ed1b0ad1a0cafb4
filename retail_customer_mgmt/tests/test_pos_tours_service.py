import logging
from datetime import timedelta
from unittest.mock import patch

from odoo import fields
from odoo.tests import tagged

from odoo.addons.bus.websocket import WebsocketConnectionHandler

from .pos_tour_common import RetailPosTourCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestRetailPosServiceTours(RetailPosTourCommon):
    """The till as a place to know the customer, in Chromium
    (static/tests/tours/retail_pos_service_tour.js), then the database."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the cashier of the tours is not a retail user (but in test_03)
        cls.env.user.groups_id += cls.env.ref("retail_customer_mgmt.group_retail_manager")
        cls.company.write({"retail_points_expiry_months": 12, "retail_tier_window_months": 12})
        cls.normal, cls.silver = cls._retail_tiers(
            [
                {
                    "name": name,
                    "min_spend": spend,
                    "points_multiplier": mult,
                    "service_priority": prio,
                }
                for name, spend, mult, prio in (("Normal", 0, 1.0, "0"), ("Silver", 300, 1.5, "1"))
            ]
        )
        cls.tea_set, cls.tea_cup = cls._pos_products(
            ("Retail Tea Set", 100.0), ("Retail Tea Cup", 20.0)
        )
        Partner = cls.env["res.partner"]
        cls.profile_pan = Partner.create(
            {"name": "Profile Pan", "email": "pan@example.cn", "mobile": "13900000001"}
        )
        cls.silver_sun = Partner.create({"name": "Silver Sun"})
        cls.silver_sun.with_company(cls.company).retail_tier_id = cls.silver
        cls._give_points(cls.silver_sun, 100.0, "silver-sun")
        cls.charged_chen = Partner.create({"name": "Charged Chen"})
        cls._give_points(cls.charged_chen, 100.0, "charged-chen")
        cls.tea_house = Partner.create({"name": "Tea House Ltd", "is_company": True})
        cls.buyer, cls.colleague = Partner.create(
            [
                {"name": "Buyer Bo", "parent_id": cls.tea_house.id},
                {"name": "Colleague Cai", "parent_id": cls.tea_house.id},
            ]
        )
        cls._give_points(cls.tea_house, 20.0, "tea-house")
        cls.env["ir.config_parameter"].sudo().set_param(
            "point_of_sale.limited_customer_count", 10000
        )

    def _run_tour(self, name, open_ui=True):
        return super()._run_tour(name, open_ui=open_ui)

    def test_01_profile_edit_online_and_offline(self):
        self._run_tour("RetailPosProfileTour")
        pan = self.profile_pan
        # the consents are dated on the cashier's day (the POS test user
        # works in New York: not the day of this test's user around midnight)
        today = fields.Date.context_today(pan.with_user(self.pos_user))
        self.assertEqual(fields.Date.to_string(pan.retail_birthday), "1990-05-17")
        self.assertEqual(pan.retail_wechat_id, "pan_wx88")
        self.assertEqual(pan.retail_preferred_channel, "wechat")
        self.assertEqual(pan.retail_consent_wechat_date, today)
        # the consent given offline reached the profile once, dated
        self.assertTrue(pan.retail_consent_sms)
        self.assertEqual(pan.retail_consent_sms_date, today)
        edits = self.env["retail.pos.profile.edit"].search([("partner_id", "=", pan.id)])
        self.assertEqual(len(edits), 2, "the online edit and the offline one, not its replay")
        self.assertEqual(set(edits.mapped("state")), {"applied"})
        self.assertIn("retail_consent_sms", edits.mapped("changed_fields"))

    def test_02_service_card_and_feedback(self):
        vip = self.env["res.partner"].create(
            {"name": "Vip Wei", "email": "wei@example.cn", "retail_consent_email": True}
        )
        vip.with_company(self.company).retail_tier_id = self.silver  # priority service
        today = fields.Date.context_today(vip)
        self._give_points(vip, 30.0, "vip-expiring", expiry_date=today + timedelta(days=10))
        Feedback = self.env["retail.feedback"]
        Feedback.create({"subject": "Late parcel", "partner_id": vip.id})
        self.env["retail.order.exception"].create(
            {"partner_id": vip.id, "exception_type": "late", "company_id": self.company.id}
        )
        # recommendations are written by the nightly job only
        self.env["retail.recommendation"].sudo().create(
            {
                "partner_id": vip.id,
                "company_id": self.company.id,
                "product_id": self.tea_cup.id,
                "rank": 1,
                "reason": "repeat",
                "score": 2.0,
            }
        )
        category = self.env["retail.feedback.category"].create({"name": "Packaging"})
        SLA = self.env["retail.feedback.sla"]
        SLA.search([("company_id", "=", self.company.id)]).unlink()
        SLA.create(
            {
                "company_id": self.company.id,
                "feedback_type": "complaint",
                "priority": "1",
                "hours": 8,
            }
        )
        self._run_tour("RetailPosServiceCardTour")
        order = self.env["pos.order"].search([("partner_id", "=", vip.id)])
        self.assertEqual(order.state, "paid")
        self.assertEqual(order.lines.product_id, self.tea_cup, "added from the card")
        tickets = Feedback.search([("pos_order_id", "=", order.id)], order="id")
        self.assertEqual(tickets.mapped("feedback_type"), ["complaint", "praise"])
        self.assertEqual(tickets.mapped("channel"), ["pos", "pos"])
        self.assertEqual(tickets[0].category_id, category)
        self.assertIn("The cup box was crushed", tickets[0].description)
        self.assertEqual(tickets.partner_id, vip)
        self.assertEqual(tickets[0].priority, "1", "raised to the customer's service level")
        self.assertEqual(
            tickets[0].sla_deadline,
            tickets[0].opened_at + timedelta(hours=8),
            "the complaint follows the SLA policy of its priority",
        )

    def test_03_reprint_stays_true(self):
        # the cashier also stands for a manager who adjusts points meanwhile
        self.pos_user.groups_id += self.env.ref("retail_customer_mgmt.group_retail_manager")
        self._run_tour("RetailPosReprintTour")
        card = self.env["loyalty.card"].search(
            [("program_id", "=", self.program.id), ("partner_id", "=", self.silver_sun.id)]
        )
        self.assertEqual(card.points, 750.0, "100 + 150 earned + 500 given later")
        order = self.env["pos.order"].search([("partner_id", "=", self.silver_sun.id)])
        self.assertEqual(order.retail_points_balance, 250.0)
        charged = self.env["pos.order"].search([("partner_id", "=", self.charged_chen.id)])
        self.assertEqual(
            (charged.retail_points_declared, charged.retail_points_spent), (30.0, 50.0)
        )
        self.assertTrue(charged.retail_points_charge_differs)

    def test_04_shared_card_updates_open_tills(self):
        # Odoo refuses websockets in test mode; its own bus tests
        # (bus.tests.common.WebsocketCase) open them this way: the till's
        # real websocket then carries the notification
        with patch.object(WebsocketConnectionHandler, "websocket_allowed", return_value=True):
            self._run_tour("RetailPosSharedCardTour")
        card = self.env["loyalty.card"].search(
            [("program_id", "=", self.program.id), ("partner_id", "=", self.tea_house.id)]
        )
        self.assertEqual(card.points, 120.0)
