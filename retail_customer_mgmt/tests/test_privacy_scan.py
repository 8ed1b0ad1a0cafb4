from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common import RetailCommon
from .privacy_common import scan_database, scan_rows

NAME = "Zhao Lingyun"
EMAIL = "zhao.lingyun@example.cn"
PHONE = "+86 139 1234 5678"
MOBILE = "+86 138 8765 4321"
TERMS = (NAME, EMAIL, PHONE, MOBILE)


@tagged("post_install", "-at_install")
class TestForgetLeavesNoTrace(RetailCommon):
    """A customer who bought, wrote in and complained is forgotten; every
    text column of every table is then searched for their name, email and
    phone: nothing remains outside the legal retention (posted invoices)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # changes are tracked, as in production
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=False, mail_notrack=False))
        company = cls.company_1
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {
                "name": NAME,
                "email": EMAIL,
                "phone": PHONE,
                "mobile": MOBILE,
                "street": "12 Nanjing Road",
                "city": "Shanghai",
                "retail_consent_email": True,
                "retail_consent_sms": True,
            }
        )
        cls.address = Partner.create(
            {
                "name": f"{NAME} (office)",
                "parent_id": cls.customer.id,
                "type": "delivery",
                "street": "3 Office Park",
            }
        )
        cls.other = Partner.create({"name": "Bystander Bo", "email": "bo@example.cn"})
        cls.manager = cls._retail_user(
            "scan_manager", "base.group_user,retail_customer_mgmt.group_retail_manager"
        )
        # bought: at the till (contact copied on the order) and online, invoiced and paid
        cls.pos_order = cls._pos(cls.customer, 120.0, "2026-10-01 10:00:00")
        cls.pos_order.write({"email": EMAIL, "mobile": MOBILE})
        cls.sale_order = cls._sale(cls.customer, 200.0, "2026-10-05 10:00:00")
        for picking in cls.sale_order.picking_ids:
            cls._validate_picking(picking)
        cls.invoice = cls.sale_order._create_invoices()
        cls.invoice.action_post()
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=cls.invoice.ids
        ).create({})._create_payments()
        staff_note = f"Called {NAME} on {PHONE}, confirmation sent to {EMAIL}."
        cls.sale_order.message_post(body=staff_note, message_type="comment")
        cls.sale_order.note = f"<p>Leave at the door for {NAME}, call {PHONE}</p>"
        cls.sale_order.activity_schedule(
            "mail.mail_activity_data_call", summary=f"Call back {NAME}", note=staff_note
        )
        # wrote in: a ticket, first filed on someone else (tracked change)
        cls.ticket = cls.env["retail.feedback"].create(
            {
                "subject": f"{NAME}: cracked lid",
                "description": f"<p>Reach me at {PHONE} or {EMAIL}</p>",
                "partner_id": cls.other.id,
                "email_cc": EMAIL,
                "company_id": company.id,
            }
        )
        cls._end_transaction()  # what a transaction creates is tracked from the next one
        cls.ticket.write({"partner_id": cls.customer.id, "subject": f"{NAME}: cracked lid (2)"})
        cls.ticket.resolution = f"<p>Replacement sent to {NAME}</p>"
        cls.ticket.message_post(
            body=f"My phone is {MOBILE}",
            author_id=cls.customer.id,
            email_from=f'"{NAME}" <{EMAIL}>',
            message_type="email",
        )
        cls.ticket.message_post(
            body=f"Spoke to {NAME} ({MOBILE})",
            message_type="comment",
            partner_ids=cls.customer.ids,
        )
        cls.env["rating.rating"].create(
            {
                "res_model_id": cls.env["ir.model"]._get_id("retail.feedback"),
                "res_id": cls.ticket.id,
                "partner_id": cls.customer.id,
                "rating": 2,
                "feedback": f"{NAME} here: slow answer",
                "consumed": True,
            }
        )
        cls.env["ir.attachment"].create(
            [
                {
                    "name": f"{NAME} receipt.txt",
                    "raw": f"{NAME} {PHONE}".encode(),
                    "res_model": model,
                    "res_id": record.id,
                }
                for model, record in (
                    ("res.partner", cls.customer),
                    ("retail.feedback", cls.ticket),
                )
            ]
        )
        # complained: an order exception with staff notes
        cls.exception = cls.env["retail.order.exception"].create(
            {
                "exception_type": "product",
                "product_id": cls.product.id,
                "partner_id": cls.customer.id,
                "sale_order_id": cls.sale_order.id,
                "company_id": company.id,
                "detail": f"Late order of {NAME}",
                "resolution_note": f"{NAME} agreed by phone ({PHONE})",
            }
        )
        # answered the satisfaction survey after the ticket, with a comment
        survey = cls.env.ref("retail_customer_mgmt.survey_retail_satisfaction").sudo()
        answer = survey._create_answer(
            partner=cls.customer,
            check_attempts=False,
            retail_company_id=company.id,
            retail_trigger="ticket",
            retail_feedback_id=cls.ticket.id,
        )
        answer._save_lines(
            cls.env.ref("retail_customer_mgmt.survey_retail_satisfaction_recommend"), "3"
        )
        answer._save_lines(
            cls.env.ref("retail_customer_mgmt.survey_retail_satisfaction_comment"),
            f"{NAME} here, call me on {MOBILE}",
        )
        answer._mark_done()
        cls.survey_answer = answer
        # changed their email once (tracked), then withdrew email marketing
        # (the address goes to Odoo's blacklist)
        cls.customer.email = "zhao.old@example.cn"
        cls.customer.email = EMAIL
        cls.customer.retail_consent_email = False
        cls._end_transaction()

    @classmethod
    def _end_transaction(cls):
        """What a commit does before committing: tracking values and bus
        notifications are written."""
        cls.env.flush_all()
        cls.env.cr.flush()

    def _forget(self):
        # the confirmation lists what the law keeps before anything is erased
        confirmation = (
            self.env["retail.customer.forget"]
            .with_user(self.manager)
            .create({"partner_id": self.customer.id})
        )
        self.assertIn("Posted invoices and payments kept (legal retention): 2", confirmation.kept)
        wizard = Form(
            self.env["retail.customer.forget"]
            .with_user(self.manager)
            .with_context(default_partner_id=self.customer.id)
        )
        wizard.confirm = True
        wizard.save().action_forget()

    def _scan(self):
        self._end_transaction()
        return scan_database(self.env.cr, TERMS)

    def test_forget_leaves_no_trace(self):
        before = self._scan()
        # the scan finds the traces forgetting must erase (it would find a leftover)
        for table, column in (
            ("res_partner", "name"),
            ("res_partner", "email"),
            ("pos_order", "email"),
            ("retail_feedback", "subject"),
            ("retail_feedback", "description"),
            ("retail_feedback", "resolution"),
            ("retail_order_exception", "resolution_note"),
            ("mail_message", "body"),
            ("mail_message", "email_from"),
            ("mail_tracking_value", "old_value_char"),
            ("mail_tracking_value", "new_value_char"),
            ("mail_activity", "summary"),
            ("sale_order", "note"),
            ("rating_rating", "feedback"),
            ("mail_blacklist", "email"),
            ("ir_attachment", "name"),
            ("account_move", "invoice_partner_display_name"),
            ("survey_user_input", "email"),
            ("survey_user_input", "nickname"),
            ("survey_user_input_line", "value_text_box"),
        ):
            self.assertIn((table, column), before, f"{table}.{column} before forgetting")

        self._forget()

        after = self._scan()
        # legal retention: what was printed on the posted invoice
        retained = {("account_move", "invoice_partner_display_name")}
        self.assertEqual(set(after) - retained, set(), "personal data left after forgetting")
        self.assertIn(("account_move", "invoice_partner_display_name"), after)
        self.assertEqual(
            self.invoice.invoice_partner_display_name, NAME, "the posted invoice as issued"
        )
        self.assertEqual(
            scan_rows(
                self.env.cr,
                "account_move",
                "invoice_partner_display_name",
                TERMS,
                SQL("state != 'posted'"),
            ),
            [],
            "only posted entries (the invoice and its payment) keep the name",
        )
        # the survey answer still counts, anonymous
        self.assertFalse(self.survey_answer.partner_id)
        self.assertEqual(
            self.env["retail.satisfaction.report"]
            .search([("user_input_id", "=", self.survey_answer.id)])
            .mapped("score"),
            [3],
        )
        # the bystander, first on the ticket, keeps their data
        self.assertEqual(self.other.email, "bo@example.cn")
        self.assertIn("Bystander Bo", self.other.name)
        self.assertIn(("res_partner", "name"), scan_database(self.env.cr, ["Bystander Bo"]))
        # the consents withdrawn by the forget are in the consent history
        history = self.env["retail.consent.history"].search(
            [("partner_id", "=", self.customer.id), ("source", "=", "forget")]
        )
        self.assertEqual(history.mapped("channel"), ["sms"])
        self.assertEqual(history.action, "withdrawn")
        # the confirmation lists what the law keeps
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertIn(
            "Posted invoices and payments kept (legal retention): 2", log.records_description
        )
