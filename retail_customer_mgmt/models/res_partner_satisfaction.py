from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.notices import first_consented

SURVEY_TEMPLATE = "retail_customer_mgmt.mail_template_satisfaction_survey"
# a survey link is a link: it goes by email or SMS, never by phone or WeChat
SURVEY_CHANNELS = ("email", "sms")


class ResPartner(models.Model):
    """Satisfaction surveys: who was asked when, and what they answered."""

    _inherit = "res.partner"

    retail_survey_sent_on = fields.Datetime(
        "Satisfaction Survey Sent", readonly=True, copy=False, groups="base.group_user"
    )
    retail_survey_answered_on = fields.Datetime(
        "Satisfaction Survey Answered", readonly=True, copy=False, groups="base.group_user"
    )
    retail_survey_nps_category = fields.Selection(
        [("promoter", "Promoter"), ("passive", "Passive"), ("detractor", "Detractor")],
        string="Recommends Us",
        readonly=True,
        copy=False,
        groups="base.group_user",
        help="From the customer's latest answer to “How likely are you to recommend us?”: "
        "9-10 promoter, 7-8 passive, 0-6 detractor.",
    )
    retail_survey_score_ids = fields.Many2many(
        "retail.satisfaction.report",
        string="Latest Satisfaction Scores",
        compute="_compute_retail_survey_score_ids",
        groups="retail_customer_mgmt.group_retail_user",
    )

    def _compute_retail_survey_score_ids(self):
        Report = self.env["retail.satisfaction.report"]
        latest = {}
        if self.ids:
            rows = Report._read_group(
                [("partner_id", "in", self.ids)],
                ["partner_id", "measure"],
                ["id:max"],
            )
            for partner, _measure, report_id in rows:
                latest.setdefault(partner.id, []).append(report_id)
        for partner in self:
            partner.retail_survey_score_ids = Report.browse(latest.get(partner.id, []))

    # ------------------------------------------------------------------
    # Asking
    # ------------------------------------------------------------------
    @api.model
    def _retail_ask_satisfaction(self, company, trigger, requests):
        """Send ``company``'s satisfaction survey.

        :param requests: ``[(partner, document or None)]``: the ticket or
            exception order the survey follows (it gets a note), None for a
            periodic survey
        :return: the survey responses created (one per customer reached)
        """
        survey = company.retail_satisfaction_survey_id.sudo()
        answers = self.env["survey.user_input"].sudo()
        if not survey or not requests:
            return answers
        partners = self.browse({partner.id for partner, _document in requests})
        consents = partners._retail_consented_channels()
        deadline = fields.Datetime.now() + timedelta(days=company.retail_satisfaction_valid_days)
        for partner, document in requests:
            channel = first_consented(
                (partner.sudo().retail_preferred_channel, *SURVEY_CHANNELS),
                consents[partner.id] & set(SURVEY_CHANNELS),
            )
            if not channel:
                if document:
                    document.message_post(
                        body=self.env._(
                            "No satisfaction survey was sent: the customer consented neither "
                            "to email nor to SMS."
                        )
                    )
                continue
            answer = survey._create_answer(
                partner=partner,
                check_attempts=False,
                deadline=deadline,
                retail_company_id=company.id,
                retail_trigger=trigger,
                retail_feedback_id=document.id
                if document and document._name == "retail.feedback"
                else False,
                retail_exception_id=(
                    document.id
                    if document and document._name == "retail.order.exception"
                    else False
                ),
            )
            answer._retail_send(channel, document or partner)
            answers |= answer
        answers.partner_id.sudo().write({"retail_survey_sent_on": fields.Datetime.now()})
        return answers

    @api.model
    def _cron_retail_periodic_satisfaction(self):
        """Ask active customers how satisfied they are: those who bought in
        the company's activity window and were not asked within its survey
        period, who consented to email or SMS, a batch per run."""
        companies = self.env["res.company"].search(
            [
                ("retail_satisfaction_periodic", "=", True),
                ("retail_satisfaction_survey_id", "!=", False),
            ]
        )
        for company in companies:
            partners = self._retail_periodic_candidates(company)
            self._retail_ask_satisfaction(company, "periodic", [(p, None) for p in partners])

    @api.model
    def _retail_periodic_candidates(self, company):
        """The customers due for a periodic survey of ``company`` (at most
        the batch size, lowest ids first): three queries."""
        now = fields.Datetime.now()
        self.env["retail.purchase"]._flush()
        self.flush_model(["retail_survey_sent_on"])
        self.env.cr.execute(
            SQL(
                """
                SELECT DISTINCT o.partner_id
                  FROM (%s) o
                  JOIN res_partner p ON p.id = o.partner_id
                 WHERE o.is_order = 1
                   AND (p.retail_survey_sent_on IS NULL OR p.retail_survey_sent_on < %s)
                """,
                self.env["retail.purchase"]._rows_sql(
                    company, date_from=now - timedelta(days=company.retail_satisfaction_active_days)
                ),
                now - timedelta(days=company.retail_satisfaction_period_days),
            )
        )
        buyers = self.browse(sorted(row[0] for row in self.env.cr.fetchall()))
        reachable = buyers._retail_may_contact("email") | buyers._retail_may_contact("sms")
        return reachable.sorted("id")[: company.retail_satisfaction_batch]
