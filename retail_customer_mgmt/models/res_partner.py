from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

CONSENT_CHANNELS = ("email", "sms", "phone", "wechat")


PREFERRED_CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("phone", "Phone"),
    ("wechat", "WeChat"),
]


class ResPartner(models.Model):
    _inherit = "res.partner"

    retail_birthday = fields.Date(
        string="Birthday",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_preferred_channel = fields.Selection(
        selection=PREFERRED_CHANNELS,
        string="Preferred Channel",
        groups="retail_customer_mgmt.group_retail_user",
        help="How the customer prefers to be contacted.",
    )
    retail_wechat_id = fields.Char(
        string="WeChat ID", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_email = fields.Boolean(
        string="Email Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_email_date = fields.Date(
        string="Email Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_sms = fields.Boolean(
        string="SMS Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_sms_date = fields.Date(
        string="SMS Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_phone = fields.Boolean(
        string="Phone Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_phone_date = fields.Date(
        string="Phone Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_wechat = fields.Boolean(
        string="WeChat Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_wechat_date = fields.Date(
        string="WeChat Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )

    # ------------------------------------------------------------------
    # Constraints and consent dates
    # ------------------------------------------------------------------
    @api.constrains("retail_birthday")
    def _check_retail_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self:
            birthday = partner.retail_birthday
            if not birthday:
                continue
            if birthday > today:
                raise ValidationError(
                    self.env._(
                        "The birthday of %(customer)s (%(date)s) is in the future.",
                        customer=partner.display_name,
                        date=birthday,
                    )
                )
            if birthday.year < 1900:
                raise ValidationError(
                    self.env._(
                        "The birthday of %(customer)s (%(date)s) is before 1900; "
                        "please check the year.",
                        customer=partner.display_name,
                        date=birthday,
                    )
                )

    @api.constrains(
        *[f"retail_consent_{channel}" for channel in CONSENT_CHANNELS],
        *[f"retail_consent_{channel}_date" for channel in CONSENT_CHANNELS],
    )
    def _check_retail_consent_dates(self):
        labels = dict(self._fields["retail_preferred_channel"]._description_selection(self.env))
        # today somewhere on Earth: a consent dated by a user east of this
        # one (a shop in Shanghai, a customer on the portal in UTC) is not
        # in the future
        today = (fields.Datetime.now() + timedelta(hours=14)).date()
        for partner in self:
            for channel in CONSENT_CHANNELS:
                given = partner[f"retail_consent_{channel}"]
                date = partner[f"retail_consent_{channel}_date"]
                if date and not given:
                    raise ValidationError(
                        self.env._(
                            "%(customer)s has a %(channel)s consent date but no "
                            "%(channel)s consent: tick the consent or clear the date.",
                            customer=partner.display_name,
                            channel=labels[channel],
                        )
                    )
                if date and date > today:
                    raise ValidationError(
                        self.env._(
                            "The %(channel)s consent date of %(customer)s (%(date)s) "
                            "is in the future.",
                            customer=partner.display_name,
                            channel=labels[channel],
                            date=date,
                        )
                    )

    def _retail_fill_consent_dates(self, vals):
        """Date a consent when it is given, clear the date when it is withdrawn.

        An explicit date in ``vals`` is kept, so that consents collected on
        paper can be recorded with the day they were signed.
        """
        today = fields.Date.context_today(self)
        for channel in CONSENT_CHANNELS:
            flag, date = f"retail_consent_{channel}", f"retail_consent_{channel}_date"
            if flag in vals and date not in vals:
                vals[date] = today if vals[flag] else False
        return vals

    @api.onchange(*[f"retail_consent_{channel}" for channel in CONSENT_CHANNELS])
    def _onchange_retail_consent(self):
        today = fields.Date.context_today(self)
        for channel in CONSENT_CHANNELS:
            flag, date = f"retail_consent_{channel}", f"retail_consent_{channel}_date"
            if self[flag] and not self[date]:
                self[date] = today
            elif not self[flag]:
                self[date] = False

    def _retail_may_contact(self, channel):
        """The partners of ``self`` who may receive marketing on ``channel``.

        The one consent check of every outgoing marketing message (tier
        upgrade mail, satisfaction request, exception notification, birthday
        greeting, revisit calls): the partner is active, gave the consent of
        the channel and has an address for it (email; phone or mobile for
        phone and SMS; WeChat ID). One query for any number of partners.
        """
        if channel not in CONSENT_CHANNELS:
            raise ValueError(f"Unknown contact channel {channel!r}")
        if not self:
            return self
        number = SQL("(COALESCE(TRIM(phone), '') != '' OR COALESCE(TRIM(mobile), '') != '')")
        address = {
            "email": SQL("COALESCE(TRIM(email), '') != ''"),
            "sms": number,
            "phone": number,
            "wechat": SQL("COALESCE(TRIM(retail_wechat_id), '') != ''"),
        }[channel]
        self.flush_model(
            ["active", "email", "phone", "mobile", "retail_wechat_id", f"retail_consent_{channel}"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) AND active AND %s AND %s",
                self.ids,
                SQL.identifier(f"retail_consent_{channel}"),
                address,
            )
        )
        allowed = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda partner: partner.id in allowed)

    def _retail_consented_channels(self):
        """``{partner id: channels the partner may be contacted on}``: the
        check of ``_retail_may_contact``, one query per channel."""
        consents = {partner.id: set() for partner in self}
        for channel in CONSENT_CHANNELS:
            for partner in self._retail_may_contact(channel):
                consents[partner.id].add(channel)
        return consents

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._retail_fill_consent_dates(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._retail_fill_consent_dates(vals)
        return super().write(vals)

    # ------------------------------------------------------------------
    # Privacy: forget a customer
    # ------------------------------------------------------------------
    def action_retail_forget(self):
        self.ensure_one()
        self.env["retail.customer.forget"]._retail_check_forget_rights()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Forget this Customer"),
            "res_model": "retail.customer.forget",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }
