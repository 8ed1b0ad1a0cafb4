from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, new_test_user, tagged

from .common import RetailCommon

PII_FIELDS = ("email", "phone", "mobile", "street", "city", "zip")


@tagged("post_install", "-at_install")
class TestForgetCustomer(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.customer = Partner.create(
            {
                "name": "Wang Fang",
                "email": "wang.fang@example.cn",
                "phone": "+86 21 5555 0101",
                "mobile": "+86 139 0000 0101",
                "street": "88 Huaihai Road",
                "city": "Shanghai",
                "zip": "200031",
                "vat": "CN123456789",
                "website": "https://wangfang.example.cn",
                "comment": "<p>Prefers green tea</p>",
                "retail_birthday": "1988-08-08",
                "retail_wechat_id": "wangfang88",
                "retail_preferred_channel": "wechat",
                "retail_consent_email": True,
                "retail_consent_wechat": True,
            }
        )
        cls.address = Partner.create(
            {
                "name": "Wang Fang (home)",
                "parent_id": cls.customer.id,
                "type": "delivery",
                "street": "9 Home Lane",
                "city": "Suzhou",
                "phone": "+86 512 0000",
            }
        )
        cls.other = Partner.create({"name": "Other Customer", "email": "other@example.cn"})
        cls.manager = cls._retail_user(
            "forget_manager", "retail_customer_mgmt.group_retail_manager"
        )
        cls.retail_user = cls._retail_user("forget_user", "retail_customer_mgmt.group_retail_user")
        # closed history: a paid POS order and a delivered, invoiced and paid sale
        cls.pos_order = cls._pos(cls.customer, 300.0, "2026-10-01 10:00:00")
        cls.sale_order = cls._sale(cls.customer, 200.0, "2026-10-05 10:00:00")
        for picking in cls.sale_order.picking_ids:
            cls._validate_picking(picking)
        invoice = cls.sale_order._create_invoices()
        invoice.action_post()
        cls.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        cls.invoice = invoice

    def _forget(self, partner, user=None):
        wizard = Form(
            self.env["retail.customer.forget"]
            .with_user(user or self.manager)
            .with_context(default_partner_id=partner.id)
        )
        wizard.confirm = True
        return wizard.save().action_forget()

    def test_forget_keeps_orders_figures_and_ledger(self):
        company = self.company_1
        partner = self.customer.with_company(company)
        card = partner.retail_loyalty_card_id
        self.assertTrue(card.points > 0, "the orders earned points")
        history = card.history_ids
        before = (partner.retail_lifetime_spend, partner.retail_order_count, card.points)
        self.assertEqual(before[:2], (500.0, 2))
        self.assertFalse(self.env["retail.customer.forget"]._retail_forget_blockers(self.customer))

        self._forget(self.customer)

        forgotten = self.customer.with_context(active_test=False).with_company(company)
        forgotten.invalidate_recordset()
        self.assertFalse(forgotten.active)
        self.assertEqual(forgotten.name, f"Forgotten Customer {forgotten.id}")
        for fname in (
            "email",
            "phone",
            "mobile",
            "street",
            "city",
            "zip",
            "vat",
            "website",
            "comment",
            "retail_birthday",
            "retail_wechat_id",
            "retail_preferred_channel",
            "retail_consent_email",
            "retail_consent_email_date",
            "retail_consent_wechat",
        ):
            self.assertFalse(forgotten[fname], fname)
        address = self.address.with_context(active_test=False)
        self.assertEqual(
            (address.name, address.street, address.phone, address.active),
            (f"Forgotten Customer {address.id}", False, False, False),
            "contacts and addresses of the customer are forgotten too",
        )
        # orders, figures and ledger kept
        self.assertEqual(self.pos_order.partner_id, forgotten)
        self.assertEqual(self.sale_order.partner_id, forgotten)
        self.assertFalse(self.pos_order.email)
        self.assertEqual(
            (forgotten.retail_lifetime_spend, forgotten.retail_order_count, card.points), before
        )
        self.assertEqual(card.history_ids, history)
        self.assertEqual(card.partner_id, forgotten)
        # no trace of the former values in its chatter, no more messages
        messages = self.env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", forgotten.id)]
        )
        self.assertEqual(len(messages), 1)
        self.assertNotIn("Wang", str(messages.body))
        self.assertFalse(messages.tracking_value_ids)
        self.assertFalse(
            self.env["mail.followers"].search([("partner_id", "in", (forgotten | address).ids)])
        )
        self.assertFalse(forgotten._retail_may_contact("email"))
        # logged in Odoo's privacy log, without the clear data
        log = self.env["privacy.log"].search([], order="id desc", limit=1)
        self.assertEqual(log.user_id, self.manager)
        self.assertEqual(log.anonymized_name, "W*** F***")
        self.assertEqual(log.anonymized_email, "w***.f***@e******.cn")
        self.assertIn(f"Contact #{address.id}", log.execution_details)
        self.assertIn("POS Orders kept: 1", log.records_description)
        # other customers untouched
        self.assertEqual(self.other.email, "other@example.cn")

    def test_forget_cleans_tickets_activities_and_mails(self):
        Feedback = self.env["retail.feedback"]
        ticket = Feedback.create(
            {
                "subject": "Lid cracked",
                "partner_id": self.customer.id,
                "email_cc": "cousin@example.cn",
                "company_id": self.company_1.id,
            }
        )
        ticket.message_post(
            body="Photo attached",
            author_id=self.customer.id,
            email_from="wang.fang@example.cn",
            message_type="comment",
        )
        kept_ticket = Feedback.create(
            {
                "subject": "Other's ticket",
                "partner_id": self.other.id,
                "company_id": self.company_1.id,
            }
        )
        todo = self.env.ref("mail.mail_activity_data_todo")
        for partner in (self.customer, self.address, self.other):
            partner.activity_schedule(activity_type_id=todo.id, summary=f"Call {partner.id}")
        Mail = self.env["mail.mail"]
        queued = Mail.create(
            {"subject": "Offer", "body_html": "<p>Offer</p>", "recipient_ids": self.customer.ids}
        )
        failed = Mail.create(
            {
                "subject": "Offer",
                "body_html": "<p>Offer</p>",
                "recipient_ids": self.address.ids,
                "state": "exception",
            }
        )
        other_mail = Mail.create(
            {"subject": "Offer", "body_html": "<p>Offer</p>", "recipient_ids": self.other.ids}
        )

        self._forget(self.customer)

        self.assertEqual((ticket.partner_email, ticket.email_cc), (False, False))
        self.assertFalse(ticket.message_partner_ids & (self.customer | self.address))
        authored = ticket.message_ids.filtered(lambda m: m.author_id == self.customer)
        self.assertEqual(authored.mapped("email_from"), [False])
        self.assertEqual(kept_ticket.partner_email, "other@example.cn")
        activities = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("summary", "like", "Call ")]
        )
        self.assertEqual(activities.mapped("res_id"), self.other.ids)
        self.assertFalse((queued | failed).exists(), "queued and failed mails deleted")
        self.assertTrue(other_mail.exists())

    def test_open_documents_refuse_and_write_nothing(self):
        quotation = self._sale(self.address, 50.0, "2026-11-01 10:00:00", confirm=False)
        unpaid = self._pos(self.customer, 30.0, "2026-11-02 10:00:00", pay=False)
        to_deliver = self._sale(self.customer, 80.0, "2026-11-03 10:00:00")
        logs = self.env["privacy.log"].search_count([])
        with self.assertRaisesMessage(
            UserError, "cannot be forgotten while documents are open"
        ) as catcher:
            self._forget(self.customer)
        message = str(catcher.exception)
        self.assertIn(f"quotation {quotation.name}", message)
        self.assertIn(f"POS order {unpaid.name} (not paid)", message)
        self.assertIn(f"sales order {to_deliver.name} (not fully invoiced)", message)
        self.assertIn(f"transfer {to_deliver.picking_ids.name} (not done)", message)
        self.assertNotIn(self.invoice.name, message, "the paid invoice is closed")
        self.customer.invalidate_recordset()
        self.assertEqual(
            (self.customer.name, self.customer.email, self.customer.active),
            ("Wang Fang", "wang.fang@example.cn", True),
            "nothing written",
        )
        self.assertEqual(self.address.street, "9 Home Lane")
        self.assertEqual(self.env["privacy.log"].search_count([]), logs)
        # the confirmation screen shows them before anything is tried
        wizard = (
            self.env["retail.customer.forget"]
            .with_user(self.manager)
            .create({"partner_id": self.customer.id})
        )
        self.assertIn(quotation.name, wizard.blockers)

    def test_confirmation_required(self):
        wizard = (
            self.env["retail.customer.forget"]
            .with_user(self.manager)
            .create({"partner_id": self.other.id})
        )
        with self.assertRaisesMessage(UserError, "Tick the confirmation"):
            wizard.action_forget()
        self.assertTrue(self.other.active)

    def test_user_account_refused(self):
        user = new_test_user(self.env, login="forget_portal", groups="base.group_portal")
        with self.assertRaisesMessage(UserError, "forget_portal"):
            self._forget(user.partner_id)
        self.assertTrue(user.partner_id.active)

    def test_only_managers_forget(self):
        for user in (
            self.retail_user,
            self._retail_user("forget_sales", "sales_team.group_sale_salesman"),
        ):
            with self.assertRaises(AccessError, msg=user.login):
                self.env["retail.customer.forget"].with_user(user).create(
                    {"partner_id": self.other.id}
                )
            with self.assertRaises(AccessError, msg=user.login):
                self.other.with_user(user).action_retail_forget()
            with self.assertRaises(AccessError, msg=user.login):
                self.env["retail.customer.forget"].with_user(user)._retail_forget(self.other)
        self.assertTrue(self.other.active)
        action = self.other.with_user(self.manager).action_retail_forget()
        self.assertEqual(action["res_model"], "retail.customer.forget")
        self._forget(self.other)
        self.assertFalse(self.other.with_context(active_test=False).active)
