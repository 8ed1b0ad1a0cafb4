from odoo import api, models


class RetailCustomerForget(models.TransientModel):
    """Satisfaction surveys of a forgotten customer: their responses stay
    in the satisfaction figures, anonymous (no contact, email or name), and
    what they wrote in their own words is erased."""

    _inherit = "retail.customer.forget"

    @api.model
    def _retail_forget_traces(self, family):
        res = super()._retail_forget_traces(family)
        answers = (
            family.env["survey.user_input"]
            .with_context(active_test=False)
            .search([("partner_id", "in", family.ids)])
        )
        if answers:
            answers.write({"partner_id": False, "email": False, "nickname": False})
            answers.user_input_line_ids.filtered(
                lambda line: line.answer_type in ("text_box", "char_box")
            ).write({"value_text_box": False, "value_char_box": False})
        return res
