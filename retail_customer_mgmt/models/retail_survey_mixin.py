from odoo import api, fields, models


class RetailSurveyMixin(models.AbstractModel):
    """A document the satisfaction survey follows (a ticket, an exception
    order): when it was sent and answered, readable without Survey rights,
    and the request itself. The document defines ``survey_answer_ids``, the
    responses pointing at it."""

    _name = "retail.survey.mixin"
    _description = "Retail Satisfaction Survey Follow-up"

    survey_sent_on = fields.Datetime(
        "Satisfaction Survey Sent", compute="_compute_survey_dates", compute_sudo=True
    )
    survey_answered_on = fields.Datetime(
        "Satisfaction Survey Answered", compute="_compute_survey_dates", compute_sudo=True
    )

    @api.depends("survey_answer_ids.state", "survey_answer_ids.end_datetime")
    def _compute_survey_dates(self):
        for record in self:
            answers = record.survey_answer_ids
            record.survey_sent_on = max(answers.mapped("create_date"), default=False)
            record.survey_answered_on = max(
                answers.filtered(lambda a: a.state == "done").mapped("end_datetime"),
                default=False,
            )

    def _retail_request_surveys(self, trigger):
        """Ask the customers of ``self`` the survey of each one's company."""
        for company, records in self.grouped("company_id").items():
            self.env["res.partner"]._retail_ask_satisfaction(
                company, trigger, [(record.partner_id, record) for record in records]
            )
