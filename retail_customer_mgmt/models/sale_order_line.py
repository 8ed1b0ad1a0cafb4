from odoo import api, models
from odoo.exceptions import UserError


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        lines._retail_check_confirmed_rewards()
        lines.order_id._retail_sync_points()
        return lines

    def write(self, vals):
        if "reward_id" in vals or "points_cost" in vals or "coupon_id" in vals:
            self._retail_check_confirmed_rewards()
        res = super().write(vals)
        if {"product_uom_qty", "price_unit", "discount", "tax_id", "reward_id"} & set(vals):
            self.order_id._retail_sync_points()
        return res

    def unlink(self):
        self._retail_check_confirmed_rewards()
        orders = self.order_id
        res = super().unlink()
        orders.exists()._retail_sync_points()
        return res

    def _retail_check_confirmed_rewards(self):
        """Points paid for a confirmed order's rewards are charged once, at
        confirmation: its retail rewards are not added, changed or removed
        afterwards (Odoo's sales flow would move the card's balance by hand)."""
        confirmed = self.filtered(lambda line: line.state == "sale" and line.reward_id)
        programs = confirmed.reward_id.program_id._retail_filter_retail()
        if confirmed.filtered(lambda line: line.reward_id.program_id in programs):
            raise UserError(
                self.env._(
                    "Rewards paid with retail points cannot be added, changed or removed "
                    "on a confirmed order. Cancel the order and set it back to quotation, "
                    "or create a new order."
                )
            )
