from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .marketing_common import RetailMarketingCommon


@tagged("post_install", "-at_install")
class TestCampaignResults(RetailMarketingCommon):
    """Per campaign: reached, opened, clicked (Odoo's traces), and the orders
    and revenue of the reached customers within the results window."""

    def _dashboard_campaigns(self, days_from=30, days_to=0):
        """The dashboard's campaign figures for the last days (demo data may
        hold other campaigns: the tests compare before and after)."""
        self.env.invalidate_all()  # the report's rows depend on the company
        today = fields.Date.context_today(self.env.user)
        dashboard = self.env["retail.dashboard"].create(
            {
                "company_id": self.company_1.id,
                "date_from": today - timedelta(days=days_from),
                "date_to": today - timedelta(days=days_to),
            }
        )
        names = ("count", "reached", "opened", "clicked", "buyers", "revenue")
        return dashboard, {name: dashboard[f"campaign_{name}"] for name in names}

    def test_results_of_a_sent_campaign(self):
        _dashboard, before = self._dashboard_campaigns()
        _dashboard, before_old = self._dashboard_campaigns(30, 20)
        mailing = self._partner_mailing(
            [("retail_segment_id", "=", self.champions.id)], retail_result_days=5
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        traces = mailing.mailing_trace_ids
        self.assertEqual(len(traces), 2)
        sent_at = self._days_ago(10)
        traces.write({"sent_datetime": sent_at})
        wang_trace = traces.filtered(lambda t: t.res_id == self.wang.id)
        wang_trace.set_opened()
        wang_trace.set_clicked()
        self._sale(self.wang, 200.0, self._days_ago(8))  # 2 days after: counts
        self._pos(self.wang, 50.0, self._days_ago(9))  # POS, 1 day after: counts
        self._sale(self.wang, 70.0, self._days_ago(2))  # after the 5-day window
        self._sale(self.zhao, 90.0, self._days_ago(12))  # before the campaign
        self._sale(self.zhou, 300.0, self._days_ago(8))  # not a recipient
        result = self.env["retail.campaign.result"].search([("mailing_id", "=", mailing.id)])
        self.assertEqual(len(result), 1)
        self.assertRecordValues(
            result,
            [
                {
                    "subject": "Spring tea",
                    "mailing_type": "mail",
                    "recipient_count": 2,
                    "reached_count": 2,
                    "opened_count": 1,
                    "clicked_count": 1,
                    "buyer_count": 1,
                    "order_count": 2,
                    "revenue": 250.0,
                    "open_rate": 50.0,
                    "conversion_rate": 50.0,
                    "company_id": self.company_1.id,
                }
            ],
        )
        # in the other company, the campaign brought no order
        self.env.invalidate_all()  # the report's rows depend on the company
        other = result.with_company(self.company_2).search([("mailing_id", "=", mailing.id)])
        self.assertEqual((other.order_count, other.revenue), (0, 0.0))
        action = mailing.action_view_retail_results()
        self.assertEqual(action["res_model"], "retail.campaign.result")
        grouped = self.env["retail.campaign.result"].read_group(
            [("mailing_id", "=", mailing.id)], ["revenue:sum"], ["mailing_type"]
        )
        self.assertEqual(grouped[0]["revenue"], 250.0)
        # the dashboard sums the campaigns sent in its period
        dashboard, after = self._dashboard_campaigns()
        self.assertEqual(
            {name: after[name] - before[name] for name in after},
            {"count": 1, "reached": 2, "opened": 1, "clicked": 1, "buyers": 1, "revenue": 250.0},
        )
        self.assertEqual(
            dashboard.action_view_campaign_results()["res_model"], "retail.campaign.result"
        )
        _dashboard, after_old = self._dashboard_campaigns(30, 20)
        self.assertEqual(after_old, before_old, "sent after that period")


@tagged("post_install", "-at_install")
class TestPromotionNotice(RetailMarketingCommon):
    """'Notify interested customers' on a promotion: a mailing to the buyers
    of its products or categories within its window."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # promotions are managed by sales; campaigns by marketing
        cls.promoter = cls._retail_user(
            "retail_promoter",
            "sales_team.group_sale_manager,mass_mailing.group_mass_mailing_user",
        )

    def _promotion(self, rule_values, **values):
        return self.env["loyalty.program"].create(
            {
                "name": "Tea Week",
                "program_type": "promotion",
                "trigger": "auto",
                "company_id": self.company_1.id,
                "rule_ids": [Command.create({"minimum_qty": 1, **rule_values})],
                "reward_ids": [Command.create({"reward_type": "discount", "discount": 10})],
                **values,
            }
        )

    def test_notify_buyers_of_the_category(self):
        self._sale_lines(self.wang, [(self.longjing, 1, 50.0)], self._days_ago(20))
        self._sale_lines(self.zhao, [(self.teapot, 1, 80.0)], self._days_ago(20))
        self._sale_lines(self.zhou, [(self.longjing, 1, 50.0)], self._days_ago(100))
        self._pos_lines(self.sun, [(self.longjing, 1.0, 50.0)], self._days_ago(5))
        program = self._promotion({"product_category_id": self.tea.id}, retail_notify_days=60)
        action = program.with_user(self.promoter).action_retail_notify_customers()
        context = action["context"]
        self.assertEqual(context["default_mailing_type"], "mail")
        self.assertEqual(context["default_subject"], "Tea Week")
        mailing = (
            self.env["mailing.mailing"]
            .with_user(self.promoter)
            .with_context(**context)
            # the form sends the default subject with the other values
            .create({"subject": context["default_subject"], "body_html": "<p>Tea week!</p>"})
        )
        self.assertEqual(mailing.mailing_model_real, "res.partner")
        # buyers of the last 60 days: wang (sale) and sun (POS); sun has no
        # email consent, so the mailing goes to wang only
        domain = mailing._parse_mailing_domain()
        buyers = self.env["res.partner"].search([("id", "in", self.customers.ids), *domain[:-1]])
        self.assertEqual(buyers, self.wang | self.sun)
        self.assertEqual(mailing._get_recipients(), self.wang.ids)
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail()
        self.assertEqual(mailing.mailing_trace_ids.res_id, self.wang.id)
        # a second click reuses the promotion's audience, updated
        program.retail_notify_days = 365
        sms_action = program.with_user(self.promoter).action_retail_notify_customers_sms()
        audience = self.env["retail.audience"].search([("program_id", "=", program.id)])
        self.assertEqual(len(audience), 1)
        self.assertEqual(audience.days, 365)
        self.assertEqual(sms_action["context"]["default_mailing_type"], "sms")

    def test_promotion_on_every_product_or_the_retail_program_refuses(self):
        program = self._promotion({})
        with self.assertRaisesMessage(UserError, "applies to every product"):
            program.with_user(self.promoter).action_retail_notify_customers()
        # a reward on specific products is enough
        program.reward_ids.write(
            {
                "discount_applicability": "specific",
                "discount_product_ids": [Command.set(self.teapot.ids)],
            }
        )
        action = program.with_user(self.promoter).action_retail_notify_customers()
        self.assertIn("retail_audience_ids", action["context"]["default_mailing_domain"])
        retail_program = self.company_1._retail_get_program()
        with self.assertRaisesMessage(UserError, "retail points program"):
            retail_program.with_user(self.promoter).action_retail_notify_customers()
