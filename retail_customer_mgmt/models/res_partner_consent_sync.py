from markupsafe import Markup

from odoo import api, fields, models

# consent channel -> (blacklist model, partner field holding the blacklisted key)
BLACKLISTS = {
    "email": ("mail.blacklist", "email_normalized"),
    "sms": ("phone.blacklist", "phone_sanitized"),
}


class ResPartner(models.Model):
    """Email and SMS consents of the profile, kept in step with Odoo's own
    opt-out mechanisms (``mail.blacklist``, ``phone.blacklist``):

    * a consent withdrawn in the profile blacklists the address, so that no
      mailing of any recipient model (contacts, mailing lists...) reaches it;
    * an address blacklisted elsewhere (the unsubscribe link of a mailing, an
      SMS "STOP" page, the blacklist menu) withdraws the consent, dated, of
      every contact with that address;
    * a consent given again in the profile removes the blacklist entry.

    A consent never given blacklists nothing: mailings on contacts only pick
    consenting customers (``mailing.mailing._get_recipients_domain``).
    """

    _inherit = "res.partner"

    retail_consent_email_withdrawn_date = fields.Date(
        string="Email Consent Withdrawn On",
        readonly=True,
        copy=False,
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_consent_sms_withdrawn_date = fields.Date(
        string="SMS Consent Withdrawn On",
        readonly=True,
        copy=False,
        groups="retail_customer_mgmt.group_retail_user",
    )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if not self.env.context.get("retail_consent_sync"):
            for channel in BLACKLISTS:
                given = partners.filtered(
                    lambda partner, channel=channel: partner[f"retail_consent_{channel}"]
                )
                given._retail_unblacklist(channel)
        return partners

    def write(self, vals):
        if self.env.context.get("retail_consent_sync"):
            return super().write(vals)
        changes = {}
        for channel in BLACKLISTS:
            flag = f"retail_consent_{channel}"
            if flag in vals:
                # sudo: the consent of every partner written is compared, also
                # when the writer may not read consents (a portal user's own
                # contact details, Odoo's own flows)
                before = self.sudo().filtered(flag)
                changes[channel] = (self - before) if vals[flag] else before
        result = super().write(vals)
        for channel, partners in changes.items():
            if vals[f"retail_consent_{channel}"]:
                partners._retail_clear_withdrawn(channel)
                partners._retail_unblacklist(channel)
            else:
                # a contact being forgotten leaves no address in a blacklist
                cleared = "email" if channel == "email" else ("mobile", "phone")
                if any(fname in vals and not vals[fname] for fname in cleared):
                    continue
                partners._retail_mark_withdrawn(channel)
                partners._retail_blacklist(channel)
        return result

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_keys(self, channel):
        field = BLACKLISTS[channel][1]
        return sorted({key for key in self.sudo().mapped(field) if key})

    def _retail_mark_withdrawn(self, channel):
        if self:
            self.sudo().with_context(retail_consent_sync=True).write(
                {f"retail_consent_{channel}_withdrawn_date": fields.Date.context_today(self)}
            )

    def _retail_clear_withdrawn(self, channel):
        fname = f"retail_consent_{channel}_withdrawn_date"
        withdrawn = self.sudo().filtered(fname)
        if withdrawn:
            withdrawn.with_context(retail_consent_sync=True).write({fname: False})

    def _retail_blacklist(self, channel):
        """Blacklist the addresses of ``self`` for ``channel``."""
        keys = self._retail_keys(channel)
        if not keys:
            return
        message = Markup("<p>%s</p>") % self.env._(
            "Marketing consent withdrawn in the customer profile."
        )
        # sudo: the blacklist follows the customer's own choice, recorded by
        # whoever edits the profile (retail users are not marketing users)
        Blacklist = self.env[BLACKLISTS[channel][0]].sudo().with_context(retail_consent_sync=True)
        if channel == "email":
            for key in keys:
                Blacklist._add(key, message=message)
        else:
            Blacklist._add(keys, message=message)

    def _retail_unblacklist(self, channel):
        """Remove the blacklist entries of the addresses of ``self``."""
        keys = self._retail_keys(channel)
        if not keys:
            return
        model = BLACKLISTS[channel][0]
        key_field = "email" if channel == "email" else "number"
        # sudo: see _retail_blacklist
        Blacklist = self.env[model].sudo().with_context(retail_consent_sync=True)
        listed = Blacklist.search([(key_field, "in", keys)])
        if not listed:
            return
        message = Markup("<p>%s</p>") % self.env._(
            "Marketing consent given again in the customer profile."
        )
        if channel == "email":
            for key in listed.mapped("email"):
                Blacklist._remove(key, message=message)
        else:
            Blacklist._remove(listed.mapped("number"), message=message)

    @api.model
    def _retail_withdraw_blacklisted(self, channel, keys):
        """Withdraw, dated, the ``channel`` consent of every consenting contact
        whose address is in ``keys`` (addresses just blacklisted)."""
        keys = [key for key in keys if key]
        if not keys:
            return self.browse()
        # sudo: an unsubscribe link is followed by the public user, the
        # blacklist menu by marketing users: the profile records it either way
        partners = self.sudo().search(
            [(BLACKLISTS[channel][1], "in", keys), (f"retail_consent_{channel}", "=", True)]
        )
        if not partners:
            return partners
        today = fields.Date.context_today(self)
        source = self.env.context.get("retail_consent_source") or "mailing"
        partners.with_context(retail_consent_sync=True, retail_consent_source=source).write(
            {
                f"retail_consent_{channel}": False,
                f"retail_consent_{channel}_date": False,
                f"retail_consent_{channel}_withdrawn_date": today,
            }
        )
        body = {
            "email": self.env._(
                "Email marketing consent withdrawn on %s: the address was blacklisted "
                "(unsubscribe link of a mailing or Email Marketing's blacklist).",
                today,
            ),
            "sms": self.env._(
                "SMS marketing consent withdrawn on %s: the number was blacklisted "
                "(unsubscribe page of an SMS or SMS Marketing's blacklist).",
                today,
            ),
        }[channel]
        for partner in partners:
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
        return partners
