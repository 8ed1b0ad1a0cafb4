from odoo import api, fields, models

from .res_partner import PREFERRED_CHANNELS

CONSENT_SOURCES = [
    ("backoffice", "Back Office"),
    ("pos", "Point of Sale"),
    ("portal", "Customer Portal"),
    ("mailing", "Unsubscribe Link or Blacklist"),
    ("forget", "Customer Forgotten"),
]


class RetailConsentHistory(models.Model):
    """One change of a marketing consent (given or withdrawn): who recorded
    it, when, through which channel and the wording the customer was shown.
    Written by res.partner's create and write only (see
    res_partner_consent_history.py), never edited."""

    _name = "retail.consent.history"
    _description = "Retail Consent History"
    _order = "date desc, id desc"
    _rec_name = "partner_id"

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(
        related="partner_id.company_id", store=True, index=True, string="Company"
    )
    channel = fields.Selection(PREFERRED_CHANNELS, required=True, readonly=True)
    action = fields.Selection(
        [("given", "Given"), ("withdrawn", "Withdrawn")], required=True, readonly=True
    )
    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    consent_date = fields.Date(
        readonly=True, help="The day the consent was signed, when recorded from paper."
    )
    source = fields.Selection(
        CONSENT_SOURCES, string="Through", required=True, readonly=True, default="backoffice"
    )
    user_id = fields.Many2one(
        "res.users",
        string="Recorded By",
        required=True,
        readonly=True,
        default=lambda self: self.env.user,
    )
    wording = fields.Text(readonly=True, help="What the customer was shown or told.")

    @api.model
    def _default_wording(self, channel, action):
        wordings = {
            ("email", "given"): self.env._("I agree to receive offers and news by email."),
            ("sms", "given"): self.env._("I agree to receive offers and news by SMS."),
            ("phone", "given"): self.env._("I agree to be called about offers and news."),
            ("wechat", "given"): self.env._("I agree to receive offers and news on WeChat."),
            ("email", "withdrawn"): self.env._("I no longer want offers and news by email."),
            ("sms", "withdrawn"): self.env._("I no longer want offers and news by SMS."),
            ("phone", "withdrawn"): self.env._("I no longer want calls about offers and news."),
            ("wechat", "withdrawn"): self.env._("I no longer want offers and news on WeChat."),
        }
        return wordings[(channel, action)]
