import base64
import json
from datetime import date
from io import BytesIO

import openpyxl

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, freeze_time, new_test_user, tagged
from odoo.tools import file_open

from odoo.addons.spreadsheet.utils.validate_data import fields_in_spreadsheet

from .analytics_common import PERIOD, RetailAnalyticsCommon

TODAY = "2025-07-10 08:00:00"

# Chromium: the dashboard renders its four charts and its two pivots
# without error (a failed RPC or formula logs console.error)
DASHBOARD_CHECK = """
    const deadline = Date.now() + 60000;
    (async () => {
        while (document.querySelectorAll(".o-spreadsheet .o-figure canvas").length < 4) {
            if (Date.now() > deadline) { throw new Error("the retail dashboard did not render"); }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const figures = document.querySelectorAll(".o-spreadsheet .o-figure").length;
        console.log("retail dashboard shown with " + figures + " charts");
        console.log("test successful");
    })().catch((error) => console.error(error.message));
"""


def _month(value):
    return date.fromisoformat(value)


@tagged("post_install", "-at_install")
class TestRetailSpreadsheetDashboard(RetailAnalyticsCommon, HttpCase):
    """The Retail dashboard of the Dashboards app and its cohort report,
    on the hand-computed purchases of RetailAnalyticsCommon (company 2)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        with freeze_time(TODAY):
            cls.env["retail.grade.run"]._regrade(cls.company_2)
        cls.dashboard = cls.env.ref("retail_customer_mgmt.spreadsheet_dashboard_retail_customers")

    def _cohorts(self, user=None, tz="UTC"):
        return self.env(
            user=user or self.retail_user,
            context={"allowed_company_ids": [self.company_2.id], "tz": tz},
        )["retail.cohort.report"]

    def test_dashboards_reference_existing_models_and_fields(self):
        products = self.env.ref("retail_customer_mgmt.spreadsheet_dashboard_retail_products")
        for dashboard, path, models in (
            (
                self.dashboard,
                "retail_customers_dashboard.json",
                {"retail.customer.analysis", "retail.cohort.report"},
            ),
            (products, "retail_products_dashboard.json", {"retail.product.analysis"}),
        ):
            with self.subTest(dashboard=dashboard.name):
                self._check_dashboard(dashboard, path, models)

    def _check_dashboard(self, dashboard, path, models):
        self.assertEqual(dashboard.dashboard_group_id.name, "Retail")
        self.assertIn(self.env.ref("retail_customer_mgmt.group_retail_user"), dashboard.group_ids)
        data = json.loads(base64.b64decode(dashboard.spreadsheet_binary_data))
        with file_open(f"retail_customer_mgmt/data/files/{path}") as f:
            self.assertEqual(data, json.load(f), "the record holds the shipped file")
        used = fields_in_spreadsheet(data)
        self.assertEqual(set(used), models, "models read")
        for model, names in used.items():
            fields = self.env[model]._fields
            for name in names:
                self.assertIn(name.split(":")[0], fields, f"{model}.{name} exists")
        # every pivot and chart groups by groupable fields and sums aggregatable ones
        for pivot in data["pivots"].values():
            described = self.env[pivot["model"]].fields_get(attributes=["groupable", "aggregator"])
            for dim in pivot["rows"] + pivot["columns"]:
                self.assertTrue(described[dim["fieldName"].split(":")[0]]["groupable"])
            for measure in pivot["measures"]:
                name = measure["fieldName"]
                self.assertTrue(name == "__count" or described[name].get("aggregator"))
            # the pivot's data as the Dashboards app asks for it
            self.env[pivot["model"]].with_user(self.retail_user).read_group(
                pivot["domain"],
                [m["fieldName"] for m in pivot["measures"] if m["fieldName"] != "__count"],
                [d["fieldName"] for d in pivot["rows"] + pivot["columns"]],
                lazy=False,
            )
        charts = [
            figure["data"]
            for sheet in data["sheets"]
            for figure in sheet["figures"]
            if figure["tag"] == "chart"
        ]
        self.assertEqual(len(charts), 4)
        for chart in charts:
            Model = self.env[chart["metaData"]["resModel"]]
            measure = chart["metaData"]["measure"]
            self.assertTrue(measure == "__count" or Model._fields[measure].aggregator)
            for name in chart["metaData"]["groupBy"]:
                self.assertTrue(Model._fields[name.split(":")[0]].store)
            Model.with_user(self.retail_user).read_group(
                [],
                [
                    measure
                    if measure == "__count"
                    else f"{measure}:{Model._fields[measure].aggregator}"
                ],
                chart["metaData"]["groupBy"],
                lazy=False,
            )
        snapshot = dashboard.with_user(self.retail_user).get_readonly_dashboard()
        self.assertEqual(snapshot["snapshot"]["pivots"].keys(), data["pivots"].keys())

    @freeze_time(TODAY)
    def test_cohorts_hand_computed(self):
        Cohort = self._cohorts()
        groups = Cohort.read_group(
            [("company_id", "=", self.company_2.id)],
            ["retention:avg", "cohort_size:max", "customer_count:sum"],
            ["cohort_month:month", "months_since"],
            lazy=False,
        )
        # read_group labels months "June 2024": key them by the month's first day
        cells = {
            (_month(g["__range"]["cohort_month:month"]["from"]), g["months_since"]): g
            for g in groups
        }
        # 14 cohort months (2024-06 .. 2025-07), each up to July 2025: 14 + 13 + ... + 1
        self.assertEqual(len(cells), 105)
        # read_group gives False for an empty retention, which the spreadsheet
        # shows as a blank cell; 0.0 shows "0 %" (and 0.0 == False in Python)
        retention = {
            key: "blank" if g["retention"] is False else g["retention"] for key, g in cells.items()
        }
        expected = {
            ("2024-06-01", 0): 100.0,  # D
            ("2024-06-01", 11): 100.0,  # D again in May 2025
            ("2024-06-01", 10): 0.0,
            ("2025-01-01", 0): 100.0,  # A
            ("2025-01-01", 1): 0.0,
            ("2025-01-01", 3): 100.0,  # April
            ("2025-01-01", 4): 100.0,  # May, through its contact A1
            ("2025-01-01", 6): 0.0,  # July, the current month
            ("2025-04-01", 1): 0.0,  # B's refund in April is not a purchase
            ("2025-04-01", 2): 100.0,
            ("2025-05-01", 1): 100.0,  # H
            ("2025-07-01", 0): 100.0,  # G
            # months in which nobody bought for the first time: blank, not 0 %
            ("2024-07-01", 0): "blank",
            ("2024-07-01", 5): "blank",
            ("2025-03-01", 1): "blank",
            ("2025-06-01", 0): "blank",
            ("2025-06-01", 1): "blank",
        }
        self.assertEqual({key: retention[(_month(key[0]), key[1])] for key in expected}, expected)
        self.assertEqual(cells[(_month("2025-06-01"), 1)]["cohort_size"], 0)
        self.assertEqual(cells[(_month("2025-01-01"), 1)]["cohort_size"], 1)
        # the monthly trend: net sales and new / returning customers per month
        trend = Cohort.read_group(
            [("company_id", "=", self.company_2.id)],
            ["amount:sum", "customer_count:sum"],
            ["activity_month:month", "returning"],
            lazy=False,
        )
        by_month = {
            (_month(g["__range"]["activity_month:month"]["from"]), g["returning"]): g for g in trend
        }
        may, april, june = _month("2025-05-01"), _month("2025-04-01"), _month("2025-06-01")
        self.assertEqual(by_month[(may, True)]["customer_count"], 2)  # A, D
        self.assertEqual(by_month[(may, False)]["customer_count"], 1)  # H
        self.assertAlmostEqual(
            by_month[(may, True)]["amount"] + by_month[(may, False)]["amount"], 120.0
        )
        # April: A 200 and B's 80 refunded
        self.assertAlmostEqual(sum(by_month[(april, r)]["amount"] for r in (True, False)), 200.0)
        self.assertAlmostEqual(sum(by_month[(june, r)]["amount"] for r in (True, False)), 190.0)

    @freeze_time(TODAY)
    def test_cohorts_in_the_users_time_zone(self):
        # H bought on 31 May 20:00 UTC: 1 June in Shanghai, whose May has no newcomer
        cells = {
            (r.cohort_month, r.months_since): r
            for r in self._cohorts(tz="Asia/Shanghai").search(
                [("company_id", "=", self.company_2.id)]
            )
        }
        self.assertEqual(cells[(_month("2025-05-01"), 0)].cohort_size, 0)
        self.assertEqual(cells[(_month("2025-06-01"), 0)].cohort_size, 1)

    def test_cohort_access(self):
        salesperson = self._retail_user(
            "dash_sales", "sales_team.group_sale_salesman", company=self.company_2
        )
        cashier = self._retail_user(
            "dash_cashier", "point_of_sale.group_pos_user", company=self.company_2
        )
        portal = new_test_user(self.env, login="dash_portal", groups="base.group_portal")
        for user in (salesperson, cashier, portal):
            with self.assertRaises(AccessError):
                self.env["retail.cohort.report"].with_user(user).read_group(
                    [], ["customer_count:sum"], ["cohort_month:month"]
                )

        # nor do they get the dashboard (Odoo's rule: the dashboard's groups)
        def sees_dashboard(user):
            try:
                return bool(
                    self.env["spreadsheet.dashboard"]
                    .with_user(user)
                    .search([("id", "=", self.dashboard.id)])
                )
            except AccessError:
                return False

        self.assertEqual(
            [sees_dashboard(user) for user in (salesperson, cashier, portal, self.retail_user)],
            [False, False, False, True],
        )
        # a retail user of company 1 only sees company 1's cohorts
        rows = self.env["retail.cohort.report"].with_user(self.c1_retail_user).search([])
        self.assertTrue(rows)
        self.assertEqual(rows.company_id, self.company_1)
        self.assertFalse(
            self.env["retail.cohort.report"]
            .with_user(self.c1_retail_user)
            .search([("company_id", "=", self.company_2.id)])
        )

    @freeze_time(TODAY)
    def test_xlsx_cohort_and_rfm_sheets(self):
        env = self.env(
            user=self.retail_user,
            context={"allowed_company_ids": [self.company_2.id], "tz": "UTC"},
        )
        buffer = BytesIO()
        env["retail.dashboard"]._retail_xlsx("customers", self.company_2, *PERIOD, buffer)
        buffer.seek(0)
        book = openpyxl.load_workbook(buffer)
        rows = list(book["Cohorts"].iter_rows(values_only=True))
        self.assertEqual(
            rows[0], ("First-Purchase Month", "New Customers", "Month 1", "Month 2", "Month 3")
        )
        body = [(row[0].date(), *row[1:]) for row in rows[1:]]
        self.assertEqual(
            body,
            [
                (date(2025, 4, 1), 1, 0.0, 1.0, 0.0),  # B: back in June
                (date(2025, 5, 1), 1, 1.0, 0.0, None),  # H: back in June
                (date(2025, 6, 1), 0, None, None, None),  # nobody new: blank
            ],
        )
        self.assertEqual(book["Cohorts"]["C2"].number_format, "0.0%")
        heat = list(book["RFM Heat Map"].iter_rows(values_only=True))
        self.assertEqual(heat[0], ("Recency \\ Frequency", "F 1", "F 2", "F 3", "F 4", "F 5"))
        self.assertEqual([row[0] for row in heat[1:]], ["R 5", "R 4", "R 3", "R 2", "R 1"])
        grades = self.env["retail.customer.grade"].search([("company_id", "=", self.company_2.id)])
        self.assertTrue(grades)
        for row in heat[1:]:
            r = int(row[0][2:])
            for f in range(1, 6):
                self.assertEqual(
                    row[f],
                    len(grades.filtered(lambda g, r=r, f=f: (g.r_score, g.f_score) == (r, f))),
                )
        self.assertEqual(sum(sum(row[1:]) for row in heat[1:]), len(grades))

    def test_dashboard_opens_in_the_browser(self):
        self.browser_js(
            f"/odoo/dashboards?dashboard_id={self.dashboard.id}",
            DASHBOARD_CHECK,
            login="admin",
            timeout=120,
        )
