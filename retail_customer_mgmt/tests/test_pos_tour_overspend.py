import logging
import time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestRetailPosOverspendTour(TestPointOfSaleHttpCommon):
    """The till refuses, in Chromium, a points reward the card can no longer
    pay (static/tests/tours/retail_pos_overspend_tour.js)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the tour's cashier also removes points through the manager's
        # adjustment, standing for points spent at another till meanwhile
        cls.pos_user.groups_id += cls.env.ref("retail_customer_mgmt.group_retail_manager")
        cls.company = cls.main_pos_config.company_id
        cls.company.write({"retail_points_per_unit": 1.0, "retail_point_value": 0.01})
        cls.program = cls.company._retail_get_program()
        cls.env["product.product"].create(
            {
                "name": "Retail Tea Set",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "available_in_pos": True,
            }
        )
        cls.spender = cls.env["res.partner"].create({"name": "Spender Song"})
        Card = cls.env["loyalty.card"]
        cls.card = Card._retail_cards_for(cls.spender, cls.program)[cls.spender]
        cls.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": cls.card.id,
                    "description": "Welcome points",
                    "issued": 650.0,
                    "retail_kind": "adjust",
                    "retail_key": "test:spender-song",
                }
            ]
        )

    def test_till_refuses_a_reward_the_card_cannot_pay(self):
        self.env["ir.config_parameter"].sudo().set_param(
            "point_of_sale.limited_customer_count", 10000
        )
        self.main_pos_config.with_user(self.pos_user).open_ui()
        start = time.monotonic()
        self.start_pos_tour("RetailPosOverspendTour", login="pos_user")
        _logger.info("POS tour RetailPosOverspendTour: %.1f s wall time", time.monotonic() - start)
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
