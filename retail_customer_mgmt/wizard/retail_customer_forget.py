from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

# Personal data erased by "Forget this customer" (besides the name, replaced,
# and the barcode, one value per company). The country stays for statistics.
_FORGOTTEN_FIELDS = (
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "vat",
    "company_registry",
    "website",
    "comment",
    "function",
    "title",
    "image_1920",
    "company_name",
    "partner_latitude",
    "partner_longitude",
    "retail_birthday",
    "retail_wechat_id",
    "retail_preferred_channel",
    "retail_consent_email",
    "retail_consent_sms",
    "retail_consent_phone",
    "retail_consent_wechat",
)


class RetailCustomerForget(models.TransientModel):
    """Confirmation of "Forget this customer" (retail managers only)."""

    _name = "retail.customer.forget"
    _description = "Forget a Customer"

    partner_id = fields.Many2one("res.partner", string="Customer", required=True, readonly=True)
    blockers = fields.Text(compute="_compute_blockers", string="Open Documents")
    kept = fields.Text(
        compute="_compute_blockers",
        help="What is kept, among it what the law requires (posted invoices and payments).",
    )
    confirm = fields.Boolean(
        string="I understand that the personal data of this customer will be erased for good."
    )

    @api.depends("partner_id")
    def _compute_blockers(self):
        for wizard in self:
            partner = wizard.partner_id
            blockers = self._retail_forget_blockers(partner) if partner else []
            wizard.blockers = "\n".join(blockers) or False
            wizard.kept = (
                self._retail_forget_kept(partner, self._retail_forget_family(partner))
                if partner
                else False
            )

    def action_forget(self):
        self.ensure_one()
        if not self.confirm:
            raise UserError(
                self.env._("Tick the confirmation to erase the personal data of the customer.")
            )
        self._retail_forget(self.partner_id)
        return {"type": "ir.actions.act_window_close"}

    # ------------------------------------------------------------------
    # Forgetting
    # ------------------------------------------------------------------
    @api.model
    def _retail_check_forget_rights(self):
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can forget a customer."))

    @api.model
    def _retail_forget_family(self, customers):
        """``customers`` and all their contacts and addresses, archived ones
        included."""
        # sudo: contacts of the customer in every company the manager may not see
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", customers.ids)])
        )

    @api.model
    def _retail_forget_blockers(self, customers):
        """What prevents forgetting ``customers``: a list of
        sentences, one per open document, in every company.

        Open means: a quotation (draft or sent); a confirmed sales order still
        to invoice; a POS order not paid; a transfer (delivery, return) neither
        done nor cancelled; a customer invoice or credit note in draft, or
        posted and not fully paid or reversed.
        """
        family = self._retail_forget_family(customers)
        # sudo: the manager may hold no rights on sales, POS, stock or
        # accounting documents; they must all be closed whoever sees them.
        env = self.sudo().with_context(active_test=False).env
        blockers = []
        for order in env["sale.order"].search(
            [("partner_id", "in", family.ids), ("state", "in", ("draft", "sent"))]
        ):
            blockers.append(self.env._("quotation %s", order.name))
        for order in env["sale.order"].search(
            [
                ("partner_id", "in", family.ids),
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
            ]
        ):
            blockers.append(self.env._("sales order %s (not fully invoiced)", order.name))
        for order in env["pos.order"].search(
            [("partner_id", "in", family.ids), ("state", "=", "draft")]
        ):
            blockers.append(self.env._("POS order %s (not paid)", order.name))
        for picking in env["stock.picking"].search(
            [("partner_id", "in", family.ids), ("state", "not in", ("done", "cancel"))]
        ):
            blockers.append(self.env._("transfer %s (not done)", picking.name))
        for move in env["account.move"].search(
            [
                ("partner_id", "in", family.ids),
                ("move_type", "in", ("out_invoice", "out_refund")),
                "|",
                ("state", "=", "draft"),
                "&",
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        ):
            blockers.append(
                self.env._("invoice %s (not paid)", move.name)
                if move.state == "posted"
                else self.env._("draft invoice %s", move.display_name)
            )
        return blockers

    @api.model
    def _retail_forget(self, customers):
        """Anonymise ``customers`` (and their contacts and
        addresses): personal data erased, consents withdrawn, contact archived;
        orders, purchase figures, grades and the points ledger kept. Logged in
        Privacy Logs.

        Raises a UserError, writing nothing, when documents are still open.
        """
        self._retail_check_forget_rights()
        family = self._retail_forget_family(customers)
        blockers = self._retail_forget_blockers(family)
        if blockers:
            raise UserError(
                self.env._(
                    "%(customer)s cannot be forgotten while documents are open: %(documents)s. "
                    "Finish or cancel them first.",
                    customer=", ".join(customers.mapped("display_name")),
                    documents=", ".join(blockers),
                )
            )
        users = family.with_context(active_test=False).user_ids
        if users:
            raise UserError(
                self.env._(
                    "%(customer)s has a user account (%(logins)s): an administrator must "
                    "delete it before the customer can be forgotten.",
                    customer=", ".join(customers.mapped("display_name")),
                    logins=", ".join(users.mapped("login")),
                )
            )
        env = family.env  # sudo, see _retail_forget_family
        log_vals = [
            {
                "anonymized_name": customer.name or str(customer.id),
                "anonymized_email": customer.email,
                "execution_details": self._retail_forget_details(customer, family),
                "records_description": self._retail_forget_kept(customer, family),
                "additional_note": self.env._(
                    "Forget this customer (Retail): personal data erased, consents withdrawn, "
                    "contact archived; orders, purchase figures and points ledger kept."
                ),
            }
            for customer in customers.sudo()
        ]
        # what other documents copied from the contact, what staff wrote
        # about the customer (see retail_customer_forget_traces.py)
        self._retail_forget_traces(family)
        retained = self._retail_forget_retained(family)
        # no further contact
        env["mail.followers"].search([("partner_id", "in", family.ids)]).unlink()
        env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", family.ids)]
        ).unlink()
        env["mail.mail"].search(
            [("recipient_ids", "in", family.ids), ("state", "in", ("outgoing", "exception"))]
        ).unlink()
        env["retail.recommendation"].search([("partner_id", "in", family.ids)]).unlink()
        # the contact's own chatter holds its former values (tracking)
        env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "in", family.ids)]
        ).unlink()
        for partner in family:
            partner.with_context(tracking_disable=True, retail_consent_source="forget").write(
                {
                    "name": self.env._("Forgotten Customer %s", partner.id),
                    **dict.fromkeys(_FORGOTTEN_FIELDS, False),
                    "active": False,
                }
            )
        family.flush_recordset()
        # company-dependent: one value per company
        self.env.cr.execute(
            SQL("UPDATE res_partner SET barcode = NULL WHERE id = ANY(%s)", family.ids)
        )
        family.invalidate_recordset(["barcode"])
        self._retail_forget_restore_retained(retained)
        logs = env["privacy.log"].create(
            [{**vals, "anonymized_email": vals["anonymized_email"] or "-@-"} for vals in log_vals]
        )
        for log, vals in zip(logs, log_vals, strict=True):
            if not vals["anonymized_email"]:
                log.anonymized_email = self.env._("(no email)")
        self.env["retail.privacy.log"]._retail_log(
            "forget",
            len(customers),
            kind=self.env._("Forget this customer"),
            filter_description=", ".join(f"#{customer.id}" for customer in customers),
        )
        for customer, log in zip(customers.sudo(), logs, strict=True):
            customer.message_post(
                body=self.env._(
                    "Personal data erased by %(user)s (privacy log %(log)s).",
                    user=self.env.user.name,
                    log=log.id,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return logs

    @api.model
    def _retail_forget_details(self, customer, family):
        contacts = family.search([("id", "child_of", customer.id)])
        return "\n".join(
            [self.env._("Anonymised and archived: Contact #%s", partner.id) for partner in contacts]
            + [
                self.env._(
                    "Consents withdrawn; followers, activities, queued mails, "
                    "recommendations and the contact's chatter removed."
                )
            ]
        )

    @api.model
    def _retail_forget_kept(self, customer, family):
        contacts = family.search([("id", "child_of", customer.id)])
        env = family.env
        counts = [
            (self.env._("Sales Orders"), env["sale.order"], "partner_id"),
            (self.env._("POS Orders"), env["pos.order"], "partner_id"),
            (self.env._("Invoices"), env["account.move"], "partner_id"),
            (self.env._("Loyalty Cards"), env["loyalty.card"], "partner_id"),
        ]
        posted = env["account.move"].search_count(
            [("partner_id", "in", contacts.ids), ("state", "=", "posted")]
        )
        retention = self.env._(
            "Posted invoices and payments kept (legal retention): %s. The customer's name "
            "as printed on them stays in the accounting.",
            posted,
        )
        return "\n".join(
            [retention]
            + [
                self.env._(
                    "%(documents)s kept: %(count)s",
                    documents=label,
                    count=model.with_context(active_test=False).search_count(
                        [(fname, "in", contacts.ids)]
                    ),
                )
                for label, model, fname in counts
            ]
        )
