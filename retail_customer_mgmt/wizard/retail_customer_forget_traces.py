from markupsafe import Markup

from odoo import api, models
from odoo.osv.expression import OR
from odoo.tools import SQL

from ..services.privacy import contains_any, redact, search_terms

# The documents of a customer (model -> field pointing to the customer): their
# chatter, activities and free text are searched for the customer's name,
# email and phone. Posted invoices keep what was printed on them (legal
# retention): only their chatter is redacted.
OWN_DOCUMENTS = {
    "retail.feedback": "partner_id",
    "retail.order.exception": "partner_id",
    "sale.order": "partner_id",
    "pos.order": "partner_id",
    "stock.picking": "partner_id",
    "account.move": "partner_id",
    "loyalty.card": "partner_id",
    "repair.order": "partner_id",
}
# free text of those documents that is theirs alone: erased, not redacted
ERASED_TEXT = {
    "retail.feedback": ("description", "resolution", "email_cc", "partner_email"),
    "retail.order.exception": ("detail", "resolution_note", "policy_override_reason"),
}
# documents whose stored text is kept as issued (legal retention)
KEPT_AS_ISSUED = ("account.move",)
# traces searched over every record (not only the customer's documents)
TRACKING_FIELDS = ("old_value_char", "new_value_char")
MESSAGE_FIELDS = ("body", "subject", "email_from", "reply_to", "record_name")


class RetailCustomerForget(models.TransientModel):
    """What "Forget this customer" erases beyond the contact itself: the
    customer's own words (tickets, exceptions, their messages), their name,
    email and phone in what staff wrote about them, tracking values, rating
    comments, blacklist entries, attachments, queued mails and SMS."""

    _inherit = "retail.customer.forget"

    @api.model
    def _retail_forget_terms(self, family):
        return search_terms(
            names=family.mapped("name"),
            emails=family.mapped("email") + family.mapped("email_normalized"),
            phones=family.mapped("phone")
            + family.mapped("mobile")
            + family.mapped("phone_sanitized"),
        )

    @api.model
    def _retail_forget_documents(self, family):
        """``{model: records}`` of the documents of ``family`` (sudo)."""
        env = family.env
        documents = {"res.partner": family}
        for model, fname in OWN_DOCUMENTS.items():
            if model in env:
                documents[model] = (
                    env[model].with_context(active_test=False).search([(fname, "in", family.ids)])
                )
        return documents

    @api.model
    def _retail_forget_traces(self, family):
        """Erase and redact the traces of ``family`` (sudo recordset of the
        customers and their contacts, values not yet erased)."""
        terms = self._retail_forget_terms(family)
        documents = self._retail_forget_documents(family)
        self._retail_forget_own_text(documents)
        self._retail_forget_redact_documents(documents, terms)
        self._retail_forget_messages(family, documents, terms)
        self._retail_forget_tracking(terms)
        self._retail_forget_ratings(family, documents)
        self._retail_forget_blacklists(family)
        self._retail_forget_attachments(family, documents)
        self._retail_forget_queues(family)

    @api.model
    def _retail_forget_retained(self, family):
        """``{move id: customer name}`` of the posted journal entries of
        ``family``: kept as issued (legal retention), though the contact is
        renamed."""
        moves = family.env["account.move"].search(
            [("partner_id", "in", family.ids), ("state", "=", "posted")]
        )
        return {move.id: move.invoice_partner_display_name for move in moves}

    @api.model
    def _retail_forget_restore_retained(self, retained):
        if not retained:
            return
        self.env.flush_all()
        for move_id, name in retained.items():
            self.env.cr.execute(
                SQL(
                    "UPDATE account_move SET invoice_partner_display_name = %s WHERE id = %s",
                    name,
                    move_id,
                )
            )
        self.env["account.move"].browse(list(retained)).invalidate_recordset(
            ["invoice_partner_display_name"]
        )

    @api.model
    def _retail_forget_own_text(self, documents):
        erased = self.env._("(erased)")
        tickets = documents["retail.feedback"].with_context(tracking_disable=True)
        tickets.write({"subject": erased, **dict.fromkeys(ERASED_TEXT["retail.feedback"], False)})
        tickets.filtered("return_override_reason").write({"return_override_reason": False})
        exceptions = documents["retail.order.exception"].with_context(tracking_disable=True)
        exceptions.write(dict.fromkeys(ERASED_TEXT["retail.order.exception"], False))
        documents["pos.order"].write({"email": False, "mobile": False})

    @api.model
    def _retail_text_fields(self, model):
        """Stored free-text fields of ``model`` staff write in: not
        translated, not related, not computed unless editable (a sales
        order's terms and notes are computed from the company's, then
        written by staff)."""
        return [
            fname
            for fname, field in self.env[model]._fields.items()
            if field.type in ("char", "text", "html")
            and field.store
            and not field.related
            and not field.translate
            and not (field.compute and field.readonly)
        ]

    @api.model
    def _retail_forget_redact_documents(self, documents, terms):
        """Redact the name, email and phone in the free text of the
        customer's documents (a note on a sales order naming them...)."""
        for model, records in documents.items():
            if model in KEPT_AS_ISSUED or model == "res.partner" or not records:
                continue
            fnames = self._retail_text_fields(model)
            for record in records:
                vals = {}
                for fname in fnames:
                    value = record[fname]
                    if isinstance(value, str) and contains_any(value, terms):
                        vals[fname] = self._retail_redact_value(value, terms)
                if vals:
                    record.with_context(tracking_disable=True).write(vals)
            self._retail_forget_activities(model, records, terms)

    @api.model
    def _retail_redact_value(self, value, terms):
        redacted = redact(str(value), terms)
        return Markup(redacted) if isinstance(value, Markup) else redacted

    @api.model
    def _retail_forget_activities(self, model, records, terms):
        activities = records.env["mail.activity"].search(
            [("res_model", "=", model), ("res_id", "in", records.ids)]
        )
        for activity in activities:
            vals = {
                fname: self._retail_redact_value(activity[fname], terms)
                for fname in ("summary", "note")
                if contains_any(activity[fname] and str(activity[fname]), terms)
            }
            if vals:
                activity.write(vals)

    @api.model
    def _retail_forget_messages(self, family, documents, terms):
        """The customer's own messages lose their text; every message on
        their documents, or sent to them, is redacted."""
        env = family.env
        domain = OR(
            [
                [("author_id", "in", family.ids)],
                [("partner_ids", "in", family.ids)],
                *(
                    [("model", "=", model), ("res_id", "in", records.ids)]
                    for model, records in documents.items()
                    if records
                ),
            ]
        )
        messages = env["mail.message"].with_context(active_test=False).search(domain)
        erased = Markup("<p>%s</p>") % self.env._("(message of a forgotten customer erased)")
        own = messages.filtered(
            lambda message: (
                message.author_id in family and message.message_type in ("comment", "email")
            )
        )
        own.attachment_ids.unlink()
        own.write({"body": erased, "subject": False, "email_from": False, "reply_to": False})
        for message in messages - own:
            vals = {
                fname: self._retail_redact_value(message[fname], terms)
                for fname in MESSAGE_FIELDS
                if contains_any(message[fname] and str(message[fname]), terms)
            }
            if message.author_id in family and message.email_from:
                vals["email_from"] = False
            if vals:
                message.write(vals)
        # recipients: the customer is no longer listed as notified
        notifications = env["mail.notification"].search([("res_partner_id", "in", family.ids)])
        notifications.unlink()
        messages.filtered(lambda message: message.partner_ids & family).write(
            {"partner_ids": [(3, partner.id) for partner in family]}
        )

    @api.model
    def _retail_forget_tracking(self, terms):
        """Tracking values anywhere holding the name or email (a ticket
        whose customer changed, a contact of a company renamed...)."""
        Tracking = self.env["mail.tracking.value"].sudo()
        if not terms:
            return
        domain = OR([[(fname, "ilike", term)] for term in terms for fname in TRACKING_FIELDS])
        for tracking in Tracking.search(domain):
            tracking.write(
                {
                    fname: redact(tracking[fname], terms)
                    for fname in TRACKING_FIELDS
                    if contains_any(tracking[fname], terms)
                }
            )

    @api.model
    def _retail_forget_ratings(self, family, documents):
        env = family.env
        domain = OR(
            [
                [("partner_id", "in", family.ids)],
                *(
                    [("res_model", "=", model), ("res_id", "in", documents[model].ids)]
                    for model in ("retail.feedback", "repair.order")
                    if documents.get(model)
                ),
            ]
        )
        ratings = env["rating.rating"].search(domain)
        ratings.write({"feedback": False})
        # the record's name as it reads now (a ticket's subject was erased)
        env.add_to_compute(ratings._fields["res_name"], ratings)
        ratings.flush_recordset(["res_name"])

    @api.model
    def _retail_forget_blacklists(self, family):
        env = family.env
        emails = [email for email in family.mapped("email_normalized") if email]
        if emails:
            env["mail.blacklist"].with_context(active_test=False).search(
                [("email", "in", emails)]
            ).unlink()
        numbers = [number for number in family.mapped("phone_sanitized") if number]
        numbers += [number for number in family.mapped("mobile") if number]
        if numbers:
            env["phone.blacklist"].with_context(active_test=False).search(
                [("number", "in", numbers)]
            ).unlink()
        if emails:
            env["retail.feedback.submission"].search([("email", "in", emails)]).unlink()

    @api.model
    def _retail_forget_attachments(self, family, documents):
        """Files on the contact, its tickets and exceptions (photos of a
        complaint, a scanned form); invoices keep their printed copy."""
        env = family.env
        domain = OR(
            [
                [("res_model", "=", model), ("res_id", "in", documents[model].ids)]
                for model in ("res.partner", "retail.feedback", "retail.order.exception")
                if documents[model]
            ]
        )
        if domain:
            env["ir.attachment"].search(domain).unlink()

    @api.model
    def _retail_forget_queues(self, family):
        """Mails and SMS of any state that name the customer as recipient."""
        env = family.env
        emails = [email for email in family.mapped("email_normalized") if email]
        domain = OR(
            [[("recipient_ids", "in", family.ids)], *([("email_to", "ilike", e)] for e in emails)]
        )
        env["mail.mail"].search(domain).unlink()
        if "sms.sms" in env:
            env["sms.sms"].search([("partner_id", "in", family.ids)]).unlink()
        if "mailing.trace" in env:
            traces = env["mailing.trace"].search(
                [("model", "=", "res.partner"), ("res_id", "in", family.ids)]
            )
            traces.write({"email": False, "sms_number": False})
