from odoo import models


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    def _retail_filter_retail(self):
        """The programs that are a company's retail points program (one query)."""
        if not self:
            return self
        # sudo: whether a program is retail is company configuration, decided
        # on the server whoever asks (a cashier, a salesperson, an RPC client)
        companies = (
            self.env["res.company"].sudo().search([("retail_loyalty_program_id", "in", self.ids)])
        )
        return self.filtered(lambda program: program in companies.retail_loyalty_program_id)

    def unlink(self):
        if self._retail_filter_retail():
            self.env["loyalty.card"]._retail_refuse(
                self.env._("the retail program holds the customers' ledger")
            )
        return super().unlink()
