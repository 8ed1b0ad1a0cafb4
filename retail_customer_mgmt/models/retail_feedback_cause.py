from odoo import fields, models


class RetailFeedbackCause(models.Model):
    """Why the problem happened, found when the ticket is handled
    (manufacturing defect, damaged in transit, staff training...)."""

    _name = "retail.feedback.cause"
    _description = "Feedback Root Cause"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    category_id = fields.Many2one(
        "retail.feedback.category",
        index=True,
        ondelete="set null",
        help="The category this cause belongs to; empty for a cause of any category.",
    )
    supplier_related = fields.Boolean(
        "Supplier's Responsibility",
        help="Tickets with this cause are quality problems to take to the product's vendor.",
    )
