from lxml import etree

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged

from .common import RetailCommon

PII_FIELDS = ("email", "phone", "mobile", "street", "city", "zip")


@tagged("post_install", "-at_install")
class TestConsentGate(RetailCommon):
    """Every outgoing marketing message goes through _retail_may_contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        address = {"email": "x@example.cn", "phone": "+86 10 1234 5678"}
        cls.willing = Partner.create(
            {
                "name": "Willing Wu",
                **address,
                "street": "1 Road",
                "city": "Beijing",
                "retail_birthday": "1990-06-15",
                "retail_consent_email": True,
                "retail_consent_phone": True,
            }
        )
        cls.unwilling = Partner.create(
            {
                "name": "Unwilling Yu",
                **address,
                "street": "2 Road",
                "city": "Beijing",
                "retail_birthday": "1990-06-15",
            }
        )

    def test_may_contact_per_channel(self):
        Partner = self.env["res.partner"]
        people = Partner.create(
            [
                {"name": "Mail", "email": "m@example.cn", "retail_consent_email": True},
                {"name": "Mail no address", "retail_consent_email": True},
                {"name": "Blank mail", "email": "  ", "retail_consent_email": True},
                {"name": "Mobile", "mobile": "139", "retail_consent_sms": True},
                {"name": "Phone", "phone": "010", "retail_consent_phone": True},
                {"name": "Phone, SMS no", "phone": "010", "retail_consent_sms": False},
                {"name": "WeChat", "retail_wechat_id": "wx_0001", "retail_consent_wechat": True},
                {"name": "WeChat no id", "retail_consent_wechat": True},
                {
                    "name": "Archived",
                    "email": "a@example.cn",
                    "retail_consent_email": True,
                    "active": False,
                },
            ]
        )
        by_name = {p.name: p for p in people}

        def allowed(channel):
            return set(people._retail_may_contact(channel).mapped("name"))

        self.assertEqual(allowed("email"), {"Mail"})
        self.assertEqual(allowed("sms"), {"Mobile"})
        self.assertEqual(allowed("phone"), {"Phone"})
        self.assertEqual(allowed("wechat"), {"WeChat"})
        by_name["Mail"].retail_consent_email = False
        self.assertFalse(allowed("email"), "a withdrawn consent is enforced at once")
        with self.assertRaises(ValueError):
            people._retail_may_contact("fax")
        self.assertFalse(Partner.browse()._retail_may_contact("email"))

    def test_every_marketing_message_checks_consent(self):
        company = self.company_1
        customers = self.willing | self.unwilling
        Mail = self.env["mail.mail"]

        def mailed(subject_part):
            mails = Mail.search([("recipient_ids", "in", customers.ids)])
            return mails.filtered(lambda m: subject_part in (m.subject or "")).recipient_ids

        # tier upgrade mail
        Tier = self.env["retail.tier"]
        for name, spend in (("Normal", 0), ("Gold", 5000)):
            Tier.create({"name": name, "min_spend": spend, "company_id": company.id})
        for partner in customers:
            self._sale(partner, 9000.0, "2026-11-01 10:00:00")
        self.assertEqual(mailed("welcome to"), self.willing)
        # satisfaction request when a ticket is closed
        solved = self.env.ref("retail_customer_mgmt.retail_feedback_stage_solved")
        for partner in customers:
            ticket = self.env["retail.feedback"].create(
                {"subject": "Lid", "partner_id": partner.id, "company_id": company.id}
            )
            ticket.write({"resolution": "<p>New lid sent.</p>", "stage_id": solved.id})
        # (the company's satisfaction survey, by email)
        self.assertEqual(mailed("how did we do"), self.willing)
        self.assertEqual(
            self.env["survey.user_input"].search([("partner_id", "in", customers.ids)]).partner_id,
            self.willing,
        )
        # exception notification
        exceptions = self.env["retail.order.exception"].create(
            [
                {"partner_id": partner.id, "exception_type": "stock", "company_id": company.id}
                for partner in customers
            ]
        )
        exceptions.action_notify_customer()
        self.assertEqual(
            exceptions.filtered(lambda e: e.state == "notified").partner_id, self.willing
        )
        # birthday greeting
        company.partner_id.tz = "UTC"
        with freeze_time("2026-06-15 08:00:00"):
            self.env["retail.birthday.greeting"]._cron_retail_birthday_greetings()
        self.assertEqual(mailed("Happy birthday"), self.willing)
        # revisit calls
        company.retail_followup_user_id = self.env.user
        champions = self.env.ref("retail_customer_mgmt.retail_segment_champions")
        self.env["retail.customer.grade"]._retail_plan_activities(
            company,
            {partner.id: (champions.id, False) for partner in customers},
            {champions.id: champions},
        )
        revisits = self.env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", customers.ids)]
        )
        self.assertEqual(revisits.mapped("res_id"), self.willing.ids)


@tagged("post_install", "-at_install")
class TestPiiAccess(RetailCommon):
    """Birthday, consents and WeChat are retail fields; phone, email and
    address are hidden in the contact screens from users without the group."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._retail_user("pii_salesman", "sales_team.group_sale_salesman")
        cls.retail_user = cls._retail_user(
            "pii_retail", "sales_team.group_sale_salesman,retail_customer_mgmt.group_retail_user"
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Pii Pan",
                "email": "pan@example.cn",
                "retail_wechat_id": "pan_wx",
                "retail_preferred_channel": "wechat",
            }
        )

    def _visible_fields(self, user, view_type):
        arch = (
            self.env["res.partner"]
            .with_user(user)
            .get_views([(False, view_type)])["views"][view_type]["arch"]
        )
        tree = etree.fromstring(arch)
        shown = set()
        for node in tree.iter("field"):
            hidden = node.get("invisible") in ("True", "1") or node.get("column_invisible") in (
                "True",
                "1",
            )
            if not hidden:
                shown.add(node.get("name"))
        return shown

    def test_retail_fields_reserved_to_retail_users(self):
        customer = self.customer.with_user(self.salesman)
        for fname in (
            "retail_birthday",
            "retail_wechat_id",
            "retail_preferred_channel",
            "retail_consent_wechat",
            "retail_recommendation_ids",
        ):
            with self.assertRaises(AccessError, msg=fname):
                customer.read([fname])
        self.assertEqual(self.customer.with_user(self.retail_user).retail_wechat_id, "pan_wx")

    def test_contact_details_hidden_in_contact_screens(self):
        for view_type in ("form", "list", "kanban"):
            with self.subTest(view_type=view_type):
                hidden = set(PII_FIELDS) & self._visible_fields(self.salesman, view_type)
                self.assertFalse(hidden, f"{view_type}: {hidden} shown to a salesman")
                self.assertIn("email", self._visible_fields(self.retail_user, view_type), view_type)
        # the sale goes on: the salesman still sells to the customer
        order = (
            self.env["sale.order"].with_user(self.salesman).create({"partner_id": self.customer.id})
        )
        self.assertEqual(order.partner_id, self.customer)

    def test_setting_shows_contact_details_to_all_employees(self):
        # sudo: Settings are for administrators
        settings = self.env["res.config.settings"].sudo().create({})
        self.assertFalse(settings.group_retail_contact_details)
        settings.group_retail_contact_details = True
        settings.execute()
        self.assertTrue(
            self.salesman.has_group("retail_customer_mgmt.group_retail_contact_details")
        )
        self.assertIn("email", self._visible_fields(self.salesman, "form"))
        # birthdays and consents stay reserved
        with self.assertRaises(AccessError):
            self.customer.with_user(self.salesman).read(["retail_wechat_id"])


@tagged("post_install", "-at_install")
class TestPiiUi(HttpCase):
    def test_contact_form_without_contact_details(self):
        """A salesman opens a company with contacts: no JavaScript error, no
        email, phone or address shown."""
        company = self.env["res.partner"].create(
            {
                "name": "UI Hidden Co",
                "is_company": True,
                "email": "hidden@example.cn",
                "phone": "+86 10 9999",
                "street": "Secret Street 1",
                "child_ids": [
                    Command.create({"name": "UI Hidden Contact", "email": "c@example.cn"}),
                    Command.create(
                        {"name": "UI Hidden Address", "type": "delivery", "city": "Hidden City"}
                    ),
                ],
            }
        )
        new_test_user(self.env, login="ui_salesman", groups="sales_team.group_sale_salesman")
        code = """
            const deadline = Date.now() + 30000;
            (async () => {
                while (!document.querySelector(".o_form_view .o_field_widget[name='name']")) {
                    if (Date.now() > deadline) { throw new Error("form not rendered"); }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                const text = document.querySelector(".o_form_view").innerText;
                for (const secret of ["hidden@example.cn", "Secret Street", "9999",
                                      "c@example.cn", "Hidden City"]) {
                    if (text.includes(secret)) { throw new Error("shown: " + secret); }
                }
                if (!text.includes("UI Hidden Contact")) { throw new Error("contacts missing"); }
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        action = self.env.ref("contacts.action_contacts")
        self.browser_js(
            f"/odoo/action-{action.id}/{company.id}",
            code,
            ready="",
            login="ui_salesman",
            timeout=120,
        )
