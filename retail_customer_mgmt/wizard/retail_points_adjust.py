from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


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
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can adjust customer points."))
        if self.points <= 0:
            raise UserError(self.env._("Enter a number of points greater than zero."))
        if not (self.reason or "").strip():
            raise UserError(
                self.env._("Give the reason of the adjustment; it is kept in the ledger.")
            )
        Card = self.env["loyalty.card"]
        program = self.company_id._retail_get_program()
        partner = self.partner_id.commercial_partner_id
        card = Card._retail_cards_for(partner, program)[partner]
        delta = self.points if self.operation == "add" else -self.points
        if card.points + delta < 0:
            raise UserError(
                self.env._(
                    "%(customer)s has %(balance)s points: removing %(points)s would make the "
                    "balance negative.",
                    customer=partner.display_name,
                    balance=card.points,
                    points=self.points,
                )
            )
        months = self.company_id.retail_points_expiry_months
        now = fields.Datetime.now()
        Card._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": self.env._("Manual adjustment: %s", self.reason.strip()),
                    "issued": max(delta, 0.0),
                    "used": max(-delta, 0.0),
                    "retail_kind": "adjust",
                    # the wizard record is the request: a double click posts once
                    "retail_key": f"adjust:{self.id}",
                    "retail_date": now,
                    "retail_expiry_date": fields.Date.add(now.date(), months=months)
                    if months and delta > 0
                    else None,
                    "retail_user_id": self.env.uid,
                }
            ]
        )
        delta_text = f"{delta:+g}"
        partner.message_post(
            body=self.env._(
                "Points adjusted by %(user)s: %(delta)s (%(reason)s).",
                user=self.env.user.name,
                delta=delta_text,
                reason=self.reason.strip(),
            ),
            subtype_xmlid="mail.mt_note",
        )
        return {"type": "ir.actions.act_window_close"}
