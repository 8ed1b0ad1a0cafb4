import json
from io import BytesIO

import openpyxl

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, freeze_time, new_test_user, tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestPrivacyRights(RetailCommon):
    """Copy of a customer's data, consent history, access log and the
    candidates for anonymisation, as each role calls them directly."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_1
        cls.portal_user = new_test_user(
            cls.env, login="copy_portal", groups="base.group_portal", name="Copy Cao"
        )
        cls.customer = cls.portal_user.partner_id
        cls.customer.write(
            {"email": "cao@example.cn", "phone": "+86 21 0000 1111", "retail_consent_sms": True}
        )
        cls.other = cls.env["res.partner"].create(
            {"name": "Other Ou", "email": "ou@example.cn", "company_id": company.id}
        )
        cls.manager = cls._retail_user(
            "copy_manager",
            "base.group_user,base.group_allow_export,retail_customer_mgmt.group_retail_manager",
        )
        cls.manager_2 = cls._retail_user(
            "copy_manager_2",
            "base.group_user,retail_customer_mgmt.group_retail_manager",
            company=cls.company_2,
        )
        cls.retail_user = cls._retail_user(
            "copy_user", "base.group_user,retail_customer_mgmt.group_retail_user"
        )
        cls.salesperson = cls._retail_user(
            "copy_sales", "base.group_user,sales_team.group_sale_salesman"
        )
        cls.cashier = cls._retail_user(
            "copy_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.pos_order = cls._pos(cls.customer, 88.0, "2026-10-03 10:00:00")
        cls.ticket = cls.env["retail.feedback"].create(
            {"subject": "Teapot lid", "partner_id": cls.customer.id, "company_id": company.id}
        )
        cls.Log = cls.env["retail.privacy.log"]

    def _logs(self, action):
        return self.Log.search([("action", "=", action)])

    # ------------------------------------------------------------------
    # Copy of the data
    # ------------------------------------------------------------------
    def test_manager_copy_has_every_section(self):
        data = self.customer.with_user(self.manager)._retail_data_copy()
        self.assertEqual(
            set(data),
            {
                "profile",
                "consents",
                "consent_history",
                "orders",
                "points",
                "tiers",
                "tickets",
                "grades",
            },
        )
        self.assertEqual(data["profile"]["name"], "Copy Cao")
        self.assertEqual(data["profile"]["email"], "cao@example.cn")
        sms = next(row for row in data["consents"] if row["channel"] == "sms")
        self.assertTrue(sms["given"])
        self.assertEqual(sms["date"], fields.Date.context_today(self.customer).isoformat())
        self.assertEqual(
            [(row["channel"], row["action"]) for row in data["consent_history"]],
            [("sms", "given")],
        )
        self.assertEqual(
            [(row["reference"], row["total"]) for row in data["orders"]],
            [(self.pos_order.name, 88.0)],
        )
        self.assertTrue(
            any(row["issued"] > 0 for row in data["points"]), "the earn of the order is listed"
        )
        self.assertEqual([row["subject"] for row in data["tickets"]], ["Teapot lid"])
        # machine readable and for people
        Partner = self.env["res.partner"]
        content, mimetype, extension = Partner._retail_data_copy_file(data, "json")
        self.assertEqual((mimetype, extension), ("application/json", "json"))
        self.assertEqual(json.loads(content)["profile"]["name"], "Copy Cao")
        content, _mimetype, extension = Partner._retail_data_copy_file(data, "xlsx")
        book = openpyxl.load_workbook(BytesIO(content))
        self.assertEqual(extension, "xlsx")
        self.assertEqual(book.sheetnames, list(data))
        orders = list(book["orders"].iter_rows(values_only=True))
        self.assertEqual(orders[1][0], self.pos_order.name)
        # accounted for
        log = self._logs("copy")
        self.assertEqual((log.user_id, log.record_count), (self.manager, 1))

    def test_copies_of_others_refused(self):
        for user in (self.retail_user, self.salesperson, self.cashier, self.portal_user):
            with self.assertRaisesMessage(AccessError, "only download a copy of your own data"):
                self.other.with_user(user)._retail_data_copy()
            with self.assertRaises(AccessError, msg=user.login):
                self.other.with_user(user).action_retail_data_copy()
        # a manager of another company does not read this company's customer
        with self.assertRaises(AccessError):
            self.other.with_user(self.manager_2)._retail_data_copy()
        self.assertFalse(self._logs("copy"), "nothing logged for a refusal")
        # the portal user's own copy
        data = self.customer.with_user(self.portal_user)._retail_data_copy()
        self.assertEqual(data["profile"]["name"], "Copy Cao")
        self.assertEqual(len(self._logs("copy")), 1)

    # ------------------------------------------------------------------
    # Consent history
    # ------------------------------------------------------------------
    def test_consent_history_records_every_path(self):
        History = self.env["retail.consent.history"]
        partner = self.other
        partner.with_user(self.retail_user).retail_consent_email = True
        partner.with_context(retail_consent_source="pos").retail_consent_sms = True
        partner.with_context(retail_consent_source="pos").retail_consent_sms = False
        # a mailing's unsubscribe link blacklists the address
        self.env["mail.blacklist"].sudo()._add("ou@example.cn")
        partner.with_context(retail_consent_source="no-such-source").retail_consent_phone = True
        rows = History.search([("partner_id", "=", partner.id)], order="id")
        self.assertEqual(
            [(row.channel, row.action, row.source) for row in rows],
            [
                ("email", "given", "backoffice"),
                ("sms", "given", "pos"),
                ("sms", "withdrawn", "pos"),
                ("email", "withdrawn", "mailing"),
                ("phone", "given", "backoffice"),
            ],
        )
        self.assertEqual(rows[0].user_id, self.retail_user)
        self.assertEqual(rows[0].wording, "I agree to receive offers and news by email.")
        self.assertEqual(rows[0].consent_date, fields.Date.context_today(partner))
        self.assertFalse(partner.retail_consent_email)
        # the context wording is kept; a write that changes nothing records nothing
        partner.with_context(retail_consent_wording="Paper form 12").retail_consent_wechat = True
        partner.retail_consent_wechat = True
        wechat = History.search([("partner_id", "=", partner.id), ("channel", "=", "wechat")])
        self.assertEqual(wechat.mapped("wording"), ["Paper form 12"])
        # read by retail users, written by nobody directly
        self.assertTrue(History.with_user(self.retail_user).search_count([]))
        for user in (self.retail_user, self.manager):
            with self.assertRaises(AccessError):
                History.with_user(user).create(
                    {"partner_id": partner.id, "channel": "email", "action": "given"}
                )
            with self.assertRaises(AccessError):
                rows[0].with_user(user).unlink()
        for user in (self.salesperson, self.cashier, self.portal_user):
            with self.assertRaises(AccessError):
                History.with_user(user).search_read([], ["wording"])

    # ------------------------------------------------------------------
    # Access log
    # ------------------------------------------------------------------
    def test_exports_and_forget_are_logged(self):
        # Odoo's list export of contacts
        partners = self.env["res.partner"].search([("id", "in", (self.customer | self.other).ids)])
        partners.with_user(self.manager).export_data(["name", "email"])
        log = self._logs("list_export")
        self.assertEqual((log.user_id, log.record_count), (self.manager, 2))
        self.assertEqual(log.filter_description, "name, email")
        # an XLSX export of the Retail app
        env = self.env(user=self.retail_user, context={"allowed_company_ids": self.company_1.ids})
        env["retail.dashboard"]._retail_xlsx(
            "customers",
            self.company_1,
            fields.Date.to_date("2026-10-01"),
            fields.Date.to_date("2026-10-31"),
            BytesIO(),
        )
        log = self._logs("export")
        self.assertEqual((log.user_id, log.company_id), (self.retail_user, self.company_1))
        self.assertEqual(log.filter_description, "2026-10-01 - 2026-10-31")
        self.assertGreaterEqual(log.record_count, 1)
        # a forget
        wizard = Form(
            self.env["retail.customer.forget"]
            .with_user(self.manager)
            .with_context(default_partner_id=self.other.id)
        )
        wizard.confirm = True
        wizard.save().action_forget()
        log = self._logs("forget")
        self.assertEqual((log.record_count, log.filter_description), (1, f"#{self.other.id}"))
        # managers read the log, nobody else; nobody writes it
        self.assertEqual(self.Log.with_user(self.manager).search_count([]), 3)
        for user in (self.retail_user, self.salesperson, self.cashier, self.portal_user):
            with self.assertRaises(AccessError, msg=user.login):
                self.Log.with_user(user).search_read([], ["user_id"])
        with self.assertRaises(AccessError):
            log.with_user(self.manager).unlink()
        # the other company's manager does not see this company's log
        self.assertFalse(
            self.Log.with_user(self.manager_2).search([("company_id", "=", self.company_1.id)])
        )

    # ------------------------------------------------------------------
    # Candidates for anonymisation
    # ------------------------------------------------------------------
    def test_inactive_customers_proposed_never_erased(self):
        Partner = self.env["res.partner"]
        old_buyer = Partner.create({"name": "Old Buyer Bai", "email": "bai@example.cn"})
        recent_buyer = Partner.create({"name": "Recent Buyer Ren"})
        self._pos(old_buyer, 10.0, "2020-03-01 10:00:00")
        self._pos(recent_buyer, 10.0, "2020-03-01 10:00:00")
        self._pos(recent_buyer, 10.0, "2026-06-01 10:00:00")
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE res_partner SET create_date = '2019-01-01' WHERE id IN %s",
            [(old_buyer.id, recent_buyer.id)],
        )
        self.env["ir.config_parameter"].sudo().set_param(
            "retail_customer_mgmt.anonymize_after_years", 5
        )
        with freeze_time("2026-11-20 08:00:00"):
            proposed = Partner._cron_retail_anonymize_candidates()
        self.assertIn(old_buyer, proposed)
        self.assertNotIn(recent_buyer, proposed)
        self.assertNotIn(self.customer, proposed, "a user account is never proposed")
        self.assertEqual(str(old_buyer.retail_anonymize_proposed), "2026-11-20")
        self.assertEqual(old_buyer.email, "bai@example.cn", "nothing erased")
        self.assertTrue(old_buyer.active)
        # with 7 years, the 2020 purchase is recent enough
        self.env["ir.config_parameter"].sudo().set_param(
            "retail_customer_mgmt.anonymize_after_years", 7
        )
        with freeze_time("2026-11-21 08:00:00"):
            proposed = Partner._cron_retail_anonymize_candidates()
        self.assertNotIn(old_buyer, proposed)
        self.assertFalse(old_buyer.retail_anonymize_proposed)
        # the setting refuses less than a year
        with self.assertRaisesMessage(ValidationError, "at least one year"):
            self.env["res.config.settings"].create({"retail_anonymize_after_years": 0})

    def test_inactive_customers_job_query_count(self):
        """The job's queries do not grow with the number of customers."""
        Partner = self.env["res.partner"]

        def old_customers(count):
            partners = Partner.create(
                [{"name": f"Dormant {i}", "customer_rank": 1} for i in range(count)]
            )
            self.env.flush_all()
            self.env.cr.execute(
                "UPDATE res_partner SET create_date = '2015-01-01' WHERE id IN %s",
                [tuple(partners.ids)],
            )
            partners.invalidate_recordset()
            return partners

        def run():
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time("2026-11-20 08:00:00"):
                proposed = Partner._cron_retail_anonymize_candidates()
            self.env.flush_all()
            return proposed, self.env.cr.sql_log_count - before

        few = old_customers(3)
        proposed, _warmup = run()
        self.assertLessEqual(few, proposed)
        few.write({"retail_anonymize_proposed": False})
        proposed, queries_few = run()
        many = old_customers(30)
        few.write({"retail_anonymize_proposed": False})
        proposed, queries_many = run()
        self.assertLessEqual(few | many, proposed)
        self.assertGreater(queries_few, 3)
        self.assertEqual(queries_many, queries_few)
