import logging
import time

from odoo import Command

from odoo.addons.point_of_sale.tests.test_frontend import TestPointOfSaleHttpCommon

_logger = logging.getLogger(__name__)


class RetailPosTourCommon(TestPointOfSaleHttpCommon):
    """What the POS tours share: the company's points rules, its retail
    program, a tea set sold at the till, points given through the ledger
    and a tour runner that logs its wall time."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.main_pos_config.company_id
        cls.company.write({"retail_points_per_unit": 1.0, "retail_point_value": 0.01})
        cls.program = cls.company._retail_get_program()
        cls.Card = cls.env["loyalty.card"]

    @classmethod
    def _retail_tiers(cls, rows):
        """Replace the company's tiers by ``rows`` (dicts of tier values, in
        ascending order) and return them."""
        Tier = cls.env["retail.tier"]
        Tier.search([("company_id", "=", cls.company.id)]).active = False
        return Tier.create(
            [
                {"sequence": sequence, "company_id": cls.company.id, **row}
                for sequence, row in enumerate(rows)
            ]
        )

    @classmethod
    def _pos_products(cls, *name_prices):
        return cls.env["product.product"].create(
            [
                {
                    "name": name,
                    "list_price": price,
                    "taxes_id": [Command.clear()],
                    "available_in_pos": True,
                }
                for name, price in name_prices
            ]
        )

    @classmethod
    def _give_points(cls, partner, points, key, expiry_date=None):
        """``points`` on ``partner``'s retail card, through the ledger."""
        card = cls.Card._retail_cards_for(partner, cls.program)[partner]
        cls.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": "Welcome points",
                    "issued": points,
                    "retail_kind": "adjust",
                    "retail_key": f"test:{key}",
                    "retail_expiry_date": expiry_date,
                }
            ]
        )
        return card

    def _card(self, partner):
        return self.Card.search(
            [("program_id", "=", self.program.id), ("partner_id", "=", partner.id)]
        )

    def _run_tour(self, name, open_ui=False):
        """Run a tour as the cashier and log its wall time."""
        if open_ui:
            self.main_pos_config.with_user(self.pos_user).open_ui()
        start = time.monotonic()
        self.start_pos_tour(name, login="pos_user")
        elapsed = time.monotonic() - start
        _logger.info("POS tour %s: %.1f s wall time", name, elapsed)
        self.env.invalidate_all()
        return elapsed
