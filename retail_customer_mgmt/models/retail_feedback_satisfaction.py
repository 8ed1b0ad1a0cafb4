from odoo import fields, models


class RetailFeedback(models.Model):
    """A closed ticket asks the customer the company's satisfaction survey
    (its service score becomes the ticket's rating) where one is set up;
    elsewhere the one-question rating request of the rating mixin."""

    _name = "retail.feedback"
    _inherit = ["retail.feedback", "retail.survey.mixin"]

    survey_answer_ids = fields.One2many(
        "survey.user_input",
        "retail_feedback_id",
        string="Satisfaction Surveys",
        groups="survey.group_survey_user",
    )

    def _send_rating_request(self):
        surveyed = self.filtered(
            lambda t: (
                t.partner_id
                and t.company_id.retail_satisfaction_after_ticket
                and t.company_id.retail_satisfaction_survey_id
            )
        )
        surveyed._retail_request_surveys("ticket")
        return super(RetailFeedback, self - surveyed)._send_rating_request()
