import logging
from datetime import timedelta

from odoo import Command, fields
from odoo.tests import tagged

from .pos_tour_common import RetailPosTourCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestRetailPosTours(RetailPosTourCommon):
    """What cashiers see, in Chromium (tours in static/tests/tours/retail_pos_tour.js),
    then the database behind it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.groups_id += cls.env.ref("retail_customer_mgmt.group_retail_manager")
        cls.company.write({"retail_points_expiry_months": 12, "retail_tier_window_months": 12})
        cls.normal, cls.silver, cls.gold = cls._retail_tiers(
            [
                {"name": name, "min_spend": spend, "points_multiplier": multiplier, "color": color}
                for name, spend, multiplier, color in (
                    ("Normal", 0, 1.0, 0),
                    ("Silver", 300, 1.5, 4),
                    ("Gold", 500, 2.0, 3),
                )
            ]
        )
        cls.product = cls._pos_products(("Retail Tea Set", 100.0))
        cls.silver_sun = cls.env["res.partner"].create({"name": "Silver Sun"})
        cls.silver_sun.with_company(cls.company).retail_tier_id = cls.silver
        cls._give_points(cls.silver_sun, 100.0, "silver-sun")
        cls.newcomer = cls.env["res.partner"].create({"name": "Newcomer Niu"})

    def _set_customer_loading_limit(self, limit):
        self.env["ir.config_parameter"].sudo().set_param(
            "point_of_sale.limited_customer_count", limit
        )

    def _earned(self, order):
        lines = self.env["loyalty.history"].search(
            [("retail_pos_order_id", "=", order.id), ("retail_kind", "=", "earn")]
        )
        return sum(lines.mapped("issued"))

    def _zeta_gold(self):
        """A Gold customer with 650 points (50 expiring in 10 days), a segment,
        a churn warning and email consent, who never bought in the POS."""
        zeta = self.env["res.partner"].create(
            {"name": "Zeta Gold", "email": "zeta@example.cn", "retail_consent_email": True}
        )
        sale = self.env["sale.order"].create(
            {
                "partner_id": zeta.id,
                "order_line": [
                    Command.create(
                        {"product_id": self.product.id, "price_unit": 600.0, "tax_id": False}
                    )
                ],
            }
        )
        sale.action_confirm()  # earns 600 points and makes the customer Gold
        today = fields.Date.context_today(self.env.user)
        self._give_points(zeta, 50.0, "zeta-expiring", expiry_date=today + timedelta(days=10))
        segment = self.env["retail.segment"].create(
            {"name": "Champions Test", "code": "test_champions", "company_id": self.company.id}
        )
        # grades are written by the nightly regrade only
        self.env["retail.customer.grade"].sudo().create(
            {
                "partner_id": zeta.id,
                "company_id": self.company.id,
                "segment_id": segment.id,
                "churn_risk": True,
            }
        )
        self.env.invalidate_all()
        status = zeta.with_company(self.company).read(
            ["retail_pos_tier", "retail_pos_points", "retail_pos_points_expiring"]
        )[0]
        self.assertEqual((status["retail_pos_tier"], status["retail_pos_points"]), ("Gold", 650.0))
        self.assertEqual(status["retail_pos_points_expiring"], 50.0)
        return zeta

    def test_01_customer_badge_and_card(self):
        zeta = self._zeta_gold()
        # the POS loads a limited number of customers: Zeta is found by searching
        self._set_customer_loading_limit(1)
        loaded = {row[0] for row in self.main_pos_config.get_limited_partners_loading()}
        self.assertNotIn(zeta.id, loaded)
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self._run_tour("RetailPosCustomerBadgeTour")

    def test_02_receipt_points_then_refund(self):
        self._set_customer_loading_limit(10000)
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self._run_tour("RetailPosEarnTour")
        order = self.env["pos.order"].search([("partner_id", "=", self.silver_sun.id)])
        self.assertEqual(len(order), 1)
        self.assertEqual(order.state, "paid")
        card = self._card(self.silver_sun)
        # the figures the receipt showed are those of the database
        self.assertEqual(self._earned(order), 150.0, "100 x 1.5 (Silver), as on the receipt")
        self.assertEqual(card.points, 250.0, "new balance on the receipt")
        self.assertEqual(self.env["loyalty.history"]._retail_ledger_mismatches(self.program), {})

        self._run_tour("RetailPosRefundTour")
        refund = self.env["pos.order"].search(
            [("partner_id", "=", self.silver_sun.id), ("id", "!=", order.id)]
        )
        self.assertEqual(refund.refunded_order_id, order)
        self.assertEqual(refund.state, "paid")
        taken = self.env["loyalty.history"].search(
            [("retail_pos_order_id", "=", refund.id), ("retail_kind", "=", "refund")]
        )
        self.assertEqual(taken.used, 150.0, "the refund takes back what the order earned")
        self.assertEqual(card.points, 100.0, "balance on the refund receipt")
        self.assertEqual(self.env["loyalty.history"]._retail_ledger_mismatches(self.program), {})

    def test_03_customer_without_card_nor_consent(self):
        self._set_customer_loading_limit(10000)
        self.assertFalse(self._card(self.newcomer))
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self._run_tour("RetailPosNoCardTour")
        orders = self.main_pos_config.current_session_id.order_ids
        self.assertEqual(len(orders), 2)
        anonymous = orders.filtered(lambda o: not o.partner_id)
        self.assertFalse(
            self.env["loyalty.history"].search([("retail_pos_order_id", "=", anonymous.id)])
        )
        card = self._card(self.newcomer)
        self.assertEqual(card.points, 100.0, "the server created the card and credited it")
        self.assertEqual(self.newcomer.with_company(self.company).retail_tier_id, self.normal)

    def test_04_pay_with_points(self):
        """Points paid with Odoo's Reward button: the receipt shows the points
        spent and the balance after them and after the earning, as the server
        wrote them."""
        zeta = self._zeta_gold()
        self._set_customer_loading_limit(1)
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self._run_tour("RetailPosRedeemTour")
        order = self.env["pos.order"].search([("partner_id", "=", zeta.id)])
        self.assertEqual(order.amount_total, 93.5, "100 - 650 points x 0.01")
        lines = self.env["loyalty.history"].search([("retail_pos_order_id", "=", order.id)])
        self.assertEqual(sorted(lines.mapped("issued")), [0.0, 187.0], "93.50 x 2 (Gold)")
        self.assertEqual(sorted(lines.mapped("used")), [0.0, 650.0])
        self.assertEqual(self._card(zeta).points, 187.0, "balance on the receipt")
        self.assertEqual(self.env["loyalty.history"]._retail_ledger_mismatches(self.program), {})
