import logging

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..services.profile import POS_PROFILE_FIELDS, profile_changes, wechat_id_valid

_logger = logging.getLogger(__name__)


class ResPartner(models.Model):
    """The customer profile as the till edits it: birthday, preferred channel,
    WeChat ID and the consent of each channel, through the same write (and
    so the same constraints and consent dates) as the back office."""

    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("retail_wechat_id")
    def _check_retail_wechat_id(self):
        for partner in self:
            wechat = (partner.retail_wechat_id or "").strip()
            if not wechat_id_valid(wechat):
                raise ValidationError(
                    self.env._(
                        "The WeChat ID of %(customer)s (%(wechat)s) is not valid: a WeChat ID "
                        'has 6 to 20 letters, digits, "_" or "-" and starts with a letter.',
                        customer=partner.display_name,
                        wechat=wechat,
                    )
                )

    # ------------------------------------------------------------------
    # Point of Sale: the profile editor of the till
    # ------------------------------------------------------------------
    def _retail_pos_check_editor(self):
        """Cashiers and retail users edit the profile of the customers they
        see (cashiers do not need Odoo's right to edit contacts: the till
        writes the profile fields only); anybody else gets a clear refusal."""
        user = self.env.user
        if not (
            user.has_group("point_of_sale.group_pos_user")
            or user.has_group("retail_customer_mgmt.group_retail_user")
        ):
            raise AccessError(
                self.env._("Only cashiers and retail users edit customer profiles at the till.")
            )
        self.check_access("read")

    def _retail_pos_profile_values(self):
        self.ensure_one()
        # sudo: cashiers read the profile fields they edit at the till
        values = self.sudo().read(list(POS_PROFILE_FIELDS))[0]
        values.pop("id", None)
        if values["retail_birthday"]:
            values["retail_birthday"] = fields.Date.to_string(values["retail_birthday"])
        return values

    def retail_pos_profile_read(self):
        """The profile fields the till's editor shows, for cashiers too."""
        self.ensure_one()
        self._retail_pos_check_editor()
        return self._retail_pos_profile_values()

    def retail_pos_save_profile(self, vals, edit_uuid, offline=False):
        """Save what the cashier changed in the till's profile editor.

        :param vals: ``{field: value}`` of the fields the cashier touched
        :param edit_uuid: the edit's key, given by the till; the same key
            sent again (a retry, an offline edit synced) changes nothing
        :param offline: the edit was queued while the till was offline; a
            bad value then cannot be corrected by the cashier any more: it is
            not written, the edit is recorded as refused and the customer's
            chatter says why, instead of an error that would block the till's
            queue of offline calls
        :return: the profile as saved, and ``replayed`` when the key was known
        """
        self.ensure_one()
        self._retail_pos_check_editor()
        if not isinstance(vals, dict) or not edit_uuid or not isinstance(edit_uuid, str):
            raise UserError(self.env._("The till sent an incomplete profile edit."))
        if not self._retail_pos_claim_edit(edit_uuid):
            return {"replayed": True, "profile": self._retail_pos_profile_values()}
        try:
            with self.env.cr.savepoint():
                changed = self._retail_pos_save_profile(vals, edit_uuid)
        except (UserError, ValidationError) as error:
            if not offline:
                raise
            self._retail_pos_refuse_edit(edit_uuid, error)
            return {"refused": str(error.args[0]), "profile": self._retail_pos_profile_values()}
        self._retail_pos_record_edit(edit_uuid, changed)
        return {"changed": changed, "profile": self._retail_pos_profile_values()}

    def _retail_pos_save_profile(self, vals, edit_uuid):
        """Write the changes of a till's edit on the profile, through the
        normal write (constraints, consent dates, blacklists, history), with
        ``retail_consent_source='pos'`` in the context."""
        self.ensure_one()
        changes, unknown = profile_changes(self._retail_pos_profile_values(), vals)
        if unknown:
            raise UserError(
                self.env._(
                    "The till may not change these fields of a customer: %s.", ", ".join(unknown)
                )
            )
        channel = changes.get("retail_preferred_channel")
        labels = dict(self._fields["retail_preferred_channel"].selection)
        if channel and channel not in labels:
            raise ValidationError(
                self.env._(
                    "%(channel)s is not a contact channel: choose one of %(channels)s.",
                    channel=channel,
                    channels=", ".join(labels.values()),
                )
            )
        if changes.get("retail_birthday"):
            try:
                fields.Date.to_date(changes["retail_birthday"])
            except ValueError as error:
                raise ValidationError(
                    self.env._(
                        "%s is not a date: enter the birthday as year, month and day.",
                        changes["retail_birthday"],
                    )
                ) from error
        changed = sorted(changes)
        if changes:
            # sudo: cashiers are not retail users; what they may change is
            # the list above, checked by the same constraints as the back
            # office; the history of consents records the till as source
            self.sudo().with_context(
                retail_consent_source="pos", retail_pos_edit_uuid=edit_uuid
            ).write(changes)
        return changed

    def _retail_pos_claim_edit(self, edit_uuid):
        """True when ``edit_uuid`` is new: its row is inserted now (a
        concurrent replay waits for this transaction, then finds it)."""
        company = self.company_id or self.env.company
        self.env.cr.execute(
            SQL(
                """INSERT INTO retail_pos_profile_edit
                       (uuid, partner_id, company_id, state, create_uid, write_uid,
                        create_date, write_date)
                   VALUES (%s, %s, %s, 'applied', %s, %s, now() at time zone 'UTC',
                           now() at time zone 'UTC')
                   ON CONFLICT (uuid) DO NOTHING
                   RETURNING id""",
                edit_uuid,
                self.id,
                company.id,
                self.env.uid,
                self.env.uid,
            )
        )
        return bool(self.env.cr.fetchone())

    def _retail_pos_edit(self, edit_uuid):
        # sudo: the key is the till's, recorded whatever the cashier may read
        return self.env["retail.pos.profile.edit"].sudo().search([("uuid", "=", edit_uuid)])

    def _retail_pos_record_edit(self, edit_uuid, changed):
        self._retail_pos_edit(edit_uuid).changed_fields = ", ".join(changed) or False

    def _retail_pos_refuse_edit(self, edit_uuid, error):
        self._retail_pos_edit(edit_uuid).state = "refused"
        _logger.info("Offline profile edit %s of partner %s refused: %s", edit_uuid, self.id, error)
        # sudo: the note tells the back office what the till could not save
        self.sudo().message_post(
            body=self.env._(
                "A profile edit made at the till while it was offline was not saved: %s",
                error.args[0],
            ),
            subtype_xmlid="mail.mt_note",
        )
