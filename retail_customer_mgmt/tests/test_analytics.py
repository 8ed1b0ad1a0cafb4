from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import Form, tagged

from .analytics_common import PERIOD, RetailAnalyticsCommon


@tagged("post_install", "-at_install")
class TestRetailDashboard(RetailAnalyticsCommon):
    """KPIs of the hand-computed data set (see RetailAnalyticsCommon)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._service_data()
        cls.card_a, cls.card_b = cls._points_data()

    def _kpis(self, **kwargs):
        return self._dashboard_env(**kwargs)._retail_kpis(self.company_2, *PERIOD)

    def test_purchase_kpis(self):
        kpis = self._kpis()
        self.assertEqual(kpis["buyer_count"], 4, "A, B, D, H")
        self.assertEqual(kpis["repeat_buyer_count"], 3, "A, B, H")
        self.assertEqual(kpis["new_buyer_count"], 2, "B, H")
        self.assertEqual(kpis["order_count"], 7, "a POS refund is not a purchase")
        self.assertAlmostEqual(kpis["net_spend"], 510.0, msg="250 + (80 - 80 + 120) + 40 + 100")
        self.assertAlmostEqual(kpis["repeat_rate"], 0.75)
        self.assertAlmostEqual(kpis["average_order_value"], 510.0 / 7)
        self.assertAlmostEqual(kpis["purchase_frequency"], 1.75)
        self.assertAlmostEqual(kpis["retention_rate"], 0.5, msg="A of A and C came back")
        self.assertEqual(kpis["lifetime_customer_count"], 5, "G bought after the period")
        self.assertAlmostEqual(kpis["clv_historic"], 1170.0 / 5)
        self.assertAlmostEqual(kpis["expected_lifespan"], 2 * 91 / 365)
        self.assertAlmostEqual(kpis["clv_predicted"], 510.0 / 4 * 2)

    def test_cohorts_in_the_user_timezone(self):
        apr, may, jun = self._kpis()["cohorts"]
        self.assertEqual([apr.month.isoformat(), apr.size, apr.retained], ["2025-04-01", 1, [0, 1]])
        self.assertEqual([may.size, may.retained], [1, [1]], "H: 31 May 20:00 UTC")
        self.assertEqual([jun.size, jun.retained], [0, []])
        # in Shanghai H's first purchase is on 1 June, 04:00
        apr, may, jun = self._kpis(tz="Asia/Shanghai")["cohorts"]
        self.assertEqual([apr.size, may.size, jun.size], [1, 0, 1])
        self.assertEqual(may.retained, [0])
        kpis = self._kpis(tz="Asia/Shanghai")
        self.assertEqual((kpis["buyer_count"], kpis["order_count"]), (4, 7))

    def test_points_kpis(self):
        kpis = self._kpis()
        self.assertEqual(kpis["points_issued"], 175.0, "earned 150 + compensation 20 + adjust 5")
        self.assertEqual(kpis["points_redeemed"], 40.0)
        self.assertEqual(kpis["points_expired"], 30.0)
        self.assertEqual(kpis["points_taken_back"], 10.0)
        self.assertEqual(kpis["points_adjusted_out"], 3.0)

    def test_service_kpis(self):
        # the order may open exceptions of its own (missing address...)
        order = self._sale(self.c, 10, "2025-05-01 10:00:00", company=self.company_2)
        kpis = self._kpis()
        self.assertEqual(kpis["ticket_opened_count"], 3, "T1, T2, T3")
        self.assertEqual(kpis["complaint_count"], 2, "T1, T3")
        self.assertEqual(kpis["ticket_closed_count"], 3, "T1, T2, T4")
        self.assertEqual(kpis["open_ticket_count"], 1, "T3")
        self.assertEqual(kpis["rated_ticket_count"], 2)
        self.assertEqual(kpis["satisfaction"], 3.5)
        Exception_ = self.env["retail.order.exception"]
        open_domain = [
            ("company_id", "=", self.company_2.id),
            ("state", "in", ["new", "notified", "in_progress"]),
        ]
        self.assertEqual(kpis["open_exception_count"], Exception_.search_count(open_domain))
        Exception_.create(
            {
                "sale_order_id": order.id,
                "partner_id": self.c.id,
                "exception_type": "abnormal",
                "company_id": self.company_2.id,
            }
        )
        warehouse = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_2.id)], limit=1
        )
        self.env["retail.stock.alert"].create(
            [
                {
                    "product_id": self.product.id,
                    "warehouse_id": warehouse.id,
                    "company_id": self.company_2.id,
                },
                {
                    "product_id": self.product.id,
                    "warehouse_id": warehouse.id,
                    "company_id": self.company_2.id,
                    "state": "closed",
                },
            ]
        )
        after = self._kpis()
        self.assertEqual(after["open_exception_count"], kpis["open_exception_count"] + 1)
        self.assertEqual(after["open_stock_alert_count"], kpis["open_stock_alert_count"] + 1)
        self.assertEqual(after["open_exception_count"], Exception_.search_count(open_domain))

    def test_dashboard_form_computes_on_the_fly(self):
        Dashboard = self._dashboard_env()
        with Form(Dashboard) as form:
            self.assertEqual(form.date_to, fields.Date.today())
            self.assertEqual(
                form.date_from, fields.Date.today().replace(day=1) - relativedelta(months=11)
            )
            form.date_from, form.date_to = PERIOD
            self.assertEqual(form.buyer_count, 4)
            self.assertEqual(form.ticket_opened_count, 3)
            self.assertIn("2025-04", form.cohort_table)
            self.assertIn("100%", form.cohort_table)
        dashboard = form.record
        self.assertEqual(dashboard.company_id, self.company_2)
        self.assertAlmostEqual(dashboard.net_spend, 510.0)
        self.assertEqual(dashboard.display_name, "2025-04-01 → 2025-06-30")
        with self.assertRaisesMessage(ValidationError, "choose a start date before the end date"):
            Dashboard.create({"date_from": PERIOD[1], "date_to": PERIOD[0]})

    def test_cohort_table_from_its_template(self):
        dashboard = self._dashboard_env()
        html = dashboard._retail_cohort_html(self._kpis()["cohorts"])
        self.assertIn('<th class="text-end">+2</th>', html)
        self.assertIn('<td class="text-end bg-success bg-opacity-75" title="1 customers">', html)
        self.assertEqual(html.count("<td></td>"), 3, "empty cells: May's +2, June's +1 and +2")
        self.assertIn("No first purchase in this period.", dashboard._retail_cohort_html([]))
        # whatever reaches the template comes out escaped
        hostile = '<script>alert("x")</script>'
        html = self.env["ir.qweb"]._render(
            "retail_customer_mgmt.retail_dashboard_cohorts",
            {
                "rows": [
                    {
                        "month": hostile,
                        "size": hostile,
                        "cells": [{"shade": '"><script>', "title": hostile, "rate": hostile}],
                        "padding": 0,
                    }
                ],
                "offsets": [hostile],
            },
        )
        self.assertNotIn("<script>", html)
        self.assertIn("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;", html)

    def test_company_figures_stay_apart(self):
        c1 = self._dashboard_env(company=self.company_1)._retail_kpis(self.company_1, *PERIOD)
        c2 = self._kpis()
        self.assertNotEqual(c1["net_spend"], c2["net_spend"])
        self.assertEqual(c2["points_issued"], 175.0, "company 1 points never count")

    def test_constant_query_count(self):
        """Three queries, whatever the number of customers, orders and tickets."""
        Dashboard = self._dashboard_env()

        def count():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            Dashboard._retail_kpis(self.company_2, *PERIOD)
            return self.env.cr.sql_log_count - before

        Dashboard._retail_kpis(self.company_2, *PERIOD)  # warm the caches (groups, rules)
        small = count()
        for index in range(8):
            partner = self.env["res.partner"].create({"name": f"More {index}"})
            self._sale(partner, 10 + index, "2025-04-20 10:00:00", company=self.company_2)
            self._sale(partner, 20 + index, "2025-05-20 10:00:00", company=self.company_2)
            self._ticket(f"More {index}", self.company_2, "2025-05-01 09:00")
        self.assertEqual(Dashboard._retail_kpis(self.company_2, *PERIOD)["buyer_count"], 12)
        large = count()
        self.assertEqual(small, large)
        self.assertLessEqual(small, 6)
        with self.assertQueryCount(3):
            Dashboard._retail_kpis(self.company_2, *PERIOD)

    def test_access(self):
        plain = self._dashboard_env(user=self.plain_user)
        with self.assertRaises(AccessError):
            plain.create({"date_from": PERIOD[0], "date_to": PERIOD[1]})
        with self.assertRaisesMessage(AccessError, "Only retail users"):
            plain._retail_kpis(self.company_2, *PERIOD)
        only_c1 = self.env(user=self.c1_retail_user)["retail.dashboard"]
        with self.assertRaises(AccessError):
            only_c1._retail_kpis(self.company_2, *PERIOD)
        self.assertEqual(only_c1._retail_kpis(self.company_1, *PERIOD)["points_issued"], 777.0)

    def test_dashboard_is_the_retail_landing_page(self):
        root = self.env.ref("retail_customer_mgmt.retail_root_menu")
        action = self.env.ref("retail_customer_mgmt.retail_dashboard_action")
        menus = self.env["ir.ui.menu"].with_user(self.retail_user).load_web_menus(False)
        self.assertEqual(menus[root.id]["actionID"], action.id)
        self.assertEqual(menus[root.id]["actionModel"], "ir.actions.act_window")


@tagged("post_install", "-at_install")
class TestRetailCustomerAnalysis(RetailAnalyticsCommon):
    """Graph and pivot of customers by tier, segment and channel."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.gold = cls.env["retail.tier"].create(
            {"name": "Analysis Gold", "company_id": cls.company_2.id, "min_spend": 300}
        )
        cls.a.with_company(cls.company_2).retail_tier_id = cls.gold
        cls.env["retail.grade.run"]._regrade(cls.company_2)
        cls.env["retail.grade.run"]._regrade(cls.company_1)

    def _groups(self, groupby, user=None, company=None):
        company = company or self.company_2
        Analysis = self.env(user=user or self.retail_user)["retail.customer.analysis"]
        return dict(
            Analysis.with_context(allowed_company_ids=[company.id])._read_group(
                [("company_id", "=", company.id)], [groupby], ["__count"]
            )
        )

    def test_customers_by_tier_channel_segment(self):
        by_tier = self._groups("tier_id")
        self.assertEqual(by_tier[self.gold], 1)
        self.assertEqual(sum(by_tier.values()), 6, "A, B, C, D, G, H are graded")
        by_channel = self._groups("preferred_channel")
        self.assertEqual((by_channel["wechat"], by_channel["email"]), (1, 1))
        by_segment = self._groups("segment_id")
        grades = self.env["retail.customer.grade"].search([("company_id", "=", self.company_2.id)])
        self.assertEqual(sum(by_segment.values()), len(grades))
        for segment, count in by_segment.items():
            self.assertEqual(count, len(grades.filtered(lambda g, s=segment: g.segment_id == s)))
        row = self.env["retail.customer.analysis"].search(
            [("partner_id", "=", self.a.id), ("company_id", "=", self.company_2.id)]
        )
        self.assertEqual(row.lifetime_spend, 350.0)
        self.assertEqual(row.order_count, 3)

    def test_dashboard_buttons_open_the_analysis(self):
        dashboard = self._dashboard_env().create(
            {"date_from": PERIOD[0], "date_to": PERIOD[1], "company_id": self.company_2.id}
        )
        action = dashboard.action_view_customers_by_channel()
        self.assertEqual(action["res_model"], "retail.customer.analysis")
        self.assertEqual(action["context"]["group_by"], ["preferred_channel"])
        self.assertEqual(action["domain"], [("company_id", "=", self.company_2.id)])
        self.assertEqual(action["view_mode"].split(",")[0], "graph")
        self.assertEqual(
            dashboard.action_view_customers_by_segment()["context"]["group_by"], ["segment_id"]
        )
        exceptions = dashboard.action_view_open_exceptions()
        self.assertEqual(exceptions["res_model"], "retail.order.exception")
        self.assertIn(("company_id", "=", self.company_2.id), exceptions["domain"])

    def test_rows_of_other_companies_are_hidden(self):
        Analysis = self.env(user=self.c1_retail_user)["retail.customer.analysis"]
        rows = Analysis.search([])
        self.assertTrue(rows)
        self.assertEqual(rows.company_id, self.company_1)
        with self.assertRaises(AccessError):
            self.env(user=self.plain_user)["retail.customer.analysis"].search([])
