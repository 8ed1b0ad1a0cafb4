from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..services.satisfaction import MEASURES, nps_category, score_percent

SURVEY_TRIGGERS = [
    ("ticket", "After a Ticket"),
    ("exception", "After an Exception Order"),
    ("periodic", "Periodic"),
]

RETAIL_LINK_FIELDS = {
    "retail_company_id",
    "retail_trigger",
    "retail_feedback_id",
    "retail_exception_id",
}


class SurveyUserInput(models.Model):
    """A satisfaction survey sent by the shop: what it was about (a ticket,
    an exception order, or the periodic check) and for which company. Its
    answers roll up on the customer and the document when it is done."""

    _inherit = "survey.user_input"

    retail_company_id = fields.Many2one("res.company", readonly=True, index="btree_not_null")
    retail_trigger = fields.Selection(
        SURVEY_TRIGGERS,
        string="Sent",
        readonly=True,
    )
    retail_feedback_id = fields.Many2one(
        "retail.feedback", string="Ticket", readonly=True, index="btree_not_null"
    )
    retail_exception_id = fields.Many2one(
        "retail.order.exception", string="Exception Order", readonly=True, index="btree_not_null"
    )

    @api.model_create_multi
    def create(self, vals_list):
        self._retail_check_link(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._retail_check_link([vals])
        return super().write(vals)

    def _retail_check_link(self, vals_list):
        """Only the addon links a response to a company, a ticket or an
        exception order: a survey user linking an answer to somebody's ticket
        would write its scores on the ticket and the customer."""
        if self.env.su or not any(RETAIL_LINK_FIELDS & vals.keys() for vals in vals_list):
            return
        raise AccessError(
            self.env._(
                "Only the shop's own satisfaction requests can be linked to a "
                "ticket, an exception order or a company's figures."
            )
        )

    def _retail_survey_url(self):
        self.ensure_one()
        return self.get_base_url() + self.get_start_url()

    def _retail_send(self, channel, target):
        """Send this response's link to its customer by ``channel`` (email
        or SMS) and note it on ``target`` (the ticket, exception order or
        customer)."""
        self.ensure_one()
        if channel == "email":
            template = self.env.ref("retail_customer_mgmt.mail_template_satisfaction_survey")
            template.send_mail(self.id, email_layout_xmlid="mail.mail_notification_light")
        else:
            target._message_sms(
                self.env._(
                    "%(company)s: how did we do? Tell us in one minute: %(url)s",
                    company=self.retail_company_id.name,
                    url=self._retail_survey_url(),
                ),
                partner_ids=self.partner_id.ids,
            )
        labels = dict(
            self.env["res.partner"]
            ._fields["retail_preferred_channel"]
            ._description_selection(self.env)
        )
        target.message_post(
            body=self.env._(
                "Satisfaction survey sent to %(customer)s by %(channel)s.",
                customer=self.partner_id.display_name,
                channel=labels.get(channel, channel),
            )
        )

    def _mark_done(self):
        res = super()._mark_done()
        retail = self.filtered(lambda answer: answer.retail_company_id and answer.partner_id)
        if retail:
            retail.sudo()._retail_roll_up()
        return res

    def _retail_scores(self):
        """``{measure: (score, percent of its scale)}`` of this response's
        measured questions."""
        self.ensure_one()
        scores = {}
        for line in self.user_input_line_ids:
            question = line.question_id
            if question.retail_measure in MEASURES and line.answer_type == "scale":
                scores[question.retail_measure] = (
                    line.value_scale,
                    score_percent(line.value_scale, question.scale_min, question.scale_max),
                )
        return scores

    def _retail_roll_up(self):
        """The customer's latest answer and NPS class; a note with the scores
        on the ticket or exception order; a detractor gets a call back."""
        for answer in self:
            scores = answer._retail_scores()
            values = {"retail_survey_answered_on": answer.end_datetime}
            if "recommend" in scores:
                values["retail_survey_nps_category"] = nps_category(scores["recommend"][0])
            answer.partner_id.write(values)
            document = answer.retail_feedback_id or answer.retail_exception_id
            target = document or answer.partner_id
            target.message_post(body=answer._retail_scores_text(scores))
            ticket = answer.retail_feedback_id
            if ticket and "service" in scores:
                # the survey replaces the ticket's rating request: its service
                # score (1 to 5 stars) is the ticket's rating
                ticket.rating_apply(
                    round(1 + scores["service"][1] * 4 / 100),
                    token=ticket._rating_get_access_token(),
                )
            if values.get("retail_survey_nps_category") == "detractor":
                answer._retail_schedule_call_back(target)

    def _retail_scores_text(self, scores):
        labels = dict(
            self.env["survey.question"]._fields["retail_measure"]._description_selection(self.env)
        )
        parts = [
            f"{labels[measure]}: {scores[measure][0]}" for measure in MEASURES if measure in scores
        ]
        return self.env._(
            "%(customer)s answered the satisfaction survey. %(scores)s",
            customer=self.partner_id.display_name,
            scores="; ".join(parts) or self.env._("No score given."),
        )

    def _retail_schedule_call_back(self, target):
        company = self.retail_company_id
        user = (
            getattr(target, "user_id", False)
            or self.partner_id.user_id
            or company.retail_feedback_manager_id
        )
        if not user:
            return
        target.activity_schedule(
            act_type_xmlid="mail.mail_activity_data_call",
            user_id=user.id,
            summary=self.env._("Call back an unhappy customer"),
            note=self.env._(
                "%s would not recommend the shop (score 6 or less): call them to understand why.",
                self.partner_id.display_name,
            ),
        )
