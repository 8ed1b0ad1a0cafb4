from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .retail_feedback import FEEDBACK_PRIORITIES, FEEDBACK_TYPES


class RetailFeedbackSla(models.Model):
    _name = "retail.feedback.sla"
    _description = "Feedback SLA Policy"
    _order = "feedback_type, priority desc"
    _check_company_auto = True

    feedback_type = fields.Selection(FEEDBACK_TYPES, string="Type", required=True)
    priority = fields.Selection(FEEDBACK_PRIORITIES, required=True, default="0")
    hours = fields.Float("Hours to Solve", required=True, default=48.0)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )

    _sql_constraints = [
        (
            "type_priority_company_unique",
            "UNIQUE (feedback_type, priority, company_id)",
            "There is already an SLA policy for this type and priority.",
        ),
    ]

    @api.constrains("hours")
    def _check_hours(self):
        for policy in self:
            if policy.hours <= 0:
                raise ValidationError(
                    self.env._("The time to solve a ticket must be a positive number of hours.")
                )
