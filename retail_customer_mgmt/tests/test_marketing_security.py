from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .marketing_common import RetailMarketingCommon


@tagged("post_install", "-at_install")
class TestMarketingSecurity(RetailMarketingCommon):
    """What each group gets when it calls the campaign methods over RPC (every
    public method is), with its own rights: a clear error, nothing written."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.salesman = cls._retail_user("mkt_salesman", "sales_team.group_sale_salesman")
        cls.cashier = cls._retail_user("mkt_cashier", "point_of_sale.group_pos_user")
        cls.portal = cls._retail_user("mkt_portal", "base.group_portal")
        cls.marketing_only = cls._retail_user(
            "mkt_marketing_only", "base.group_user,mass_mailing.group_mass_mailing_user"
        )
        cls.retail_only = cls._retail_user(
            "mkt_retail_only", "base.group_user,retail_customer_mgmt.group_retail_user"
        )
        cls.other_company = new_test_user(
            cls.env,
            login="mkt_other_company",
            groups="base.group_user,mass_mailing.group_mass_mailing_user,"
            "retail_customer_mgmt.group_retail_user",
            company_id=cls.company_2.id,
            company_ids=[Command.set(cls.company_2.ids)],
        )
        cls.audience = cls.env["retail.audience"].create(
            {"name": "Tea", "category_ids": [Command.set(cls.tea.ids)], "days": 30}
        )
        cls.program = cls.env["loyalty.program"].create(
            {
                "name": "Tea Week",
                "program_type": "promotion",
                "company_id": cls.company_1.id,
                "rule_ids": [Command.create({"product_category_id": cls.tea.id})],
                "reward_ids": [Command.create({"reward_type": "discount", "discount": 10})],
            }
        )
        cls._sale_lines(cls.wang, [(cls.longjing, 1, 50.0)], cls._days_ago(3))

    def _counts(self):
        return (
            self.env["retail.audience"].sudo().with_context(active_test=False).search_count([]),
            self.env["mailing.mailing"].sudo().search_count([]),
            self.env["mail.blacklist"].sudo().with_context(active_test=False).search_count([]),
        )

    def test_outsiders_get_access_errors_and_nothing_is_written(self):
        before = self._counts()
        for user in (
            self.salesman,
            self.cashier,
            self.portal,
            self.marketing_only,
            self.retail_only,
        ):
            with self.subTest(user=user.login):
                customers = self.customers.with_user(user)
                with self.assertRaises(AccessError):
                    customers.action_retail_campaign_mail()
                with self.assertRaises(AccessError):
                    customers.action_retail_campaign_sms()
                with self.assertRaises(AccessError):
                    self.program.with_user(user).action_retail_notify_customers()
                with self.assertRaises(AccessError):
                    self.audience.with_user(user).action_retail_campaign_mail()
        for user in (self.salesman, self.cashier, self.portal, self.marketing_only):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    self.env["retail.audience"].with_user(user).create(
                        {"name": "Mine", "category_ids": [Command.set(self.tea.ids)]}
                    )
                with self.assertRaises(AccessError):
                    self.env["retail.campaign.result"].with_user(user).search_read([])
                with self.assertRaises(AccessError):
                    self.env["res.partner"].with_user(user).search(
                        [("retail_audience_ids", "in", self.audience.ids)]
                    )
                with self.assertRaises(AccessError):
                    self.wang.with_user(user).write({"retail_consent_email": False})
        self.assertEqual(self._counts(), before)
        self.assertTrue(self.wang.retail_consent_email)

    def test_error_message_tells_what_is_missing(self):
        with self.assertRaisesMessage(AccessError, "also use Email Marketing"):
            self.customers.with_user(self.retail_only).action_retail_campaign_mail()

    def test_other_company_sees_neither_audiences_nor_results(self):
        Partner = self.env["res.partner"].with_user(self.other_company)
        Audience = self.env["retail.audience"].with_user(self.other_company)
        self.assertFalse(Audience.search([]))
        with self.assertRaises(AccessError):
            self.audience.with_user(self.other_company).read(["name"])
        # another company's audience id in a mailing filter targets nobody
        self.assertFalse(Partner.search([("retail_audience_ids", "in", self.audience.ids)]))
        with self.assertRaises(AccessError):
            self.program.with_user(self.other_company).action_retail_notify_customers()
        mailing = self._partner_mailing([("id", "=", self.wang.id)])
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self._sale(self.wang, 100.0, self._days_ago(0))
        Result = self.env["retail.campaign.result"]
        self.env.invalidate_all()
        self.assertEqual(Result.search([("mailing_id", "=", mailing.id)]).revenue, 100.0)
        self.env.invalidate_all()  # the report's rows depend on the company
        theirs = Result.with_user(self.other_company).search([("mailing_id", "=", mailing.id)])
        self.assertEqual(theirs.company_id, self.company_2)
        self.assertEqual(theirs.revenue, 0.0)

    def test_marketer_with_retail_rights_opens_a_prefilled_campaign(self):
        action = (
            self.customers.with_user(self.marketer)
            .with_context(active_domain=[("id", "in", self.customers.ids)])
            .action_retail_campaign_mail()
        )
        self.assertEqual(action["res_model"], "mailing.mailing")
        self.assertEqual(
            action["context"]["default_mailing_domain"],
            repr([("id", "in", self.customers.ids), ("retail_consent_email", "=", True)]),
        )
        # a partial selection targets exactly the selected customers
        action = (
            (self.wang | self.sun)
            .with_user(self.marketer)
            .with_context(active_domain=[("id", "in", self.customers.ids)])
            .action_retail_campaign_sms()
        )
        self.assertEqual(
            action["context"]["default_mailing_domain"],
            repr([("id", "in", (self.wang | self.sun).ids), ("retail_consent_sms", "=", True)]),
        )
