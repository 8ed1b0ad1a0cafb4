from datetime import date, datetime
from io import BytesIO

import openpyxl
from werkzeug.urls import url_encode

from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from .analytics_common import PERIOD, RetailAnalyticsCommon

MODULE = "retail_customer_mgmt"


@tagged("post_install", "-at_install")
class TestRetailXlsxExport(RetailAnalyticsCommon, HttpCase):
    """XLSX exports opened with openpyxl, in English and Chinese, and who may
    download them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._service_data()
        cls.card_a, cls.card_b = cls._points_data()
        cls.env["res.lang"]._activate_lang("zh_CN")
        cls.env["ir.module.module"]._load_module_terms([MODULE], ["zh_CN"], overwrite=True)
        cls.gold = cls.env["retail.tier"].create(
            {"name": "Export Gold", "company_id": cls.company_2.id, "min_spend": 300}
        )
        cls.gold.with_context(lang="zh_CN").name = "导出金卡"
        cls.a.with_company(cls.company_2).retail_tier_id = cls.gold
        # graded on a pinned day: the scores below are worked out for it
        with freeze_time("2025-07-10 00:00:00"):
            cls.env["retail.grade.run"]._regrade(cls.company_2)
        cls.zh_user = cls.retail_user.copy(
            {"login": "an_retail_zh", "name": "零售中文", "lang": "zh_CN", "tz": "Asia/Shanghai"}
        )
        cls.zh_user.password = "an_retail_zh"

    def _export(self, kind, user=None, company=None, period=PERIOD):
        company = company or self.company_2
        env = self.env(
            user=user or self.retail_user,
            context={"allowed_company_ids": [company.id], "lang": (user or self.retail_user).lang},
        )
        buffer = BytesIO()
        filename = env["retail.dashboard"]._retail_xlsx(kind, company, *period, buffer)
        buffer.seek(0)
        return filename, openpyxl.load_workbook(buffer)

    @staticmethod
    def _table(sheet):
        rows = list(sheet.iter_rows(values_only=True))
        return rows[0], [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]

    def _assert_layout(self, sheet, columns, rows):
        self.assertEqual(sheet.freeze_panes, "A2", "header row frozen")
        last = openpyxl.utils.get_column_letter(columns)
        self.assertEqual(sheet.auto_filter.ref, f"A1:{last}{max(rows, 1) + 1}")
        self.assertTrue(sheet["A1"].font.b, "bold header")
        self.assertEqual(sheet["A1"].fill.fgColor.rgb, "FF714B67")

    def test_exports_are_the_registered_models(self):
        self.assertEqual(
            self.env["retail.xlsx.export"]._get_exports(),
            {
                "customers": "retail.xlsx.export.customers",
                "points": "retail.xlsx.export.points",
                "exceptions": "retail.xlsx.export.exceptions",
                "tickets": "retail.xlsx.export.tickets",
            },
        )
        with self.assertRaisesMessage(UserError, "Unknown export"):
            self._export("secrets")

    def test_customer_analysis(self):
        filename, book = self._export("customers")
        self.assertEqual(filename, "Customer Analysis 2025-04-01 2025-06-30.xlsx")
        sheet = book.worksheets[0]
        self.assertEqual(sheet.title, "Customer Analysis")
        header, rows = self._table(sheet)
        self.assertEqual(len(header), 31)
        self.assertEqual(header[:3], ("Reference", "Customer", "Email"))
        self._assert_layout(sheet, 31, len(rows))
        self.assertEqual(
            [row["Customer"] for row in rows],
            ["C Chen", "A Tea House", "B Bai", "D Deng", "H Hu", "G Gao"],
            "customers of company 2 who bought, by lifetime spend",
        )
        a = rows[1]
        self.assertEqual(a["Lifetime Spend"], 350.0)
        self.assertEqual(a["Orders"], 3, "the POS order of the contact person counts")
        self.assertAlmostEqual(a["Average Basket"], 350.0 / 3)
        self.assertEqual(a["Orders in Period"], 2)
        self.assertEqual(a["Spend in Period"], 250.0)
        self.assertEqual(a["First Purchase"], datetime(2025, 1, 15, 10, 0))
        self.assertEqual(a["Last Purchase"], datetime(2025, 5, 20, 10, 0))
        self.assertEqual(a["Preferred Channel"], "WeChat")
        self.assertEqual(a["Tier"], "Export Gold")
        # earned on its orders of company 2 (1 point per unit, no multiplier):
        # 100 + 200 + 50 (its contact's POS order); ledger lines of the test
        # data: 100 + 20 + 5 - 40 + 999 + 888
        self.assertEqual(a["Points"], 350.0 + 1972.0)
        # graded on 2025-07-10 over 12 months (company 2 buyers A B C D G H):
        # days since last purchase 51 25 150 66 8 20 -> cuts 20 25 51 66, A: R 3
        # orders 3 2 1 1 1 2 -> cuts 1 1 2 2, A: F 5
        # spend 350 120 500 40 90 100 -> cuts 90 100 120 350, A: M 4
        self.assertEqual((a["R"], a["F"], a["M"], a["RFM"]), (3, 5, 4, "354"))
        self.assertIs(a["Email Marketing Consent"], False)
        b = rows[2]
        self.assertEqual(
            (b["Orders"], b["Lifetime Spend"], b["Spend in Period"]), (2, 120.0, 120.0)
        )
        self.assertEqual(b["Email"], "b@example.cn")
        g = rows[5]
        self.assertEqual((g["Orders in Period"], g["Spend in Period"]), (0, 0.0))
        # number formats of the cells
        cells = {cell.column_letter: cell for cell in sheet[3]}
        spend_col = openpyxl.utils.get_column_letter(header.index("Lifetime Spend") + 1)
        orders_col = openpyxl.utils.get_column_letter(header.index("Orders") + 1)
        last_col = openpyxl.utils.get_column_letter(header.index("Last Purchase") + 1)
        self.assertEqual(cells[spend_col].number_format, "#,##0.00")
        self.assertEqual(cells[orders_col].number_format, "#,##0")
        self.assertEqual(cells[last_col].number_format, "yyyy-mm-dd hh:mm")
        # the summary sheet repeats the dashboard figures
        summary = dict(book["Summary"].iter_rows(values_only=True))
        self.assertEqual(summary["Buying Customers"], 4)
        self.assertAlmostEqual(summary["Repeat-Purchase Rate"], 0.75)
        self.assertEqual(book["Summary"]["B5"].number_format, "#,##0")
        self.assertAlmostEqual(summary["Historic Lifetime Value"], 234.0)
        self.assertEqual(summary["Points Issued"], 175.0)

    def test_chinese_headers_and_names(self):
        filename, book = self._export("customers", user=self.zh_user)
        self.assertTrue(filename.startswith("客户分析"))
        sheet = book.worksheets[0]
        header, rows = self._table(sheet)
        self.assertEqual(header[1], "客户")
        self.assertIn("累计消费", header)
        self.assertIn("会员等级", header)
        a = next(row for row in rows if row["客户"] == "A Tea House")
        self.assertEqual(a["会员等级"], "导出金卡", "tier name in Chinese")
        self.assertEqual(a["首次购买"], datetime(2025, 1, 15, 18, 0), "Shanghai time")
        _filename, book = self._export("tickets", user=self.zh_user)
        header, rows = self._table(book.worksheets[0])
        self.assertIn("投诉", [row[header[5]] for row in rows])

    def test_points_ledger(self):
        _filename, book = self._export("points")
        sheet = book.worksheets[0]
        header, rows = self._table(sheet)
        self._assert_layout(sheet, len(header), len(rows))
        self.assertEqual(
            [(row["Customer"], row["Movement"], row["Issued"], row["Used"]) for row in rows],
            [
                ("B Bai", "Earned", 50, 0),
                ("B Bai", "Refund", 0, 10),
                ("A Tea House", "Earned", 100, 0),
                ("A Tea House", "Compensation", 20, 0),
                ("A Tea House", "Manual Adjustment", 5, 0),
                ("B Bai", "Manual Adjustment", 0, 3),
                ("B Bai", "Expired", 0, 30),
                ("A Tea House", "Reward", 0, 40),
            ],
            "lines of company 2 dated in the period, oldest first",
        )
        self.assertEqual(rows[0]["Net"], 50)
        self.assertEqual(rows[1]["Net"], -10)
        self.assertEqual(rows[0]["Date"], datetime(2025, 4, 5, 10, 0))
        self.assertEqual(rows[0]["Card"], self.card_b.code)

    def test_exceptions(self):
        Exception_ = self.env["retail.order.exception"]
        order = self._sale(self.c, 10, "2025-05-01 10:00:00", company=self.company_2)
        Exception_.search([("company_id", "in", [self.company_1.id, self.company_2.id])]).unlink()

        def exception(company, detected, state, **values):
            record = Exception_.create(
                {
                    "partner_id": self.c.id,
                    "exception_type": "late",
                    "company_id": company.id,
                    **values,
                }
            )
            record.write({"detected_on": self._dt(detected), "state": state})
            return record

        in_period = exception(
            self.company_2, "2025-05-02 08:00", "resolved", sale_order_id=order.id
        )
        still_open = exception(self.company_2, "2024-12-01 08:00", "new")
        exception(self.company_2, "2025-01-01 08:00", "resolved")  # old and closed
        exception(self.company_1, "2025-05-02 08:00", "new")  # other company
        _filename, book = self._export("exceptions")
        sheet = book.worksheets[0]
        header, rows = self._table(sheet)
        self._assert_layout(sheet, len(header), len(rows))
        self.assertEqual([row["Reference"] for row in rows], [still_open.name, in_period.name])
        self.assertEqual(rows[1]["Sales Order"], order.name)
        self.assertEqual(rows[1]["Type"], "Late Delivery")
        self.assertEqual(rows[1]["Status"], "Resolved")
        self.assertEqual(rows[0]["Status"], "New")

    def test_tickets(self):
        _filename, book = self._export("tickets")
        sheet = book.worksheets[0]
        header, rows = self._table(sheet)
        self._assert_layout(sheet, len(header), len(rows))
        self.assertEqual(
            [row["Subject"] for row in rows],
            ["T1", "T2", "T3"],
            "tickets of company 2 opened in the period or still open",
        )
        self.assertEqual(rows[0]["Rating"], 5)
        self.assertEqual(rows[1]["Type"], "Suggestion")
        self.assertEqual(rows[2]["Priority"], "Urgent")
        self.assertIsNone(rows[2]["Closed"])
        self.assertEqual(rows[0]["Opened"], datetime(2025, 4, 2, 9, 0))
        self.assertEqual(
            sheet.cell(2, header.index("Opened") + 1).number_format, "yyyy-mm-dd hh:mm"
        )

    def test_empty_export_keeps_its_header(self):
        _filename, book = self._export("tickets", period=(date(2030, 1, 1), date(2030, 1, 31)))
        sheet = book.worksheets[0]
        _header, rows = self._table(sheet)
        self.assertEqual([row["Subject"] for row in rows], ["T3"], "still open")
        with self.assertRaisesMessage(UserError, "start date must be before"):
            self._export("tickets", period=(PERIOD[1], PERIOD[0]))

    def test_access_without_http(self):
        with self.assertRaisesMessage(AccessError, "Only retail users"):
            self._export("customers", user=self.plain_user)
        with self.assertRaises(AccessError):
            self._export("customers", user=self.c1_retail_user)

    # ------------------------------------------------------------------
    # download route
    # ------------------------------------------------------------------
    def _get(self, kind="customers", company=None, allow_redirects=True, **params):
        query = {
            "company_id": (company or self.company_2).id,
            "date_from": "2025-04-01",
            "date_to": "2025-06-30",
            **params,
        }
        return self.url_open(
            f"/{MODULE}/export/{kind}?{url_encode(query)}", allow_redirects=allow_redirects
        )

    def test_download(self):
        self.authenticate("an_retail", "an_retail")
        response = self._get("points")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        self.assertIn("attachment", response.headers["Content-Disposition"])
        book = openpyxl.load_workbook(BytesIO(response.content))
        self.assertEqual(book.worksheets[0].max_row, 9, "header and 8 ledger lines")
        # the dashboard's button points at the route
        dashboard = self._dashboard_env().create(
            {"date_from": PERIOD[0], "date_to": PERIOD[1], "company_id": self.company_2.id}
        )
        action = dashboard.action_export_tickets()
        self.assertEqual(action["target"], "download")
        response = self.url_open(action["url"])
        self.assertEqual(response.status_code, 200)
        _header, rows = self._table(openpyxl.load_workbook(BytesIO(response.content)).active)
        self.assertEqual(len(rows), 3)

    def test_download_in_chinese(self):
        self.authenticate("an_retail_zh", "an_retail_zh")
        response = self._get("customers")
        self.assertEqual(response.status_code, 200)
        self.assertIn("filename*=UTF-8''", response.headers["Content-Disposition"])
        book = openpyxl.load_workbook(BytesIO(response.content))
        self.assertEqual(book.worksheets[0]["B1"].value, "客户")

    def test_download_is_refused(self):
        self.authenticate("an_plain", "an_plain")
        self.assertEqual(self._get().status_code, 403, "no retail group")
        self.authenticate("an_retail_c1", "an_retail_c1")
        self.assertEqual(self._get().status_code, 403, "company not allowed")
        self.assertEqual(self._get(company=self.company_1).status_code, 200)
        self.authenticate("an_retail", "an_retail")
        self.assertEqual(self._get("secrets").status_code, 404)
        self.assertEqual(self._get(date_from="april").status_code, 400)
        self.assertEqual(self._get(date_from="2025-07-01").status_code, 400)
        self.authenticate(None, None)
        response = self._get(allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), "anonymous visitors go to the login page")
