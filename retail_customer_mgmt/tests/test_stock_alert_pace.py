"""The stored pace of the low-stock scan (models/retail_stock_alert_pace.py)
against a from-scratch sum of the moves, after random sequences of real
stock moves done, cancelled, re-dated, re-quantified, moved between
warehouses and deleted; and the scan's 30 days read from it."""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import tagged
from odoo.tools import SQL

from .. import uninstall_hook
from ..models.retail_stock_alert_pace import PACE, add_sql, deliveries_sql
from .common import RetailCommon

# one step on a move: ("new", product, warehouse, qty, days ago, state) or
# (kind, index of an existing move, value)
step = st.one_of(
    st.tuples(
        st.just("new"),
        st.integers(0, 1),
        st.integers(0, 1),
        st.sampled_from([1.0, 2.5, 4.0]),
        st.sampled_from([0, 1, 29, 31]),
        st.sampled_from(["done", "done", "assigned"]),
    ),
    st.tuples(st.just("cancel"), st.integers(0, 9)),
    st.tuples(st.just("done"), st.integers(0, 9)),
    st.tuples(st.just("redate"), st.integers(0, 9), st.sampled_from([0, 3, 40])),
    st.tuples(st.just("qty"), st.integers(0, 9), st.sampled_from([1.0, 6.0])),
    st.tuples(st.just("warehouse"), st.integers(0, 9), st.integers(0, 1)),
    st.tuples(st.just("product"), st.integers(0, 9), st.integers(0, 1)),
    st.tuples(st.just("delete"), st.integers(0, 9)),
)


@tagged("post_install", "-at_install")
class TestStockAlertPace(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.warehouses = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        ) | cls.env["stock.warehouse"].create(
            {"name": "Pace Shop", "code": "PCE", "company_id": cls.company.id}
        )
        cls.customer = cls.env.ref("stock.stock_location_customers")
        cls.Alert = cls.env["retail.stock.alert"]

    def _teas(self, count=2, prefix="Pace tea"):
        return (
            self.env["product.product"]
            .with_company(self.company)
            .create([{"name": f"{prefix} {i}", "is_storable": True} for i in range(count)])
        )

    def _move(self, product, source, qty, state, date):
        return self._stock_move(product, source, self.customer, qty, state, date, self.company)

    def _stored(self, products):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT company_id, product_id, warehouse_id, day, qty::float8 FROM %s "
                "WHERE product_id = ANY(%s) AND qty <> 0",
                SQL.identifier(PACE),
                products.ids,
            )
        )
        return sorted(self.env.cr.fetchall())

    def _from_scratch(self, products):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """SELECT company_id, product_id, warehouse_id, day, SUM(qty)::float8
                     FROM (%s) d WHERE product_id = ANY(%s)
                 GROUP BY 1, 2, 3, 4 HAVING SUM(qty) <> 0""",
                deliveries_sql("stock_move"),
                products.ids,
            )
        )
        return sorted(self.env.cr.fetchall())

    def _apply(self, moves, teas, op):
        kind, *args = op
        now = fields.Datetime.now()
        if kind == "new":
            tea, warehouse, qty, days, state = args
            stock = self.warehouses[warehouse].lot_stock_id
            return moves + [self._move(teas[tea], stock, qty, state, now - timedelta(days=days))]
        if not moves:
            return moves
        move = moves[args[0] % len(moves)]
        if kind == "delete":
            # Odoo refuses to delete a done move; the database may still
            # (a cleanup script): the trigger follows it too
            self.env.flush_all()
            self.env.cr.execute(SQL("DELETE FROM stock_move WHERE id = %s", move.id))
            move.invalidate_recordset()
            return [m for m in moves if m != move]
        values = {
            "cancel": lambda: {"state": "cancel"},
            "done": lambda: {"state": "done"},
            "redate": lambda: {"date": now - timedelta(days=args[1])},
            "qty": lambda: {"product_uom_qty": args[1]},
            "warehouse": lambda: {"location_id": self.warehouses[args[1]].lot_stock_id.id},
            "product": lambda: {"product_id": teas[args[1]].id},
        }[kind]()
        move.write(values)
        return moves

    @settings(max_examples=15, deadline=None, derandomize=True, database=None)
    @given(ops=st.lists(step, min_size=1, max_size=12))
    def test_stored_pace_equals_the_moves(self, ops):
        """Random deliveries done (and not), cancelled, done again,
        re-dated inside and outside the 30 days, re-quantified, moved to
        the other warehouse or product, deleted: after each step the stored
        days equal the sum of the moves; a rebuild changes nothing."""
        teas = self._teas()
        moves = []
        for op in ops:
            moves = self._apply(moves, teas, op)
            self.assertEqual(self._stored(teas), self._from_scratch(teas), op)
        before = self._stored(teas)
        self.Alert._retail_pace_rebuild()
        self.assertEqual(self._stored(teas), before)

    def test_location_moved_to_another_warehouse(self):
        """A shelf moved from one shop to the other: its past deliveries
        count for the new shop (the location trigger sums them again)."""
        wh1, wh2 = self.warehouses
        shelf = self.env["stock.location"].create(
            {"name": "Pace shelf", "location_id": wh1.lot_stock_id.id, "usage": "internal"}
        )
        tea = self._teas(1, "Shelf tea")
        self._move(tea, shelf, 3.0, "done", fields.Datetime.now() - timedelta(days=2))
        self._move(tea, wh1.lot_stock_id, 2.0, "done", fields.Datetime.now())
        self.assertEqual(
            [(row[2], row[4]) for row in self._stored(tea)], [(wh1.id, 3.0), (wh1.id, 2.0)]
        )
        shelf.location_id = wh2.lot_stock_id
        self.assertEqual(shelf.warehouse_id, wh2)
        self.assertEqual(self._stored(tea), self._from_scratch(tea))
        self.assertEqual(
            [(row[2], row[4]) for row in self._stored(tea)], [(wh1.id, 2.0), (wh2.id, 3.0)]
        )

    def test_scan_counts_the_first_day_from_the_moves(self):
        """The 30 days start at this hour 30 days ago: a delivery an hour
        after counts, one an hour before does not (the stored days are
        whole days; the first day is read from the moves)."""
        self.company.write({"retail_stock_alert_default": 5.0, "retail_stock_horizon_days": 7})
        wh1 = self.warehouses[0]
        tea = self._teas(1, "Boundary tea")
        now = fields.Datetime.now()
        start = now - timedelta(days=30)
        self._move(tea, wh1.lot_stock_id, 1.0, "done", start + timedelta(hours=1))
        self._move(tea, wh1.lot_stock_id, 2.0, "done", start - timedelta(hours=1))
        self._move(tea, wh1.lot_stock_id, 4.0, "done", now - timedelta(days=10))
        self._move(tea, wh1.lot_stock_id, 8.0, "done", start - timedelta(days=3))
        self.Alert._scan(self.company)
        alert = self.Alert.search(
            [("product_id", "=", tea.id), ("warehouse_id", "=", wh1.id), ("state", "=", "open")]
        )
        self.assertAlmostEqual(alert.daily_sales, 5.0 / 30.0)

    def test_add_sql_merges_the_same_day(self):
        """Two deliveries of a product on one day are one stored row with
        their sum; a delivery taken back leaves that day at its rest."""
        wh1 = self.warehouses[0]
        tea = self._teas(1, "Day tea")
        day = fields.Datetime.now() - timedelta(days=1)
        first = self._move(tea, wh1.lot_stock_id, 2.0, "done", day)
        self._move(tea, wh1.lot_stock_id, 3.0, "done", day + timedelta(minutes=1))
        rows = self._stored(tea)
        self.assertEqual([row[4] for row in rows], [5.0])
        first.state = "cancel"
        self.assertEqual([row[4] for row in self._stored(tea)], [3.0])
        # the statement adds to an existing day (ON CONFLICT), it does not replace it
        self.env.cr.execute(add_sql(deliveries_sql("stock_move")))
        self.assertNotEqual(self._stored(tea), self._from_scratch(tea))

    def test_pace_is_not_callable_remotely(self):
        """The pace's methods are private: JSON-RPC and XML-RPC refuse them
        to a salesperson, a cashier, a portal user and another company's
        stock user."""
        users = self._least_privileged_users("pace", other_groups="stock.group_stock_user")
        for user in users:
            for method in (
                "_retail_pace_rebuild",
                "_retail_pace_drop",
                "_retail_pace_triggers",
                "_retail_pace_function",
            ):
                with self.assertRaisesMessage(AccessError, "cannot be called remotely"):
                    get_public_method(self.Alert.with_user(user), method)

    def test_uninstall_hook_drops_the_triggers_and_the_table(self):
        """The uninstall hook leaves no trigger, function or table of the
        pace behind (Odoo drops only the models' tables), and the moves
        still save without them (the drop is rolled back with the test)."""
        cr = self.env.cr
        query = SQL(
            """SELECT (SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE %s),
                      (SELECT COUNT(*) FROM pg_proc WHERE proname LIKE %s),
                      to_regclass(%s) IS NOT NULL""",
            "retail_stock_pace%",
            "retail_stock_pace%",
            PACE,
        )
        cr.execute(query)
        self.assertEqual(cr.fetchone(), (4, 2, True))
        uninstall_hook(self.env)
        cr.execute(query)
        self.assertEqual(cr.fetchone(), (0, 0, False))
        tea = self._teas(1, "After tea")
        move = self._move(tea, self.warehouses[0].lot_stock_id, 1.0, "done", fields.Datetime.now())
        self.env.flush_all()
        self.assertEqual(move.product_qty, 1.0)
