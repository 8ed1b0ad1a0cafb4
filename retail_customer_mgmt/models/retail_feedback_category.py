from odoo import fields, models


class RetailFeedbackCategory(models.Model):
    """What a ticket is about (product quality, service, delivery...), so that
    the main problems surface in the reports and recurring ones raise an alert."""

    _name = "retail.feedback.category"
    _description = "Feedback Category"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", index=True, help="Leave empty to use the category in every company."
    )
    cause_ids = fields.One2many("retail.feedback.cause", "category_id", string="Root Causes")
    description = fields.Text(translate=True)

    _sql_constraints = [
        (
            "name_company_unique",
            "unique(name, company_id)",
            "A feedback category with this name already exists.",
        )
    ]
