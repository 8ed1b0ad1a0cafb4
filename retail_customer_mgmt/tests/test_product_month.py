from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import tagged
from odoo.tools import sql

from .. import uninstall_hook
from .common import RetailCommon

COLUMNS = """company_id, warehouse_id, product_id, date, qty, ROUND(revenue::numeric, 6),
             line_count, customer_count, repeat_customer_count, last_sale"""
PAIR_COLUMNS = """company_id, warehouse_id, product_id, window_qty, ROUND(window_revenue, 6),
                  last_sale"""
# the figures of the analysis that the stored pairs feed
VIEW_FIELDS = [
    "product_id",
    "warehouse_id",
    "date",
    "qty",
    "revenue",
    "customer_count",
    "repeat_customer_count",
    "window_qty",
    "window_revenue",
    "revenue_rank",
    "product_class",
    "last_sale",
]
# sale orders re-dated, cancelled, confirmed again, changed; POS orders refunded
OPERATIONS = st.lists(
    st.tuples(
        st.sampled_from(["redate", "cancel", "confirm", "qty", "partner", "refund", "window"]),
        st.integers(min_value=0, max_value=3),
        st.integers(min_value=0, max_value=14),
    ),
    min_size=1,
    max_size=4,
)


@tagged("post_install", "-at_install")
class TestProductMonth(RetailCommon):
    """The stored months stay equal to a computation from every line after
    any change of the orders, refreshed from the changed products only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        Product = cls.env["product.product"].with_company(cls.company)
        cls.products = Product.create(
            [{"name": f"Month tea {n}", "is_storable": True} for n in range(3)]
        )
        cls.partners = cls.env["res.partner"].create(
            [{"name": "Sun Li"}, {"name": "Zhou Yu"}, {"name": "Qian Bo"}]
        )
        now = fields.Datetime.now()
        a, b, c = cls.products
        cls.sales = [
            cls._sale_lines(cls.partners[0], [(a, 2, 10), (b, 1, 5)], now - timedelta(days=40)),
            cls._sale_lines(cls.partners[0], [(a, 1, 10)], now - timedelta(days=38)),
            cls._sale_lines(cls.partners[1], [(b, 4, 5)], now - timedelta(days=70)),
            cls._sale_lines(cls.partners[2], [(c, 3, 7)], now - timedelta(days=5)),
        ]
        cls.pos = [
            cls._pos_lines(cls.partners[1], [(a, 1, 10)], now - timedelta(days=39)),
            cls._pos_lines(cls.partners[2], [(c, 2, 7), (b, 1, 5)], now - timedelta(days=3)),
        ]
        cls.env.flush_all()
        cls.Month = cls.env["retail.product.month"]

    def _stored(self):
        """The stored months and window figures (pairs)."""
        self.env.flush_all()
        self.env.cr.execute(f"SELECT {COLUMNS} FROM retail_product_month ORDER BY 1, 2, 3, 4")
        months = self.env.cr.fetchall()
        self.env.cr.execute(f"SELECT {PAIR_COLUMNS} FROM retail_product_pair ORDER BY 1, 2, 3")
        return months, self.env.cr.fetchall()

    def _view(self):
        self.env.flush_all()
        self.env.invalidate_all()
        return self.env["retail.product.analysis"].search_read(
            [("product_id", "in", self.products.ids)], VIEW_FIELDS, order="id"
        )

    def _window(self):
        """Units and revenue in the window per product, as the view reads them."""
        return {
            row["product_id"][0]: (row["window_qty"], round(row["window_revenue"], 6))
            for row in self._view()
        }

    def _check_refresh_equals_rebuild(self):
        """The view the same before the refresh, after it and after a
        rebuild; the stored months and pairs of the refresh those of a
        rebuild. Returns the stored months."""
        view = self._view()
        self.Month._refresh_months()
        incremental = self._stored()
        self.env.cr.execute("SELECT COUNT(*) FROM retail_product_month_dirty")
        self.assertEqual(self.env.cr.fetchone()[0], 0)
        self.assertEqual(self._view(), view)
        self.Month._rebuild()
        self.assertEqual(incremental, self._stored())
        self.assertEqual(self._view(), view)
        return incremental[0]

    def _apply(self, operation, index, days):
        order = self.sales[index]
        if operation == "redate":
            order.date_order = fields.Datetime.now() - timedelta(days=days * 7)
        elif operation == "cancel":
            order._action_cancel()
        elif operation == "confirm" and order.state != "sale":
            order.action_draft()
            order.action_confirm()
        elif operation == "qty":
            order.order_line[:1].product_uom_qty = days + 1
        elif operation == "partner":
            order.partner_id = self.partners[days % 3]
        elif operation == "refund" and self.pos[index % 2].has_refundable_lines:
            self._refund_pos(self.pos[index % 2], fields.Datetime.now())
        elif operation == "window":
            # the window start moves, as the days pass between two refreshes
            self.company.retail_product_window_days = 2 + days * 5
        self.env.flush_all()

    def test_incremental_refresh_equals_rebuild(self):
        a, b, c = self.products
        before = self._check_refresh_equals_rebuild()
        self.assertTrue(before)
        # the months of A: two sales orders of P0 40 and 38 days ago and a
        # POS order of P1 39 days ago, in one or two months
        rows_a = [row for row in before if row[2] == a.id]
        self.assertEqual(sum(row[4] for row in rows_a), 4)
        self.assertEqual(sum(row[6] for row in rows_a), 3)
        # confirm a new order, cancel one, refund at the till, re-date one
        # into another month, change a customer: each marks its products
        self._sale_lines(self.partners[1], [(c, 5, 7)], fields.Datetime.now())
        self.sales[2]._action_cancel()
        self._refund_pos(self.pos[1], fields.Datetime.now())
        self.sales[0].date_order = fields.Datetime.now() - timedelta(days=400)
        self.sales[3].partner_id = self.partners[0]
        self.env.flush_all()
        self.env.cr.execute("SELECT DISTINCT product_id FROM retail_product_month_dirty")
        self.assertEqual({row[0] for row in self.env.cr.fetchall()}, set(self.products.ids))
        after = self._check_refresh_equals_rebuild()
        self.assertNotEqual(after, before)
        # B's cancelled order and refund: 1 (sale 0) + 1 (POS) - 1 (refund)
        self.assertEqual(sum(row[4] for row in after if row[2] == b.id), 1)

    def test_analysis_exact_before_the_refresh(self):
        """The view reads the changed products from their lines: the same
        figures before and after the nightly refresh."""
        self.Month._refresh_months()
        self._sale_lines(self.partners[1], [(self.products[0], 6, 10)], fields.Datetime.now())
        self.sales[1]._action_cancel()
        self.env.flush_all()
        Analysis = self.env["retail.product.analysis"]
        fields_read = ["product_id", "date", "qty", "revenue", "customer_count", "window_qty"]

        def rows():
            self.env.invalidate_all()
            return Analysis.search_read(
                [("product_id", "in", self.products.ids)], fields_read, order="id"
            )

        before = rows()
        self.assertEqual(
            sum(row["qty"] for row in before if row["product_id"][0] == self.products[0].id),
            2 + 1 + 6,  # sale 0 and the POS order, the new sale; sale 1 cancelled
        )
        self.Month._refresh_months()
        self.assertEqual(rows(), before)

    @settings(max_examples=6, deadline=None, derandomize=True, database=None)
    @given(operations=OPERATIONS)
    def test_random_changes_property(self, operations):
        """Any sequence of changes: the incremental refresh equals a rebuild."""
        self.Month._refresh_months()
        for operation in operations:
            self._apply(*operation)
        self._check_refresh_equals_rebuild()

    def test_window_moves_between_refreshes(self):
        """The stored window figures count from the window start of their
        refresh; when the window moves (the days pass, the setting changes)
        the view adds the lines that entered it and takes off those that
        left it, and the refresh moves the stored figures the same way."""
        a, b, c = self.products
        self.company.retail_product_window_days = 90
        self.Month._refresh_months()
        # hand-computed: A 2 + 1 (sales) + 1 (POS) at 10; B 1 + 4 (sales) +
        # 1 (POS) at 5; C 3 (sale) + 2 (POS) at 7
        self.assertEqual(self._window(), {a.id: (4, 40), b.id: (6, 30), c.id: (5, 35)})
        # 30 days: A's lines (38 to 40 days ago) and B's of 40 and 70 days
        # ago leave the window, before and after the refresh
        self.company.retail_product_window_days = 30
        expected = {a.id: (0, 0), b.id: (1, 5), c.id: (5, 35)}
        self.assertEqual(self._window(), expected)
        self._check_refresh_equals_rebuild()
        self.assertEqual(self._window(), expected)
        # 45 days: those of 38 to 40 days ago come back
        self.company.retail_product_window_days = 45
        expected = {a.id: (4, 40), b.id: (2, 10), c.id: (5, 35)}
        self.assertEqual(self._window(), expected)
        self.Month._refresh_months()
        self.env.cr.execute(
            "SELECT product_id, window_qty FROM retail_product_pair WHERE product_id = ANY(%s)",
            [self.products.ids],
        )
        self.assertEqual(dict(self.env.cr.fetchall()), {a.id: 4, b.id: 2, c.id: 5})
        self._check_refresh_equals_rebuild()

    def test_pair_access(self):
        """The stored pairs: read by retail users of the company only,
        written by nobody through the ORM; their refresh is private."""
        self.Month._refresh_months()
        Pair = self.env["retail.product.pair"]
        retail_user = self._retail_user("pp_retail", "retail_customer_mgmt.group_retail_user")
        users = self._least_privileged_users("pp")
        mine = [("product_id", "in", self.products.ids)]
        rows = Pair.with_user(retail_user).search(mine)
        self.assertEqual(set(rows.product_id.ids), set(self.products.ids))
        for user in users[:3]:
            with self.assertRaises(AccessError):
                Pair.with_user(user).search(mine)
        self.assertFalse(Pair.with_user(users[3]).search(mine))
        with self.assertRaises(AccessError):
            rows[:1].write({"window_qty": 1000})
        with self.assertRaises(AccessError):
            Pair.with_user(retail_user).create(
                {"company_id": self.company.id, "product_id": self.products[0].id}
            )
        with self.assertRaises(AccessError):
            rows[:1].unlink()
        for user in (retail_user, *users):
            for method in ("_refresh_pairs", "_rebuild_pairs", "_save_window_start", "_drop_state"):
                with self.assertRaisesRegex(AccessError, "cannot be called remotely"):
                    get_public_method(Pair.with_user(user), method)

    def test_uninstall_drops_side_tables(self):
        """The uninstall hook drops the triggers and the tables beside the
        models (rolled back here)."""
        cr = self.env.cr
        cr.execute("SAVEPOINT uninstall_hook")
        try:
            uninstall_hook(self.env)
            for table in (
                "retail_product_pair_state",
                "retail_product_month_dirty",
                "retail_product_forecast_dirty",
                "retail_product_forecast_state",
            ):
                self.assertFalse(sql.table_exists(cr, table), table)
            cr.execute(
                "SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE 'retail_product_month_%%'"
            )
            self.assertEqual(cr.fetchone()[0], 0)
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT uninstall_hook")
        self.assertTrue(sql.table_exists(cr, "retail_product_pair_state"))

    def test_access(self):
        self.Month._refresh_months()
        retail_user = self._retail_user("pm_retail", "retail_customer_mgmt.group_retail_user")
        salesperson, cashier, portal, other = self._least_privileged_users("pm")
        mine = [("product_id", "in", self.products.ids)]
        self.assertTrue(self.Month.with_user(retail_user).search(mine))
        for user in (salesperson, cashier, portal):
            with self.assertRaises(AccessError):
                self.Month.with_user(user).search(mine)
        # another company's user sees none of this company's months
        self.assertFalse(self.Month.with_user(other).search(mine))
        # read-only, even for a retail user; the refresh is not theirs to run
        row = self.Month.with_user(retail_user).search(mine, limit=1)
        with self.assertRaises(AccessError):
            row.write({"qty": 1000})
        with self.assertRaises(AccessError):
            self.Month.with_user(retail_user).create(
                {"company_id": self.company.id, "product_id": self.products[0].id}
            )
