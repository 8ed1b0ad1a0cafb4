from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_recurring_ticket_count = fields.Integer(
        string="Recurring Issue Tickets",
        default=3,
        help="This many complaints or return requests about the same category or product "
        "within the period open a recurring-issue alert; 0 = no alert.",
    )
    retail_recurring_days = fields.Integer(
        string="Recurring Issue Period (days)",
        default=7,
    )

    @api.constrains("retail_recurring_ticket_count", "retail_recurring_days")
    def _check_retail_recurring_settings(self):
        for company in self:
            if company.retail_recurring_ticket_count == 1:
                raise ValidationError(
                    self.env._("A recurring issue takes at least 2 tickets (0 = no alert).")
                )
            if company.retail_recurring_ticket_count < 0 or company.retail_recurring_days < 1:
                raise ValidationError(
                    self.env._(
                        "The recurring-issue tickets cannot be negative and the period is at "
                        "least one day."
                    )
                )
