from odoo import api, fields, models
from odoo.exceptions import UserError


class RetailCustomerForget(models.TransientModel):
    """Confirmation of "Forget this customer" (retail managers only)."""

    _name = "retail.customer.forget"
    _description = "Forget a Customer"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    blockers = fields.Text(compute="_compute_blockers", string="Open Documents")
    confirm = fields.Boolean(
        string="I understand that the personal data of this customer will be erased for good."
    )

    @api.depends("partner_id")
    def _compute_blockers(self):
        for wizard in self:
            blockers = wizard.partner_id._retail_forget_blockers() if wizard.partner_id else []
            wizard.blockers = "\n".join(blockers) or False

    def action_forget(self):
        self.ensure_one()
        if not self.confirm:
            raise UserError(
                self.env._("Tick the confirmation to erase the personal data of the customer.")
            )
        self.partner_id._retail_forget()
        return {"type": "ir.actions.act_window_close"}
