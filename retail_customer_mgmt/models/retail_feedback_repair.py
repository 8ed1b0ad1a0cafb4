from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError


class RetailFeedback(models.Model):
    """A repair request becomes an Odoo repair order, linked both ways."""

    _inherit = "retail.feedback"

    feedback_type = fields.Selection(
        selection_add=[("repair", "Repair Request")], ondelete={"repair": "set default"}
    )
    repair_id = fields.Many2one("repair.order", string="Repair Order", readonly=True, copy=False)
    repair_state = fields.Selection(
        related="repair_id.state", string="Repair Status", help="Status of the repair order."
    )

    def action_retail_create_repair(self):
        """Create the repair order of the product the customer bought."""
        self.ensure_one()
        if self.feedback_type != "repair":
            raise UserError(self.env._("Only a repair request opens a repair order."))
        if self.repair_id:
            raise UserError(
                self.env._(
                    "Ticket %(ticket)s already has repair order %(repair)s.",
                    ticket=self.name,
                    repair=self.repair_id.name,
                )
            )
        if not self.product_id:
            raise UserError(
                self.env._("Ticket %s names no product: choose the product to repair.", self.name)
            )
        order = self.sale_order_id or self.pos_order_id
        request = self.env._(
            "%(ticket)s: %(subject)s",
            ticket=self.name,
            subject=self.subject,
        )
        if order:
            request += " " + self.env._("(bought with %s)", order.name)
        # the user's own rights on repairs apply: no repair access, no repair
        repair = (
            self.env["repair.order"]
            .with_company(self.company_id)
            .create(
                {
                    "company_id": self.company_id.id,
                    "partner_id": self.partner_id.id,
                    "product_id": self.product_id.id,
                    "internal_notes": Markup("<p>%s</p>") % request,
                    "retail_feedback_id": self.id,
                }
            )
        )
        self.repair_id = repair
        self.message_post(body=self.env._("Repair order %s created.", repair.name))
        return self.action_retail_view_repair()

    def action_retail_view_repair(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "repair.order",
            "res_id": self.repair_id.id,
            "view_mode": "form",
        }
