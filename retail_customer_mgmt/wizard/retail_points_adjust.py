from odoo import api, fields, models
from odoo.exceptions import UserError


class RetailPointsAdjust(models.TransientModel):
    _name = "retail.points.adjust"
    _description = "Adjust a Customer's Retail Points"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, readonly=True
    )
    partner_id = fields.Many2one("res.partner", string="Customer", required=True)
    operation = fields.Selection(
        [("add", "Add points"), ("remove", "Remove points")], required=True, default="add"
    )
    points = fields.Float(required=True)
    reason = fields.Char(required=True)
    current_points = fields.Float(compute="_compute_current_points")

    @api.depends("partner_id", "company_id")
    def _compute_current_points(self):
        for wizard in self:
            wizard.current_points = (
                wizard.partner_id.with_company(wizard.company_id).sudo().retail_points
                if wizard.partner_id
                else 0.0
            )

    def action_apply(self):
        self.ensure_one()
        if self.points <= 0:
            raise UserError(self.env._("Enter a number of points greater than zero."))
        partner = self.partner_id.commercial_partner_id
        program = self.company_id._retail_get_program()
        Card = self.env["loyalty.card"]
        card = Card._retail_cards_for(partner, program)[partner]
        delta = self.points if self.operation == "add" else -self.points
        # the wizard record is the request: a double click posts once
        card._retail_adjust(delta, self.reason, f"adjust:{self.id}")
        return {"type": "ir.actions.act_window_close"}
