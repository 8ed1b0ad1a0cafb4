from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged
from odoo.tools import SQL

from ..services import forecast as fc
from ..services.product_analysis import days_of_inventory, sell_through, turnover
from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestProductAnalysis(RetailCommon):
    """The product analysis view on orders whose figures are worked by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write(
            {
                "retail_product_window_days": 90,
                "retail_product_hot_percent": 50,
                "retail_product_slow_days": 60,
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        Product = cls.env["product.product"].with_company(cls.company)

        def product(name, cost):
            return Product.create(
                {"name": name, "is_storable": True, "standard_price": cost, "list_price": 10}
            )

        cls.a = product("Green tea", 4.0)
        cls.b = product("Tea pot", 2.0)
        cls.c = product("Tea tray", 1.0)
        cls.d = product("Tea scale", 3.0)
        cls.e = product("Tea towel", 1.0)
        stock = cls.warehouse.lot_stock_id
        Quant = cls.env["stock.quant"]
        for prod, qty in ((cls.a, 8), (cls.c, 10), (cls.d, 5)):
            Quant._update_available_quantity(prod, stock, qty)
        cls.p1, cls.p2, cls.p3 = cls.env["res.partner"].create(
            [{"name": "Wang Fang"}, {"name": "Li Lei"}, {"name": "Zhao Min"}]
        )
        day = fields.Datetime.now() - timedelta(days=10)
        cls.day = day
        # A: P1 twice (3 + 1), P2 once at the till (2): 6 units, 60
        cls._sale_lines(cls.p1, [(cls.a, 3, 10)], day)
        cls._sale_lines(cls.p1, [(cls.a, 1, 10)], day)
        cls._pos_lines(cls.p2, [(cls.a, 2, 10)], day)
        # B: 5 x 20 = 100; E: 30 without stock; D sold 100 days ago only
        cls._sale_lines(cls.p2, [(cls.b, 5, 20)], day)
        cls._sale_lines(cls.p3, [(cls.e, 1, 30)], day)
        cls._sale_lines(cls.p1, [(cls.d, 1, 50)], fields.Datetime.now() - timedelta(days=100))
        cls.env.flush_all()

    def _rows(self, product, **domain):
        # the view's rows keep their ids while their figures change
        self.env.flush_all()
        self.env.invalidate_all()
        return self.env["retail.product.analysis"].search(
            [("product_id", "=", product.id), ("company_id", "=", self.company.id)]
            + [(key, "=", value) for key, value in domain.items()]
        )

    def test_month_figures(self):
        month = self.day.date().replace(day=1)
        row = self._rows(self.a, date=month)
        self.assertEqual(len(row), 1)
        self.assertEqual(row.warehouse_id, self.warehouse)
        self.assertEqual(row.qty, 6)
        self.assertEqual(row.revenue, 60)
        self.assertEqual(row.cost, 24)  # 6 x 4
        self.assertEqual(row.margin, 36)
        self.assertEqual(row.order_count, 3)
        self.assertEqual(row.customer_count, 2)
        # P1 bought it in two orders, P2 in one: half bought again
        self.assertEqual(row.repeat_customer_count, 1)
        self.assertEqual(row.repeat_rate, 50)

    def test_rank_and_class(self):
        # window revenue: B 100, A 60, E 30 (D sold before the window): total
        # 190, hot = the first 50 % (95): B only (A has 100 above it)
        expected = {
            self.b: ("hot", 1),
            self.a: ("normal", 2),
            self.e: ("normal", 3),
            self.c: ("slow", 0),  # in stock, never sold
            self.d: ("slow", 0),  # in stock, last sale 100 days ago
        }
        for prod, (klass, rank) in expected.items():
            rows = self._rows(prod)
            self.assertTrue(rows, prod.name)
            self.assertEqual(set(rows.mapped("product_class")), {klass}, prod.name)
            self.assertEqual(set(rows.mapped("revenue_rank")), {rank}, prod.name)
        self.assertEqual(self._rows(self.d, is_current_month=True).days_since_sale, 100)
        # a larger hot share takes A in; a longer slow delay lets D out
        self.company.write({"retail_product_hot_percent": 60, "retail_product_slow_days": 120})
        self.env.flush_all()
        self.env.invalidate_all()
        self.assertEqual(set(self._rows(self.a).mapped("product_class")), {"hot"})
        self.assertEqual(set(self._rows(self.d).mapped("product_class")), {"normal"})

    def test_stock_figures(self):
        row = self._rows(self.a, is_current_month=True)
        self.assertEqual(len(row), 1)
        # 8 put in stock, the POS order delivered 2 at once (a done move out
        # of the warehouse in the window): closing 6 x 4 = 24, opening 8 x 4
        # = 32; the sales orders are not delivered
        self.assertEqual(row.on_hand_qty, 6)
        self.assertEqual(row.stock_value, 24)
        # COGS 6 x 4 = 24 over an average stock of 28: 6/7; 90 x 7/6 = 105
        # days; 6 sold of 6 + 6 available: 50 %
        self.assertAlmostEqual(row.turnover, 6 / 7)
        self.assertAlmostEqual(row.turnover, turnover(24, 32, 24))
        self.assertAlmostEqual(row.days_of_inventory, 105)
        self.assertAlmostEqual(row.days_of_inventory, days_of_inventory(24, 32, 24, 90))
        self.assertAlmostEqual(row.sell_through, 50)
        self.assertAlmostEqual(row.sell_through, 100 * sell_through(6, 6))
        # C never sold: a row in the current month, with its stock only
        row_c = self._rows(self.c)
        self.assertEqual(len(row_c), 1)
        self.assertTrue(row_c.is_current_month)
        self.assertEqual((row_c.qty, row_c.on_hand_qty, row_c.turnover), (0, 10, 0))

    def test_refund_and_cancel(self):
        """A cancelled sale leaves the figures; a POS refund takes its units back."""
        order = self._sale_lines(self.p3, [(self.c, 2, 10)], self.day)
        self.env.flush_all()
        self.assertEqual(sum(self._rows(self.c).mapped("qty")), 2)
        order._action_cancel()
        self.env.flush_all()
        self.assertEqual(sum(self._rows(self.c).mapped("qty")), 0)
        pos = self._pos_lines(self.p3, [(self.c, 3, 10)], self.day)
        self._refund_pos(pos, self.day)
        self.env.flush_all()
        self.assertEqual(sum(self._rows(self.c).mapped("qty")), 0)
        self.assertEqual(sum(self._rows(self.c).mapped("revenue")), 0)

    def test_promotion_for_slow_movers(self):
        slow = self.env["retail.product.analysis"].search(
            [
                ("company_id", "=", self.company.id),
                ("product_class", "=", "slow"),
                ("is_current_month", "=", True),
            ]
        )
        self.assertEqual(slow.product_id, self.c | self.d)
        programs_before = self.env["loyalty.program"].with_context(active_test=False).search([])
        action = slow.action_create_promotion()
        program = self.env["loyalty.program"].browse(action["res_id"])
        self.assertEqual(action["res_model"], "loyalty.program")
        self.assertNotIn(program, programs_before)
        self.assertEqual(program.program_type, "promotion")
        self.assertEqual(program.company_id, self.company)
        # created archived: nothing applies before the user has reviewed it
        self.assertFalse(program.active)
        self.assertEqual(program.rule_ids.product_ids, self.c | self.d)
        reward = program.reward_ids
        self.assertEqual(reward.reward_type, "discount")
        self.assertEqual(reward.discount_applicability, "specific")
        self.assertEqual(reward.discount_product_ids, self.c | self.d)
        self.assertEqual(reward.discount, 20)
        # an empty selection is refused
        with self.assertRaisesMessage(UserError, "Select the products"):
            self.env["retail.product.analysis"].action_create_promotion()

    def test_company_filter_reaches_the_lines(self):
        """The rows computed for the companies of the environment only are
        those of the computation over every company, restricted to them;
        another company's sale changes nothing of this company's rows."""
        other_wh = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_2.id)], limit=1
        )
        other_product = (
            self.env["product.product"]
            .with_company(self.company_2)
            .create({"name": "Oolong", "is_storable": True, "standard_price": 2.0})
        )
        self._sale_lines(self.p1, [(other_product, 2, 15)], self.day, company=self.company_2)
        self.env.flush_all()
        Analysis = self.env["retail.product.analysis"]
        columns = [name for name, field in Analysis._fields.items() if field.store]

        def rows(query, company):
            self.env.cr.execute(
                SQL(
                    "SELECT %s FROM (%s) r WHERE r.company_id = %s ORDER BY r.id",
                    SQL(", ").join(SQL.identifier(name) for name in columns),
                    query,
                    company.id,
                )
            )
            return self.env.cr.fetchall()

        for company in (self.company, self.company_2):
            everything = rows(Analysis._query(), company)
            self.assertTrue(everything)
            self.assertEqual(rows(Analysis.with_company(company)._table_query, company), everything)
        self.assertFalse(rows(Analysis.with_company(self.company)._table_query, self.company_2))
        self.assertIn(
            other_wh.id,
            Analysis.with_company(self.company_2)
            .search([("product_id", "=", other_product.id)])
            .warehouse_id.ids,
        )

    def test_access(self):
        retail_user = self._retail_user("pa_retail", "retail_customer_mgmt.group_retail_user")
        salesperson, cashier, portal, other = self._least_privileged_users("pa")
        Analysis = self.env["retail.product.analysis"]
        self.assertTrue(Analysis.with_user(retail_user).search([]))
        for user in (salesperson, cashier, portal):
            with self.assertRaises(AccessError):
                Analysis.with_user(user).search([])
        # another company's user sees none of this company's rows
        self.assertFalse(
            Analysis.with_user(other).search([("product_id", "in", (self.a | self.c).ids)])
        )
        # a retail user reads the slow movers but cannot create promotions
        slow = Analysis.with_user(retail_user).search(
            [("product_class", "=", "slow"), ("company_id", "=", self.company.id)]
        )
        self.assertTrue(slow)
        count = self.env["loyalty.program"].with_context(active_test=False).search_count([])
        with self.assertRaises(AccessError):
            slow.action_create_promotion()
        self.assertEqual(
            self.env["loyalty.program"].with_context(active_test=False).search_count([]), count
        )
        # a sales manager with retail rights can
        manager = self._retail_user(
            "pa_sales_manager",
            "sales_team.group_sale_manager,retail_customer_mgmt.group_retail_user",
        )
        action = slow.with_user(manager).action_create_promotion()
        self.assertTrue(self.env["loyalty.program"].browse(action["res_id"]).exists())


@tagged("post_install", "-at_install")
class TestDemandForecast(RetailCommon):
    """Nightly forecast, seasonality, reordering proposals and the low-stock scan."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write(
            {
                "retail_forecast_months": 3,
                "retail_reorder_lead_days": 7,
                "retail_reorder_safety_days": 8,
                "retail_reorder_review_days": 30,
            }
        )
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.categ = cls.env["product.category"].create({"name": "Seasonal tea"})
        Product = cls.env["product.product"].with_company(cls.company)
        cls.f = Product.create(
            {"name": "Mooncake tea", "is_storable": True, "categ_id": cls.categ.id}
        )
        cls.g = Product.create(
            {"name": "Chrysanthemum tea", "is_storable": True, "categ_id": cls.categ.id}
        )
        cls.partner = cls.env["res.partner"].create({"name": "Chen Jie"})
        cls.today = fields.Date.context_today(cls.env["res.partner"])
        cls.this_month = cls.today.replace(day=1)
        # F: twelve complete months, month k before this one sold 10 + k units
        # (k = 1..12), so the same month last year (k = 12) sold 22
        cls.f_history = {}
        for k in range(1, 13):
            day = cls.this_month - relativedelta(months=k) + timedelta(days=4)
            cls._sale_lines(cls.partner, [(cls.f, 10 + k, 5)], fields.Datetime.to_datetime(day))
            cls.f_history[k] = 10 + k
        # G: the last three months sold 10, 20 and 10 units (oldest first)
        for k, qty in ((3, 10), (2, 20), (1, 10)):
            day = cls.this_month - relativedelta(months=k) + timedelta(days=4)
            cls._sale_lines(cls.partner, [(cls.g, qty, 5)], fields.Datetime.to_datetime(day))
        cls.env.flush_all()
        cls.Forecast = cls.env["retail.product.forecast"]

    def _forecast(self, product):
        return self.Forecast.search(
            [("product_id", "=", product.id), ("warehouse_id", "=", self.warehouse.id)],
            order="month_index",
        )

    def test_forecast_against_hand_computed_series(self):
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        orderpoints = Orderpoint.search_count([])
        self.Forecast._refresh(self.company)
        rows = self._forecast(self.f)
        self.assertEqual(rows.mapped("month_index"), [1, 2, 3])
        self.assertEqual(rows[0].date, self.this_month)
        # seasonal naive: this month as the same month last year (k = 12: 22),
        # then k = 11 (21), k = 10 (20)
        self.assertEqual(set(rows.mapped("method")), {fc.SEASONAL_NAIVE})
        self.assertEqual(rows.mapped("qty"), [22, 21, 20])
        self.assertEqual(rows.mapped("last_year_qty"), [22, 21, 20])
        self.assertEqual(rows[0].history_months, 12)
        # proposal: 22 / 30 a day x (7 + 8) days = 11; + 30 days = 33
        self.assertAlmostEqual(rows[0].proposed_min_qty, 11.0)
        self.assertAlmostEqual(rows[0].proposed_max_qty, 33.0)
        self.assertFalse(rows[1].proposed_min_qty)
        # G: exponential smoothing of 10, 20, 10 = 12.1 each month
        g_rows = self._forecast(self.g)
        self.assertEqual(set(g_rows.mapped("method")), {fc.SES})
        for row in g_rows:
            self.assertAlmostEqual(row.qty, 12.1)
        # nothing touched Odoo's reordering rules
        self.assertEqual(Orderpoint.search_count([]), orderpoints)
        # a second night replaces, not adds
        self.Forecast._refresh(self.company)
        self.assertEqual(len(self._forecast(self.f)), 3)

    def test_refresh_writes_only_what_changed(self):
        """A second night keeps the unchanged rows as they are, updates the
        changed ones, deletes the pairs no longer sold and the months no
        longer ahead, and ends equal to a refresh from scratch."""
        self.Forecast._refresh(self.company)
        self.env.flush_all()
        f_rows, g_rows = self._forecast(self.f), self._forecast(self.g)
        self.env.cr.execute(
            "UPDATE retail_product_forecast SET write_date = '2000-01-01' WHERE company_id = %s",
            [self.company.id],
        )
        # G sells 30 more units last month; F is unchanged
        day = self.this_month - relativedelta(months=1) + timedelta(days=5)
        self._sale_lines(self.partner, [(self.g, 30, 5)], fields.Datetime.to_datetime(day))
        self.env.flush_all()
        self.env.invalidate_all()
        self.Forecast._refresh(self.company)
        self.assertEqual(self._forecast(self.f), f_rows)
        self.assertEqual(
            set(f_rows.mapped("write_date")), {fields.Datetime.to_datetime("2000-01-01")}
        )
        self.assertEqual(self._forecast(self.g), g_rows)
        self.assertNotIn(fields.Datetime.to_datetime("2000-01-01"), g_rows.mapped("write_date"))
        columns = "product_id, warehouse_id, date, month_index, qty, last_year_qty, method, "
        columns += "history_months, orderpoint_id, proposed_min_qty, proposed_max_qty"
        query = f"SELECT {columns} FROM retail_product_forecast WHERE company_id = %s ORDER BY 1, 3"
        self.env.cr.execute(query, [self.company.id])
        incremental = self.env.cr.fetchall()
        self.env.cr.execute(
            "DELETE FROM retail_product_forecast WHERE company_id = %s", [self.company.id]
        )
        self.env.invalidate_all()
        self.Forecast._refresh(self.company)
        self.env.cr.execute(query, [self.company.id])
        self.assertEqual(self.env.cr.fetchall(), incremental)
        # a shorter horizon and a month later: the rows beyond or before go
        self.company.retail_forecast_months = 2
        self.Forecast._refresh(self.company, today=self.this_month + relativedelta(months=1))
        self.assertEqual(
            self._forecast(self.f).mapped("date"),
            [self.this_month + relativedelta(months=1), self.this_month + relativedelta(months=2)],
        )
        self.assertEqual(self._forecast(self.f).mapped("month_index"), [1, 2])

    def test_seasonality(self):
        self.Forecast._refresh(self.company)
        seasons = self.env["retail.category.season"].search(
            [("categ_id", "=", self.categ.id), ("company_id", "=", self.company.id)]
        )
        self.assertEqual(len(seasons), 12)
        # units per month: F 10 + k, plus G's 10, 20, 10 in k = 3, 2, 1;
        # 12 months since the category's first sale, mean = (sum F + 40) / 12
        f_total = sum(self.f_history.values())
        mean = (f_total + 40) / 12
        by_month = {}
        for k in range(1, 13):
            month = (self.this_month - relativedelta(months=k)).month
            by_month[month] = self.f_history[k] + {1: 10, 2: 20, 3: 10}.get(k, 0)
        for season in seasons:
            self.assertEqual(season.qty, by_month[season.month_number])
            # stored with two decimals
            self.assertAlmostEqual(
                season.seasonal_index, by_month[season.month_number] / mean, places=2
            )
            # no sales a year before: no growth
            self.assertEqual(season.last_year_qty, 0)
            self.assertFalse(season.growth)

    def test_low_stock_scan_reads_the_forecast(self):
        self.company.retail_stock_alert_default = 100.0
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(self.f, self.warehouse.lot_stock_id, 33)
        self.Forecast._refresh(self.company)
        self.env["retail.stock.alert"]._scan(self.company)
        alert = self.env["retail.stock.alert"].search(
            [("product_id", "=", self.f.id), ("state", "=", "open")]
        )
        # this month's forecast 22 units = 22 / 30 a day: 33 units last 45 days
        self.assertAlmostEqual(alert.forecast_daily, 22 / 30)
        self.assertAlmostEqual(alert.days_of_cover, 45.0)
        # without a forecast the scan falls back to the last 30 days' pace
        # (nothing delivered in 30 days: no cover)
        self.Forecast.search([("product_id", "=", self.f.id)]).sudo().unlink()
        self.env["retail.stock.alert"]._scan(self.company)
        self.assertFalse(alert.forecast_daily)
        self.assertFalse(alert.days_of_cover)

    def test_apply_orderpoints_only_on_confirmation(self):
        self.Forecast._refresh(self.company)
        proposal = self._forecast(self.f)[0]
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        domain = [("product_id", "=", self.f.id), ("warehouse_id", "=", self.warehouse.id)]
        self.assertFalse(Orderpoint.search(domain))
        retail_manager = self._retail_user("fc_retail", "retail_customer_mgmt.group_retail_manager")
        stock_user = self._retail_user(
            "fc_stock_user", "stock.group_stock_user,retail_customer_mgmt.group_retail_user"
        )
        for user in (retail_manager, stock_user):
            with self.assertRaisesMessage(AccessError, "Only inventory administrators"):
                proposal.with_user(user).action_apply_orderpoints()
        self.assertFalse(Orderpoint.search(domain))
        for login, groups in (
            ("fc_sales", "sales_team.group_sale_salesman"),
            ("fc_cashier", "point_of_sale.group_pos_user"),
        ):
            user = self._retail_user(login, groups)
            with self.assertRaises(AccessError):
                proposal.with_user(user).read(["proposed_min_qty"])
        stock_manager = self._retail_user(
            "fc_stock_manager", "stock.group_stock_manager,retail_customer_mgmt.group_retail_user"
        )
        # a later month's row holds no proposal
        with self.assertRaisesMessage(UserError, "Months Ahead = 1"):
            self._forecast(self.f)[1].with_user(stock_manager).action_apply_orderpoints()
        proposal.with_user(stock_manager).action_apply_orderpoints()
        orderpoint = Orderpoint.search(domain)
        self.assertEqual(len(orderpoint), 1)
        self.assertAlmostEqual(orderpoint.product_min_qty, 11.0)
        self.assertAlmostEqual(orderpoint.product_max_qty, 33.0)
        self.assertEqual(proposal.orderpoint_id, orderpoint)
        self.assertAlmostEqual(proposal.current_min_qty, 11.0)
        # applied again after a change: the same rule is updated
        orderpoint.product_min_qty = 1
        proposal.with_user(stock_manager).action_apply_orderpoints()
        self.assertEqual(Orderpoint.search(domain), orderpoint)
        self.assertAlmostEqual(orderpoint.product_min_qty, 11.0)

    def test_other_company_and_portal(self):
        self.Forecast._refresh(self.company)
        other = self._retail_user(
            "fc_other", "retail_customer_mgmt.group_retail_user", company=self.company_2
        )
        self.assertFalse(self.Forecast.with_user(other).search([]))
        self.assertFalse(self.env["retail.category.season"].with_user(other).search([]))
        portal = new_test_user(self.env, login="fc_portal", groups="base.group_portal")
        for model in ("retail.product.forecast", "retail.category.season"):
            with self.assertRaises(AccessError):
                self.env[model].with_user(portal).search([])

    def test_settings_validation(self):
        for values, text in (
            ({"retail_forecast_months": 0}, "between 1 and 24"),
            ({"retail_product_hot_percent": 120}, "between 0 and 100"),
            ({"retail_reorder_lead_days": -1}, "cannot be negative"),
            ({"retail_product_window_days": 0}, "at least one day"),
        ):
            with self.assertRaisesMessage(ValidationError, text):
                self.company.write(values)
