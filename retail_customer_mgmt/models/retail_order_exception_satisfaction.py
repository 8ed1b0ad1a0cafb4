from odoo import fields, models


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
                and not e.survey_answer_ids
                and e.company_id.retail_satisfaction_after_exception
                and e.company_id.retail_satisfaction_survey_id
            )
        )
        for company, exceptions in todo.grouped("company_id").items():
            self.env["res.partner"]._retail_ask_satisfaction(
                company, "exception", [(e.partner_id, e) for e in exceptions]
            )
