from odoo import api, fields, models


class RetailFeedback(models.Model):
    """A closed ticket asks the customer the company's satisfaction survey
    (its service score becomes the ticket's rating) where one is set up;
    elsewhere the one-question rating request of the rating mixin."""

    _inherit = "retail.feedback"

    survey_answer_ids = fields.One2many(
        "survey.user_input",
        "retail_feedback_id",
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

    def _send_rating_request(self):
        surveyed = self.filtered(
            lambda t: (
                t.partner_id
                and t.company_id.retail_satisfaction_after_ticket
                and t.company_id.retail_satisfaction_survey_id
            )
        )
        for company, tickets in surveyed.grouped("company_id").items():
            self.env["res.partner"]._retail_ask_satisfaction(
                company, "ticket", [(ticket.partner_id, ticket) for ticket in tickets]
            )
        return super(RetailFeedback, self - surveyed)._send_rating_request()
