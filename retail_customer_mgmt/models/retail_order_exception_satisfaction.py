from odoo import api, fields, models


class RetailOrderException(models.Model):
    """The notice that an order problem is solved is followed by the
    company's satisfaction survey."""

    _inherit = "retail.order.exception"

    survey_answer_ids = fields.One2many(
        "survey.user_input",
        "retail_exception_id",
        string="Satisfaction Surveys",
        groups="survey.group_survey_user",
    )
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

    def _retail_send_notices(self, resolved):
        told = self.filtered(lambda e: e.notified_on and not e.resolution_notified_on)
        res = super()._retail_send_notices(resolved)
        if resolved:
            told.filtered("resolution_notified_on")._retail_ask_satisfaction()
        return res

    def _retail_ask_satisfaction(self):
        todo = self.filtered(
            lambda e: (
                e.partner_id
                and not e.survey_sent_on
                and e.company_id.retail_satisfaction_after_exception
                and e.company_id.retail_satisfaction_survey_id
            )
        )
        for company, exceptions in todo.grouped("company_id").items():
            self.env["res.partner"]._retail_ask_satisfaction(
                company, "exception", [(e.partner_id, e) for e in exceptions]
            )
