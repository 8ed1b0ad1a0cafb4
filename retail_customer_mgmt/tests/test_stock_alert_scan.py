"""The set-based low-stock scan against the pure rules of services/.

The scan decides in one SQL statement (models/retail_stock_alert_scan.py);
these tests build real quants, stock moves, reordering rules and forecasts,
compute by hand (or with ``services.stock_alerts.decide``) what the alerts
must say, and compare.
"""

from datetime import timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo import fields
from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import tagged

from ..services.forecast import daily_pace
from ..services.stock_alerts import decide
from .common import RetailCommon

# per product and warehouse: on hand, reserved, receipts (qty, days ahead),
# deliveries (qty, days ago), reordering rule minimum, forecast of the month
quantity = st.sampled_from([0.0, 1.0, 2.5, 4.0, 7.0, 12.0])
cell = st.fixed_dictionaries(
    {
        "on_hand": quantity,
        "reserved": st.sampled_from([0.0, 1.0]),
        "receipts": st.lists(
            st.tuples(quantity, st.sampled_from([1, 3, 20])), max_size=2
        ),  # horizon 7 days: 20 days ahead does not count
        "deliveries": st.lists(
            st.tuples(st.sampled_from([1.0, 3.0]), st.sampled_from([2, 10, 45])), max_size=3
        ),  # 45 days ago: outside the 30 days
        "rule": st.one_of(st.none(), st.sampled_from([0.0, 3.0, 9.0])),
        "forecast": st.one_of(st.none(), st.sampled_from([0.0, 6.0, 45.0])),
    }
)
product = st.tuples(st.sampled_from([0.0, 2.0, 8.0]), cell, cell)


@tagged("post_install", "-at_install")
class TestStockAlertScan(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write({"retail_stock_alert_default": 0.0, "retail_stock_horizon_days": 7})
        cls.warehouses = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        ) | cls.env["stock.warehouse"].create(
            {"name": "Scan Shop", "code": "SCN", "company_id": cls.company.id}
        )
        cls.Alert = cls.env["retail.stock.alert"]
        cls.supplier = cls.env.ref("stock.stock_location_suppliers")
        cls.customer = cls.env.ref("stock.stock_location_customers")
        # the demo's products (if any) may open alerts of their own: the
        # tests compare the alerts of their own products
        cls.Alert._scan(cls.company)

    def _move(self, product, source, dest, qty, state, date):
        return self._stock_move(product, source, dest, qty, state, date, self.company)

    def _build(self, index, threshold, cells):
        """One product with ``cells`` (one per warehouse) as real stock records;
        returns the product and the expected decision per warehouse."""
        now = fields.Datetime.now()
        tea = (
            self.env["product.product"]
            .with_company(self.company)
            .create({"name": f"Scan tea {index}", "is_storable": True})
        )
        tea.retail_alert_below = threshold
        expected = {}
        for warehouse, data in zip(self.warehouses, cells, strict=True):
            stock = warehouse.lot_stock_id
            if data["on_hand"]:
                self.env["stock.quant"]._update_available_quantity(tea, stock, data["on_hand"])
                if data["reserved"]:
                    self.env["stock.quant"]._update_reserved_quantity(tea, stock, data["reserved"])
            reserved = data["reserved"] if data["on_hand"] else 0.0
            incoming = 0.0
            for qty, days in data["receipts"]:
                if qty:
                    self._move(
                        tea, self.supplier, stock, qty, "assigned", now + timedelta(days=days)
                    )
                    incoming += qty if days <= 7 else 0.0
            sold = 0.0
            for qty, days in data["deliveries"]:
                self._move(tea, stock, self.customer, qty, "done", now - timedelta(days=days))
                sold += qty if days <= 30 else 0.0
            if data["rule"] is not None:
                self.env["stock.warehouse.orderpoint"].create(
                    {
                        "product_id": tea.id,
                        "warehouse_id": warehouse.id,
                        "location_id": stock.id,
                        "company_id": self.company.id,
                        "product_min_qty": data["rule"],
                        "product_max_qty": data["rule"] * 2,
                        "trigger": "manual",
                    }
                )
            daily = None
            if data["forecast"] is not None:
                self.env["retail.product.forecast"].sudo().create(
                    {
                        "product_id": tea.id,
                        "warehouse_id": warehouse.id,
                        "company_id": self.company.id,
                        "date": fields.Date.today().replace(day=1),
                        "month_index": 1,
                        "qty": data["forecast"],
                    }
                )
                daily = daily_pace(data["forecast"])
            # deliveries done through moves only (no quant change): the
            # quant is what the test set, whatever was delivered
            expected[warehouse] = (
                decide(
                    data["on_hand"] - reserved,
                    incoming,
                    data["rule"],
                    threshold,
                    self.company.retail_stock_alert_default,
                    sold,
                    daily,
                ),
                sold,
                daily,
            )
        return tea, expected

    def _open(self, products):
        alerts = self.Alert.search([("product_id", "in", products.ids), ("state", "=", "open")])
        return {(a.product_id, a.warehouse_id): a for a in alerts}

    @settings(max_examples=10, deadline=None, derandomize=True, database=None)
    @given(
        products=st.lists(product, min_size=1, max_size=4),
        default=st.sampled_from([0.0, 3.0]),
    )
    def test_scan_decides_as_the_pure_rule(self, products, default):
        """Random quants, reservations, receipts (inside and beyond the
        horizon), deliveries (inside and beyond 30 days), rules, thresholds
        and forecasts: the open alerts are exactly the pure rule's "below",
        with its figures; a second scan finds nothing to change."""
        self.company.retail_stock_alert_default = default
        built = [self._build(i, threshold, cells) for i, (threshold, *cells) in enumerate(products)]
        teas = self.env["product.product"].concat(*(tea for tea, _e in built))
        self.Alert._scan(self.company)
        alerts = self._open(teas)
        for tea, expected in built:
            for warehouse, (decision, sold, daily) in expected.items():
                alert = alerts.get((tea, warehouse))
                self.assertEqual(bool(alert), decision.below, (tea.name, warehouse.code))
                if not alert:
                    continue
                self.assertAlmostEqual(alert.forecast_qty, decision.forecast)
                self.assertAlmostEqual(alert.threshold, decision.threshold)
                self.assertEqual(alert.threshold_source, decision.source)
                self.assertAlmostEqual(alert.daily_sales, sold / 30.0)
                self.assertAlmostEqual(alert.forecast_daily, daily or 0.0)
                if decision.days_of_cover is None:
                    self.assertFalse(alert.days_of_cover)
                else:
                    self.assertAlmostEqual(alert.days_of_cover, decision.days_of_cover)
        self.assertEqual(self.Alert._scan_changes(self.company), [], "steady state")

    def test_steady_state_reads_and_writes_only_the_differences(self):
        self.company.retail_stock_alert_default = 5.0
        teas = (
            self.env["product.product"]
            .with_company(self.company)
            .create([{"name": f"Steady tea {i}", "is_storable": True} for i in range(3)])
        )
        wh1, wh2 = self.warehouses
        Quant = self.env["stock.quant"]
        # 2, 9 and 4 on hand in the first shop, nothing in the second
        for tea, qty in zip(teas, (2.0, 9.0, 4.0), strict=True):
            Quant._update_available_quantity(tea, wh1.lot_stock_id, qty)
        self._move(teas[0], wh1.lot_stock_id, self.customer, 6.0, "done", fields.Datetime.now())
        self.Alert._scan(self.company)
        opened = self._open(teas)
        # below 5: tea 0 and tea 2 in the first shop, all three in the second
        self.assertEqual(
            {(t.name, w.code) for t, w in opened},
            {(teas[0].name, wh1.code), (teas[2].name, wh1.code)}
            | {(t.name, wh2.code) for t in teas},
        )
        # 2 left at 6 / 30 a day: 10 days
        self.assertAlmostEqual(opened[(teas[0], wh1)].days_of_cover, 10.0)
        stamps = {key: alert.write_date for key, alert in opened.items()}
        self.assertEqual(self.Alert._scan_changes(self.company), [])
        self.Alert._scan(self.company)
        self.env.invalidate_all()
        self.assertEqual(
            {key: alert.write_date for key, alert in self._open(teas).items()},
            stamps,
            "a scan that changes nothing writes nothing",
        )
        # one change each: tea 2 back above (closes), tea 1 below (opens),
        # tea 0 sells one more (updates)
        Quant._update_available_quantity(teas[2], wh1.lot_stock_id, 10.0)
        Quant._update_available_quantity(teas[1], wh1.lot_stock_id, -6.0)
        self._move(teas[0], wh1.lot_stock_id, self.customer, 3.0, "done", fields.Datetime.now())
        changes = self.Alert._scan_changes(self.company)
        by_kind = {
            ("close" if row[1] is None else "open" if row[0] is None else "update"): row
            for row in changes
        }
        self.assertEqual(len(changes), 3, changes)
        self.assertEqual(by_kind["close"][0], opened[(teas[2], wh1)].id)
        self.assertEqual(by_kind["open"][1:3], (teas[1].id, wh1.id))
        self.assertEqual(by_kind["update"][0], opened[(teas[0], wh1)].id)
        self.Alert._scan(self.company)
        after = self._open(teas)
        self.assertNotIn((teas[2], wh1), after)
        self.assertAlmostEqual(after[(teas[1], wh1)].forecast_qty, 3.0)
        # 2 left at 9 / 30 a day
        self.assertAlmostEqual(after[(teas[0], wh1)].days_of_cover, 2 / (9 / 30))
        self.assertEqual(self.Alert._scan_changes(self.company), [])

    def test_scan_is_not_callable_remotely(self):
        """The scan and its parts are private: JSON-RPC and XML-RPC (both
        through ``get_public_method``) refuse them to a salesperson, a
        cashier, a portal user and another company's stock user; none of
        them reads the alerts either."""
        self.Alert._scan(self.company)
        users = self._least_privileged_users("scan", other_groups="stock.group_stock_user")
        for user in users:
            for method in ("_scan", "_scan_changes", "_scan_flush"):
                with self.assertRaisesMessage(AccessError, "cannot be called remotely"):
                    get_public_method(self.Alert.with_user(user), method)
        for user in users[:3]:
            with self.assertRaises(AccessError):
                self.Alert.with_user(user).search_read([], ["forecast_qty"])
        self.assertFalse(
            self.Alert.with_user(users[3]).search([("company_id", "=", self.company.id)])
        )
