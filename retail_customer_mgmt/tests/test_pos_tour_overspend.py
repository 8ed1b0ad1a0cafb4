import logging

from odoo.tests import tagged

from .pos_tour_common import RetailPosTourCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestRetailPosOverspendTour(RetailPosTourCommon):
    """The till refuses, in Chromium, a points reward the card can no longer
    pay (static/tests/tours/retail_pos_overspend_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the tour's cashier also removes points through the manager's
        # adjustment, standing for points spent at another till meanwhile
        cls.pos_user.groups_id += cls.env.ref("retail_customer_mgmt.group_retail_manager")
        cls._pos_products(("Retail Tea Set", 100.0))
        cls.spender = cls.env["res.partner"].create({"name": "Spender Song"})
        cls.card = cls._give_points(cls.spender, 650.0, "spender-song")

    def test_till_refuses_a_reward_the_card_cannot_pay(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "point_of_sale.limited_customer_count", 10000
        )
        self.main_pos_config.with_user(self.pos_user).open_ui()
        self._run_tour("RetailPosOverspendTour")
        self.env.invalidate_all()
        self.assertFalse(
            self.env["pos.order"].search([("partner_id", "=", self.spender.id)]),
            "the order was not paid",
        )
        self.assertEqual(self.card.points, 50.0)
        self.assertEqual(
            self.card.history_ids.mapped("retail_kind"), ["adjust", "adjust"], "nothing spent"
        )
        self.assertEqual(self.env["loyalty.history"]._retail_ledger_mismatches(self.program), {})
