from odoo import api, models


class PhoneBlacklist(models.Model):
    """A number blacklisted (the unsubscribe page of an SMS, the blacklist
    menu) withdraws the SMS consent of its contacts."""

    _inherit = "phone.blacklist"

    @api.model_create_multi
    def create(self, vals_list):
        records = super().create(vals_list)
        records._retail_withdraw_consents()
        return records

    def write(self, vals):
        result = super().write(vals)
        if vals.get("active") or vals.get("number"):
            self._retail_withdraw_consents()
        return result

    def _retail_withdraw_consents(self):
        if self.env.context.get("retail_consent_sync"):
            return
        listed = self.filtered("active")
        self.env["res.partner"]._retail_withdraw_blacklisted("sms", listed.mapped("number"))
