from odoo import fields, models


class RetailOrderException(models.Model):
    """The notice that an order problem is solved is followed by the
    company's satisfaction survey."""

    _name = "retail.order.exception"
    _inherit = ["retail.order.exception", "retail.survey.mixin"]

    survey_answer_ids = fields.One2many(
        "survey.user_input",
        "retail_exception_id",
        string="Satisfaction Surveys",
        groups="survey.group_survey_user",
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
        todo._retail_request_surveys("exception")
