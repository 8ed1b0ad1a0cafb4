from datetime import timedelta

import lxml.html

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestStockAlerts(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write({"retail_stock_alert_default": 3.0, "retail_stock_horizon_days": 7})
        cls.wh1 = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        cls.wh2 = cls.env["stock.warehouse"].create(
            {"name": "Second Shop", "code": "SH2", "company_id": cls.company.id}
        )
        cls.stock_user = cls._retail_user("alert_stock", "stock.group_stock_user")
        Product = cls.env["product.product"].with_company(cls.company)
        cls.p1 = Product.create(
            {
                "name": "Jasmine tea",
                "is_storable": True,
                "retail_alert_below": 10,
                "responsible_id": cls.stock_user.id,
            }
        )
        cls.p2 = Product.create(
            {"name": "Oolong tea", "is_storable": True, "retail_alert_below": 5}
        )
        cls.p3 = Product.create({"name": "Tea cups", "is_storable": True})
        cls.env["stock.warehouse.orderpoint"].create(
            {
                "product_id": cls.p2.id,
                "warehouse_id": cls.wh1.id,
                "location_id": cls.wh1.lot_stock_id.id,
                "company_id": cls.company.id,
                "product_min_qty": 20,
                "product_max_qty": 40,
                "trigger": "manual",
            }
        )
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.p1, cls.wh1.lot_stock_id, 4)
        Quant._update_available_quantity(cls.p2, cls.wh1.lot_stock_id, 15)
        Quant._update_available_quantity(cls.p3, cls.wh1.lot_stock_id, 5)
        cls.Alert = cls.env["retail.stock.alert"]

    def _open(self):
        alerts = self.Alert.search(
            [
                ("company_id", "=", self.company.id),
                ("state", "=", "open"),
                ("product_id", "in", (self.p1 | self.p2 | self.p3).ids),
            ]
        )
        return {(a.product_id, a.warehouse_id): a for a in alerts}

    def _receipt(self, product, qty, warehouse, validate=True, date=None):
        picking = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "location_id": self.env.ref("stock.stock_location_suppliers").id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "scheduled_date": date or fields.Datetime.now(),
                "move_ids": [
                    Command.create(
                        {
                            "name": product.name,
                            "product_id": product.id,
                            "product_uom_qty": qty,
                            "product_uom": product.uom_id.id,
                            "location_id": self.env.ref("stock.stock_location_suppliers").id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                            "date": date or fields.Datetime.now(),
                        }
                    )
                ],
            }
        )
        picking.action_confirm()
        if validate:
            self._validate_picking(picking)
        return picking

    def test_thresholds_open_alerts_once(self):
        self.Alert._scan(self.company)
        alerts = self._open()
        self.assertEqual(
            {
                (p.name, w.code, a.threshold, a.threshold_source, a.forecast_qty)
                for (p, w), a in alerts.items()
            },
            {
                ("Jasmine tea", self.wh1.code, 10.0, "product", 4.0),
                ("Jasmine tea", "SH2", 10.0, "product", 0.0),
                ("Oolong tea", self.wh1.code, 20.0, "orderpoint", 15.0),  # rule wins
                ("Oolong tea", "SH2", 5.0, "product", 0.0),
                ("Tea cups", "SH2", 3.0, "company", 0.0),  # 5 in WH1: above 3
            },
        )
        jasmine = alerts[(self.p1, self.wh1)]
        self.assertEqual(jasmine.user_id, self.stock_user)
        self.assertEqual(len(jasmine.activity_ids), 1)
        self.Alert._scan(self.company)
        again = self._open()
        self.assertEqual(again, alerts, "a second scan keeps the same alerts")
        self.assertEqual(len(jasmine.activity_ids), 1, "no second activity")

    def test_receipt_closes_and_incoming_counts(self):
        self.Alert._scan(self.company)
        self._receipt(self.p1, 20, self.wh1)
        # a confirmed receipt expected tomorrow counts in the forecast
        self._receipt(
            self.p3, 5, self.wh2, validate=False, date=fields.Datetime.now() + timedelta(days=1)
        )
        self.Alert._scan(self.company)
        alerts = self._open()
        self.assertNotIn((self.p1, self.wh1), alerts)
        self.assertNotIn((self.p3, self.wh2), alerts)
        self.assertIn((self.p1, self.wh2), alerts, "the other warehouse is still short")
        closed = self.Alert.search(
            [("product_id", "=", self.p1.id), ("warehouse_id", "=", self.wh1.id)]
        )
        self.assertEqual((closed.state, bool(closed.closed_at)), ("closed", True))
        # a receipt far beyond the horizon does not count
        self._receipt(
            self.p2, 50, self.wh2, validate=False, date=fields.Datetime.now() + timedelta(days=30)
        )
        self.Alert._scan(self.company)
        self.assertIn((self.p2, self.wh2), self._open())

    def test_days_of_cover_and_regular_customers(self):
        customers = self.env["res.partner"].create(
            [{"name": "Tea lover 1"}, {"name": "Tea lover 2"}]
        )
        for customer in customers:
            order = (
                self.env["sale.order"]
                .with_company(self.company)
                .create(
                    {
                        "partner_id": customer.id,
                        "company_id": self.company.id,
                        "warehouse_id": self.wh1.id,
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.p3.id,
                                    "product_uom_qty": 1.0,
                                    "price_unit": 5.0,
                                }
                            )
                        ],
                    }
                )
            )
            order.action_confirm()
            picking = order.picking_ids
            self._validate_picking(picking)
        # 2 sold in 30 days, 3 left: below the default threshold of 3? no, 3 is not < 3
        self.company.retail_stock_alert_default = 4.0
        self.Alert._scan(self.company)
        cups = self._open()[(self.p3, self.wh1)]
        self.assertEqual(cups.forecast_qty, 3.0)
        self.assertAlmostEqual(cups.daily_sales, 2 / 30)
        self.assertAlmostEqual(cups.days_of_cover, 45.0)
        self.assertEqual(cups.regular_customer_count, 2)

    def test_replenish_uses_odoo_reordering_rules(self):
        self.Alert._scan(self.company)
        alert = self._open()[(self.p1, self.wh1)]
        action = alert.action_replenish()
        orderpoint = alert.orderpoint_id
        self.assertEqual((orderpoint.product_min_qty, orderpoint.warehouse_id), (10.0, self.wh1))
        self.assertEqual(action["res_model"], "stock.warehouse.orderpoint")
        self.assertEqual(
            alert.action_replenish()["domain"],
            [("id", "=", orderpoint.id)],
            "the second click reuses the rule",
        )
        self.assertEqual(self.p1.retail_stock_alert_count, 2)

    def test_bad_thresholds(self):
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.p1.retail_alert_below = -1
        self.assertEqual(self.p1.retail_alert_below, 10.0)
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.company.retail_stock_alert_default = -5

    def test_multi_company_access(self):
        self.Alert._scan(self.company)
        other = self._retail_user("alert_other", "stock.group_stock_user", company=self.company_2)
        self.assertFalse(self.Alert.with_user(other).search([]))
        self.assertTrue(self.Alert.with_user(self.stock_user).search([]))

    def test_constant_query_count(self):
        Product = self.env["product.product"].with_company(self.company)

        def queries():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Alert._scan(self.company)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        Product.create([{"name": f"Bulk {i}", "is_storable": True} for i in range(5)])
        queries()
        small = queries()
        Product.create([{"name": f"Bulk {i}", "is_storable": True} for i in range(300)])
        queries()  # the new products open alerts once
        large = queries()
        self.assertEqual(small, large)

    def _sell(self, product, qty, warehouse):
        """Deliver ``qty`` of ``product`` from ``warehouse`` to a customer (done move)."""
        order = (
            self.env["sale.order"]
            .with_company(self.company)
            .create(
                {
                    "partner_id": self.env["res.partner"].create({"name": "Walk-in"}).id,
                    "company_id": self.company.id,
                    "warehouse_id": warehouse.id,
                    "order_line": [
                        Command.create(
                            {"product_id": product.id, "product_uom_qty": qty, "price_unit": 5.0}
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        self._validate_picking(order.picking_ids)
        return order

    def test_daily_digest_to_stock_managers(self):
        """Rows worked out by hand: Oolong sold 12 of 15 in WH1 (3 left at 12/30
        a day: 7.5 days), Jasmine sold 1 of 4 (3 left at 1/30 a day: 90 days);
        the same teas in the second shop never sold there: no days of cover,
        listed after the ones that sell, never ranked as the most urgent."""
        self.company.retail_stock_alert_default = 0.0  # tea cups and demo products: no alert
        self._sell(self.p2, 12, self.wh1)
        self._sell(self.p1, 1, self.wh1)
        manager = self._retail_user("alert_manager", "stock.group_stock_manager")
        manager.email = "stock.manager@example.cn"
        self.Alert._scan(self.company)
        self.Alert._cron_retail_stock_digest()
        mail = self.env["mail.mail"].search([("recipient_ids", "in", manager.partner_id.ids)])
        self.assertEqual(len(mail), 1)
        self.assertIn("low-stock alerts", mail.subject)
        # the digest's own table (the mail layout wraps it in others)
        table = lxml.html.fromstring(mail.body_html).xpath("//table[.//th and not(.//table)]")[0]
        rows = [
            tuple(" ".join(cell.text_content().split()) for cell in row.xpath("td"))
            for row in table.xpath(".//tr[td]")
        ]
        wh1, wh2 = self.wh1.name, self.wh2.name
        self.assertEqual(
            rows[:2],
            [
                ("Oolong tea", wh1, "3.0", "20.0", "7.5", "1"),
                ("Jasmine tea", wh1, "3.0", "10.0", "90.0", "1"),
            ],
            "most urgent (fewest days of cover) first",
        )
        self.assertCountEqual(
            rows[2:],
            [
                ("Jasmine tea", wh2, "0.0", "10.0", "-", "1"),
                ("Oolong tea", wh2, "0.0", "5.0", "-", "1"),
            ],
            "never sold in that shop: no days of cover, after the products that sell",
        )
        never_sold = self._open()[(self.p1, self.wh2)]
        self.env.cr.execute(
            "SELECT days_of_cover FROM retail_stock_alert WHERE id = %s", [never_sold.id]
        )
        self.assertIsNone(self.env.cr.fetchone()[0], "empty, as the field's help says")

    def test_alert_opening_scan_query_count(self):
        """The scan that opens alerts costs the same queries for 1 short
        product as for 40 (with a responsible: 2 activities each, within one
        of Odoo's insert batches of 100) and as for 600 without responsible
        (1,200 alerts: more than Odoo reads at once)."""
        Product = self.env["product.product"].with_company(self.company)

        def opening_scan(count, responsible):
            Product.create(
                [
                    {
                        "name": f"Short {count} {i}",
                        "is_storable": True,
                        "retail_alert_below": 2,
                        "responsible_id": responsible.id,
                    }
                    for i in range(count)
                ]
            )
            self.env.flush_all()
            # Odoo's caches (records, the environment's user and companies,
            # access rules, groups) may be filled or emptied by the products
            # created above: every scan starts with them empty
            self.env.reset()
            self.env.registry.clear_cache("default", "groups")
            before = self.env.cr.sql_log_count
            created = self.Alert._scan(self.company)
            self.env.flush_all()
            queries = self.env.cr.sql_log_count - before
            # two warehouses each: 2 alerts (and 2 activities) per product
            self.assertEqual(len(created), 2 * count)
            self.assertEqual(len(created.activity_ids), 2 * count if responsible else 0)
            return queries

        self.Alert._scan(self.company)  # the fixture's alerts
        nobody = self.env["res.users"]
        for responsible in (self.stock_user, nobody):
            opening_scan(1, responsible)  # warm-up
        one = opening_scan(1, self.stock_user)
        many = opening_scan(40, self.stock_user)
        self.assertEqual(one, many, f"{one} queries to open 2 alerts, {many} to open 80")
        one = opening_scan(1, nobody)
        many = opening_scan(600, nobody)
        self.assertEqual(one, many, f"{one} queries to open 2 alerts, {many} to open 1,200")

    def test_alert_reopens_after_it_closed(self):
        self.Alert._scan(self.company)
        first = self._open()[(self.p1, self.wh1)]
        self._receipt(self.p1, 20, self.wh1)  # 24 on hand
        self.Alert._scan(self.company)
        self.assertEqual(first.state, "closed")
        self.assertNotIn((self.p1, self.wh1), self._open())
        self._sell(self.p1, 18, self.wh1)  # 6 left, below 10 again
        self.Alert._scan(self.company)
        again = self._open()[(self.p1, self.wh1)]
        self.assertNotEqual(again, first, "a new alert, the closed one keeps its history")
        self.assertEqual((first.state, again.state), ("closed", "open"))
        self.assertEqual(again.forecast_qty, 6.0)
        self.assertAlmostEqual(again.days_of_cover, 10.0, msg="6 left at 18/30 a day")
        self.assertEqual(len(again.activity_ids), 1, "the responsible is asked again")
        self.assertEqual(
            self.Alert.search_count(
                [("product_id", "=", self.p1.id), ("warehouse_id", "=", self.wh1.id)]
            ),
            2,
        )

    def test_scheduled_scan_covers_every_company(self):
        """The scheduled action itself (not the method): both companies scanned."""
        other_wh = self.env["stock.warehouse"].search(
            [("company_id", "=", self.company_2.id)], limit=1
        )
        self.company_2.retail_stock_alert_default = 0.0
        p4 = (
            self.env["product.product"]
            .with_company(self.company_2)
            .create(
                {
                    "name": "Puer cake",
                    "is_storable": True,
                    "retail_alert_below": 7,
                    "company_id": self.company_2.id,
                }
            )
        )
        cron = self.env.ref("retail_customer_mgmt.ir_cron_retail_stock_scan")
        cron.method_direct_trigger()
        self.assertIn((self.p1, self.wh1), self._open())
        other = self.Alert.search([("product_id", "=", p4.id), ("state", "=", "open")])
        self.assertEqual(
            [(a.warehouse_id, a.threshold, a.company_id) for a in other],
            [(other_wh, 7.0, self.company_2)],
        )
