from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    def _default_retail_satisfaction_survey(self):
        return self.env.ref(
            "retail_customer_mgmt.survey_retail_satisfaction", raise_if_not_found=False
        )

    retail_satisfaction_survey_id = fields.Many2one(
        "survey.survey",
        string="Satisfaction Survey",
        default=_default_retail_satisfaction_survey,
        help="The survey (Odoo's Survey app) customers are asked to fill in. Its scale questions "
        "with a retail measure feed the satisfaction figures; empty = no survey is sent.",
    )
    retail_satisfaction_after_ticket = fields.Boolean(
        "Survey After a Ticket",
        default=True,
        help="A closed ticket sends the survey (instead of the one-question rating request).",
    )
    retail_satisfaction_after_exception = fields.Boolean(
        "Survey After an Exception Order",
        default=True,
        help="The survey follows the notice that the problem with the order is solved.",
    )
    retail_satisfaction_periodic = fields.Boolean(
        "Periodic Survey",
        help="Ask active customers regularly, at most once per survey period.",
    )
    retail_satisfaction_period_days = fields.Integer("Survey Period (days)", default=90)
    retail_satisfaction_active_days = fields.Integer(
        "Active Customers: Bought Within (days)", default=365
    )
    retail_satisfaction_valid_days = fields.Integer(
        "Survey Link Valid (days)",
        default=30,
        help="After this many days the customer's survey link expires.",
    )
    retail_satisfaction_batch = fields.Integer(
        "Periodic Surveys per Run",
        default=500,
        help="The daily job asks at most this many customers, so a first run does not send "
        "thousands of mails at once.",
    )

    @api.constrains(
        "retail_satisfaction_period_days",
        "retail_satisfaction_active_days",
        "retail_satisfaction_valid_days",
        "retail_satisfaction_batch",
    )
    def _check_retail_satisfaction_settings(self):
        for company in self:
            if (
                min(
                    company.retail_satisfaction_period_days,
                    company.retail_satisfaction_active_days,
                    company.retail_satisfaction_valid_days,
                    company.retail_satisfaction_batch,
                )
                < 1
            ):
                raise ValidationError(
                    self.env._(
                        "The survey period, the activity window, the link validity and the "
                        "surveys per run must each be at least 1."
                    )
                )

    @api.model
    def _retail_set_default_satisfaction_survey(self):
        """At install: the companies without a survey get the default one."""
        self.search([("retail_satisfaction_survey_id", "=", False)]).write(
            {"retail_satisfaction_survey_id": self._default_retail_satisfaction_survey().id}
        )
