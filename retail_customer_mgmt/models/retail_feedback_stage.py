from odoo import fields, models


class RetailFeedbackStage(models.Model):
    _name = "retail.feedback.stage"
    _description = "Feedback Ticket Stage"
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    fold = fields.Boolean(help="Folded in the kanban view.")
    is_closed = fields.Boolean(
        "Closing Stage",
        help="Tickets in this stage are solved: a resolution is required and the "
        "customer is asked to rate the service.",
    )
    description = fields.Text(translate=True)
