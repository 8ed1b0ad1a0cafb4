from odoo import api, models


class RetailBlacklistConsent(models.AbstractModel):
    """An address put on one of Odoo's blacklists (a mailing's unsubscribe
    link or SMS stop page, the blacklist menu, an import) withdraws the
    consent of that channel for its contacts."""

    _name = "retail.blacklist.consent"
    _description = "Blacklist withdraws the retail consent"

    # set by each blacklist: the consent channel and the address field
    _retail_channel = None
    _retail_address_field = None

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._retail_withdraw_consents()
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("active") or vals.get(self._retail_address_field):
            self._retail_withdraw_consents()
        return result

    def _retail_withdraw_consents(self):
        if self.env.context.get("retail_consent_sync"):
            return
        listed = self.filtered("active")
        self.env["res.partner"]._retail_withdraw_blacklisted(
            self._retail_channel, listed.mapped(self._retail_address_field)
        )
