from odoo import api, fields, models

from .res_partner import CONSENT_CHANNELS
from .retail_consent_history import CONSENT_SOURCES

_SOURCES = {source for source, _label in CONSENT_SOURCES}


class ResPartner(models.Model):
    """Every change of a marketing consent is recorded in
    ``retail.consent.history``, whatever writes it: the back office, the
    POS (context ``retail_consent_source='pos'``), the portal, a mailing's
    unsubscribe link through the blacklist sync. The caller may give the
    wording shown to the customer in the context key
    ``retail_consent_wording``."""

    _inherit = "res.partner"

    retail_consent_history_ids = fields.One2many(
        "retail.consent.history",
        "partner_id",
        string="Consent History",
        readonly=True,
        groups="retail_customer_mgmt.group_retail_user",
    )

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        given = {partner.id: dict.fromkeys(CONSENT_CHANNELS, False) for partner in partners}
        partners._retail_record_consents(given)
        return partners

    def write(self, vals):
        flags = [c for c in CONSENT_CHANNELS if f"retail_consent_{c}" in vals]
        if not flags or not self:
            return super().write(vals)
        # sudo: consents are compared whoever writes (a portal user's own
        # choice, the public user of an unsubscribe link)
        before = {
            partner.id: {channel: partner[f"retail_consent_{channel}"] for channel in flags}
            for partner in self.sudo()
        }
        result = super().write(vals)
        self._retail_record_consents(before)
        return result

    def _retail_record_consents(self, before):
        """Record the consents of ``self`` that differ from ``before``
        (``{partner id: {channel: consent}}``)."""
        context = self.env.context
        source = context.get("retail_consent_source") or "backoffice"
        if source not in _SOURCES:
            source = "backoffice"
        History = self.env["retail.consent.history"].sudo()
        rows = []
        for partner in self.sudo():
            for channel, was in before.get(partner.id, {}).items():
                now = partner[f"retail_consent_{channel}"]
                if bool(now) == bool(was):
                    continue
                action = "given" if now else "withdrawn"
                rows.append(
                    {
                        "partner_id": partner.id,
                        "channel": channel,
                        "action": action,
                        "source": source,
                        "user_id": self.env.uid,
                        "consent_date": partner[f"retail_consent_{channel}_date"] or False,
                        "wording": context.get("retail_consent_wording")
                        or History._default_wording(channel, action),
                    }
                )
        if rows:
            History.create(rows)
