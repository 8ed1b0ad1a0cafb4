from odoo import models
from odoo.tools import float_is_zero


class LoyaltyCardUpdateBalance(models.TransientModel):
    _inherit = "loyalty.card.update.balance"

    def action_update_card_point(self):
        """On a retail card, Odoo's "Update balance" is the manager's points
        adjustment: a ledger line with the description as its reason."""
        retail = self.card_id._retail_filter_retail()
        if not retail:
            return super().action_update_card_point()
        self.ensure_one()
        key = f"adjust:loyalty.card.update.balance:{self.id}"
        # sudo: reads only (the balance, and whether this click was posted)
        delta = self.new_balance - retail.sudo().points
        if float_is_zero(delta, precision_digits=2) and (
            self.env["loyalty.history"].sudo().search_count([("retail_key", "=", key)])
        ):
            return True  # a double click: the adjustment is already in the ledger
        if self.new_balance < 0 or float_is_zero(delta, precision_digits=2):
            return super().action_update_card_point()  # Odoo's own message
        retail._retail_adjust(delta, self.description, key)
        return True
