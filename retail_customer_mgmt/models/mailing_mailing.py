import logging

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.osv import expression
from odoo.tools import SQL

from ..services.marketing import consent_channel

_logger = logging.getLogger(__name__)


class MailingMailing(models.Model):
    """Campaigns on contacts reach consenting customers only.

    Odoo's own hook for "who receives this mailing" is the recipients domain
    (``_get_recipients_domain``: the mailing's filter, read when the mailing
    is sent and for its recipient count). A mailing on contacts adds the
    consent of its channel to it, as a plain SQL condition so that marketing
    users who may not read the consents still send to the right people.
    Explicit recipients (``action_send_mail(res_ids)``,
    ``action_send_sms(res_ids)``) are filtered the same way. Withdrawn
    consents are also on Odoo's blacklists (see res_partner_consent_sync.py),
    which keep the address out of mailings on any other recipient model.
    """

    _inherit = "mailing.mailing"

    retail_result_days = fields.Integer(
        "Results Window (days)",
        default=30,
        help="Orders placed by the recipients within this many days after sending count "
        "for the campaign's results.",
    )

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("retail_result_days")
    def _check_retail_result_days(self):
        for mailing in self:
            if mailing.retail_result_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Mailing %s: the results window must be at least one day.",
                        mailing.subject or mailing.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_send_mail(self, res_ids=None):
        return super().action_send_mail(res_ids=self._retail_consenting_ids(res_ids))

    def action_send_sms(self, res_ids=None):
        return super().action_send_sms(res_ids=self._retail_consenting_ids(res_ids))

    def action_view_retail_results(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_campaign_result_action"
        )
        action["domain"] = [("mailing_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_consent_domain(self):
        """The consent condition of this mailing's channel on contacts (empty
        for another recipient model or channel)."""
        self.ensure_one()
        channel = consent_channel(self.mailing_type)
        if self.mailing_model_real != "res.partner" or not channel:
            return []
        self.env["res.partner"].flush_model([f"retail_consent_{channel}"])
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT id FROM res_partner WHERE %s)",
                    SQL.identifier(f"retail_consent_{channel}"),
                ),
            )
        ]

    def _get_recipients_domain(self):
        domain = super()._get_recipients_domain()
        consent = self._retail_consent_domain()
        return expression.AND([domain, consent]) if consent else domain

    def _retail_consenting_ids(self, res_ids):
        """``res_ids`` without the contacts who did not consent to the channel
        of every mailing of ``self``; raises when none is left."""
        if not res_ids:
            return res_ids
        allowed = list(res_ids)
        for mailing in self:
            consent = mailing._retail_consent_domain()
            if consent:
                allowed = (
                    self.env[mailing.mailing_model_real]
                    .search([("id", "in", allowed), *consent])
                    .ids
                )
        if not allowed:
            raise UserError(
                self.env._(
                    "None of these customers gave their consent to this channel: nothing is sent."
                )
            )
        if len(allowed) < len(res_ids):
            _logger.info(
                "Mailings %s: %s recipients left out without consent",
                self.ids,
                len(res_ids) - len(allowed),
            )
        return allowed
