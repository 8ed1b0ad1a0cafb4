from datetime import timedelta

import psycopg2

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestDemandSpikes(RetailCommon):
    """Hand-computed spikes: 7 days against the 90 days before, 3 times, 10 units."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.buyer = cls._retail_user("spike_buyer", "retail_customer_mgmt.group_retail_user")
        cls.company.write(
            {
                "retail_spike_recent_days": 7,
                "retail_spike_baseline_days": 90,
                "retail_spike_factor": 3.0,
                "retail_spike_min_qty": 10.0,
                "retail_spike_user_id": cls.buyer.id,
            }
        )
        Category = cls.env["product.category"]
        cls.cat_tea = Category.create({"name": "Spike Tea"})
        cls.cat_gift = Category.create({"name": "Spike Gifts"})
        Product = cls.env["product.product"].with_company(cls.company)

        def product(name, categ):
            return Product.create(
                {"name": name, "is_storable": True, "categ_id": categ.id, "list_price": 10.0}
            )

        cls.tea1 = product("Spike Jasmine", cls.cat_tea)
        cls.tea2 = product("Spike Oolong", cls.cat_tea)
        cls.gift1 = product("Spike Gift Box", cls.cat_gift)
        cls.gift2 = product("Spike Gift Bag", cls.cat_gift)
        cls.customer = cls.env["res.partner"].create({"name": "Spike Customer"})
        now = fields.Datetime.now()
        cls.old_1, cls.old_2, cls.recent = (
            now - timedelta(days=60),
            now - timedelta(days=30),
            now - timedelta(days=2),
        )
        # usual pace (days 7 to 97 ago): jasmine 9 units, oolong 90, gifts 3 each
        cls._sale_lines(
            cls.customer, [(cls.tea1, 4, 10), (cls.tea2, 45, 10), (cls.gift1, 3, 10)], cls.old_1
        )
        cls._sale_lines(
            cls.customer, [(cls.tea1, 5, 10), (cls.tea2, 45, 10), (cls.gift2, 3, 10)], cls.old_2
        )
        # last 7 days: jasmine 10 by order + 2 at the till, oolong 7, gifts 6 each
        cls.recent_order = cls._sale_lines(
            cls.customer,
            [(cls.tea1, 10, 10), (cls.tea2, 7, 10), (cls.gift1, 6, 10), (cls.gift2, 6, 10)],
            cls.recent,
        )
        cls._pos_lines(cls.customer, [(cls.tea1, 2, 10)], cls.recent)
        cls.wh = cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1)
        Quant = cls.env["stock.quant"]
        Quant._update_available_quantity(cls.tea1, cls.wh.lot_stock_id, 5)
        Quant._update_available_quantity(cls.gift1, cls.wh.lot_stock_id, 4)
        Quant._update_available_quantity(cls.gift2, cls.wh.lot_stock_id, 3)
        cls.Spike = cls.env["retail.demand.spike"]

    def _open(self):
        spikes = self.Spike.search([("company_id", "=", self.company.id), ("state", "=", "open")])
        return {(s.kind, s.display_name): s for s in spikes}

    def test_scan_opens_product_and_category_spikes(self):
        created = self.Spike._scan(self.company)
        opened = self._open()
        self.assertEqual(set(opened), {("product", "Spike Jasmine"), ("category", "Spike Gifts")})
        self.assertEqual(created, self.Spike.union(*opened.values()))
        jasmine = opened[("product", "Spike Jasmine")]
        # 12 units in 7 days after 9 in 90: 12/7 = 1.714 a day against 0.1
        self.assertEqual((jasmine.recent_qty, jasmine.baseline_qty), (12.0, 9.0))
        self.assertAlmostEqual(jasmine.recent_pace, 12 / 7, places=4)
        self.assertAlmostEqual(jasmine.usual_pace, 0.1, places=4)
        self.assertAlmostEqual(jasmine.ratio, 120 / 7, places=1)
        # 5 received, 2 left at the till: 3 on hand
        self.assertEqual((jasmine.on_hand_qty, jasmine.forecasted_qty), (3.0, 3.0))
        self.assertAlmostEqual(jasmine.days_of_cover, 3 / (12 / 7), places=4)
        # neither gift reaches 10 units, their category does: 12 after 6
        gifts = opened[("category", "Spike Gifts")]
        self.assertEqual((gifts.recent_qty, gifts.baseline_qty), (12.0, 6.0))
        self.assertAlmostEqual(gifts.ratio, (12 / 7) / (6 / 90), places=1)
        self.assertEqual(gifts.forecasted_qty, 7.0)
        # the tea category: 19 after 99, 2.5 times: no alert
        for spike in opened.values():
            self.assertEqual(spike.user_id, self.buyer)
            self.assertEqual(len(spike.activity_ids), 1)
            self.assertEqual(spike.activity_ids.user_id, self.buyer)

    def test_alert_shows_the_forecast(self):
        Forecast = self.env["retail.product.forecast"].sudo()
        wh2 = self.env["stock.warehouse"].create(
            {"name": "Spike Shop 2", "code": "SPK2", "company_id": self.company.id}
        )
        today = fields.Date.today().replace(day=1)
        next_month = (today + timedelta(days=32)).replace(day=1)
        for warehouse, product, now, later in (
            (self.wh, self.tea1, 30.0, 40.0),
            (wh2, self.tea1, 5.0, 6.0),
            (self.wh, self.gift1, 8.0, 9.0),
            (self.wh, self.gift2, 2.0, 1.0),
            (self.wh, self.tea2, 50.0, 50.0),  # not spiking: not read
        ):
            Forecast.create(
                [
                    {
                        "product_id": product.id,
                        "warehouse_id": warehouse.id,
                        "company_id": self.company.id,
                        "date": day,
                        "month_index": index,
                        "qty": qty,
                    }
                    for index, day, qty in ((1, today, now), (2, next_month, later))
                ]
            )
        self.Spike._scan(self.company)
        opened = self._open()
        jasmine = opened[("product", "Spike Jasmine")]
        gifts = opened[("category", "Spike Gifts")]
        # both warehouses of the company: 30 + 5 this month, 40 + 6 the next
        self.assertEqual((jasmine.forecast_qty, jasmine.forecast_next_qty), (35.0, 46.0))
        self.assertEqual((gifts.forecast_qty, gifts.forecast_next_qty), (10.0, 10.0))

    def test_one_open_alert_per_product_or_category(self):
        first = self.Spike._scan(self.company)
        # 3 more jasmine (the tea category stays under 3 times: 22/7 against 99/90)
        self._sale_lines(self.customer, [(self.tea1, 3, 10)], self.recent)
        self.assertFalse(self.Spike._scan(self.company), "no second alert")
        opened = self._open()
        self.assertEqual(self.Spike.union(*opened.values()), first)
        jasmine = opened[("product", "Spike Jasmine")]
        self.assertEqual(jasmine.recent_qty, 15.0, "the open alert follows the sales")
        self.assertEqual(len(jasmine.activity_ids), 1, "no second activity")
        # the database refuses a second open alert too
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.cr.savepoint(),
        ):
            self.Spike.sudo().create(
                {"kind": "product", "product_id": self.tea1.id, "company_id": self.company.id}
            )

    def test_close_then_spike_again_opens_a_new_alert(self):
        self.Spike._scan(self.company)
        jasmine = self._open()[("product", "Spike Jasmine")]
        jasmine.with_user(self.buyer).with_context(
            tracking_disable=False, mail_notrack=False
        ).action_close()
        self.env.flush_all()
        self.cr.precommit.run()  # the chatter's tracking, as at commit
        jasmine.invalidate_recordset(["message_ids"])
        self.assertEqual((jasmine.state, jasmine.close_reason), ("closed", "handled"))
        self.assertFalse(jasmine.activity_ids, "the buyer's activity is done")
        self.assertIn(
            "Handled by spike_buyer", "".join(jasmine.message_ids.mapped("body")), "in the chatter"
        )
        # the same spike does not reopen an alert the buyer just closed
        self.assertFalse(self.Spike._scan(self.company))
        # a week later it still sells that fast: a new spike, a new alert
        jasmine.sudo().closed_at = fields.Datetime.now() - timedelta(days=8)
        created = self.Spike._scan(self.company)
        self.assertEqual(created.product_id, self.tea1)
        self.assertNotEqual(created, jasmine)
        self.assertEqual(jasmine.state, "closed")

    def test_spike_that_ends_closes_its_alert(self):
        self.Spike._scan(self.company)
        gifts = self._open()[("category", "Spike Gifts")]
        jasmine = self._open()[("product", "Spike Jasmine")]
        # the recent order was in fact entered late: it belongs to last month,
        # which leaves 2 jasmine sold at the till this week
        self.recent_order.date_order = fields.Datetime.now() - timedelta(days=20)
        self.Spike._scan(self.company)
        self.assertEqual((gifts.state, gifts.close_reason), ("closed", "ended"))
        self.assertEqual((jasmine.state, jasmine.close_reason), ("closed", "ended"))
        self.assertFalse(self._open())

    def test_constant_query_count(self):
        def scan_queries():
            # twice: creating products clears Odoo's caches (xml ids, models)
            # that the first scan after them fills again
            for _attempt in range(2):
                self.Spike.sudo().search([]).unlink()
                self.env.invalidate_all()
                before = self.cr.sql_log_count
                self.Spike._scan(self.company)
                self.env.flush_all()
                count = self.cr.sql_log_count - before
            return count

        small = scan_queries()
        more = self.env["product.product"].create(
            [
                {"name": f"Spike extra {i}", "is_storable": True, "categ_id": self.cat_tea.id}
                for i in range(25)
            ]
        )
        self._sale_lines(self.customer, [(p, 1, 10) for p in more], self.old_1)
        self._sale_lines(self.customer, [(p, 12, 10) for p in more], self.recent)
        large = scan_queries()
        self.assertEqual(len(self._open()), 28, "25 more products and their category spike")
        self.assertEqual(small, large, "the scan costs the same for 2 or 28 alerts")
        self.Spike.sudo().search([]).unlink()
        self.env.invalidate_all()
        with self.assertQueryCount(large):
            self.Spike._scan(self.company)

    def test_settings_are_checked(self):
        for values, text in (
            ({"retail_spike_recent_days": 0}, "at least one day"),
            ({"retail_spike_baseline_days": 3}, "at least as long"),
            ({"retail_spike_factor": 1.0}, "above 1"),
            ({"retail_spike_min_qty": -1}, "cannot be negative"),
        ):
            with self.assertRaisesMessage(ValidationError, text):
                self.company.write(values)

    def test_access(self):
        self.Spike._scan(self.company)
        jasmine = self._open()[("product", "Spike Jasmine")]
        salesperson, cashier, portal, other = self._least_privileged_users("spike")
        for user in (salesperson, cashier, portal):
            with self.assertRaises(AccessError):
                self.Spike.with_user(user).search_read([], ["ratio"])
            with self.assertRaises(AccessError):
                jasmine.with_user(user).action_close()
        # a retail user of the other company sees nothing of this one
        self.assertFalse(self.Spike.with_user(other).search([]))
        with self.assertRaises(AccessError):
            jasmine.with_user(other).action_close()
        # the buyer closes alerts, but neither creates them nor writes figures
        with self.assertRaisesMessage(UserError, "only close"):
            jasmine.with_user(self.buyer).write({"ratio": 1.0})
        with self.assertRaisesMessage(UserError, "only close"):
            jasmine.with_user(self.buyer).write({"state": "open"})
        with self.assertRaises(AccessError):
            self.Spike.with_user(self.buyer).create(
                {"kind": "product", "product_id": self.tea2.id, "company_id": self.company.id}
            )
        self.assertEqual(jasmine.state, "open")
        self.assertAlmostEqual(jasmine.ratio, 120 / 7)
        stock_user = self._retail_user("spike_stock", "stock.group_stock_user")
        jasmine.with_user(stock_user).action_close()
        self.assertEqual(jasmine.state, "closed")
