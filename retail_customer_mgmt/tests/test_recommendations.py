import logging

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError
from odoo.tests import freeze_time, tagged

from ..services.recommendations import CO_PURCHASE, REPEAT, Line, Params, recommend
from .common import RetailCommon

_logger = logging.getLogger(__name__)

NOW = "2026-06-01 12:00:00"


@tagged("post_install", "-at_install")
class TestRecommendations(RetailCommon):
    """Nightly recommendations on real sales and POS orders, refunds included."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.write({"retail_reco_count": 3, "retail_reco_exclude_days": 30})
        Product = cls.env["product.product"]
        values = {"list_price": 10.0, "taxes_id": [Command.clear()], "available_in_pos": True}
        cls.tea = Product.create({**values, "name": "Reco Tea"})
        cls.cups = Product.create({**values, "name": "Reco Cups"})
        cls.honey = Product.create({**values, "name": "Reco Honey"})
        cls.pot = Product.create({**values, "name": "Reco Pot", "available_in_pos": False})
        cls.kettle = Product.create({**values, "name": "Reco Kettle"})
        cls.sample = Product.create({**values, "name": "Reco Sample"})
        Partner = cls.env["res.partner"]
        names = ("Alice", "Bob", "Carol", "Dan", "Eve", "Frank", "Gina", "Hank")
        cls.customers = {name: Partner.create({"name": f"Reco {name}"}) for name in names}
        c = cls.customers
        # (customer, kind, date, [(product, qty)]); kind: sale, pos, refund of
        # the previous sale (credit note), pos_refund of the previous POS order
        cls.scenario = [
            (c["Alice"], "sale", "2026-01-10", [(cls.tea, 1), (cls.cups, 1)]),
            (c["Alice"], "pos", "2026-03-10", [(cls.tea, 2)]),
            (c["Alice"], "pos", "2026-04-10", [(cls.tea, 1), (cls.honey, 1)]),
            (c["Bob"], "pos", "2026-04-01", [(cls.tea, 1), (cls.honey, 1)]),
            (c["Carol"], "sale", "2026-03-01", [(cls.tea, 1), (cls.honey, 1), (cls.pot, 1)]),
            (c["Dan"], "sale", "2026-02-01", [(cls.cups, 1), (cls.pot, 1)]),
            (c["Eve"], "pos", "2026-05-30", [(cls.tea, 1)]),
            # honey twice, the last time 10 days ago: just bought
            (c["Frank"], "pos", "2026-03-01", [(cls.honey, 1), (cls.kettle, 1)]),
            (c["Frank"], "pos", "2026-05-22", [(cls.honey, 1)]),
            (c["Gina"], "sale", "2026-02-15", [(cls.kettle, 1), (cls.sample, 1), (cls.tea, 1)]),
            # Hank bought the pot twice and returned both
            (c["Hank"], "sale", "2026-01-05", [(cls.pot, 1), (cls.cups, 1)]),
            (c["Hank"], "refund", "2026-01-20", [(cls.pot, 1)]),
            (c["Hank"], "pos", "2026-02-05", [(cls.pot, 1)]),
            (c["Hank"], "pos_refund", "2026-02-06", [(cls.pot, 1)]),
        ]
        with freeze_time(NOW):
            cls.lines = cls._play(cls.scenario)
            # another company's orders do not count
            cls._sale_products(
                c["Eve"], [(cls.cups, 1), (cls.kettle, 1)], "2026-01-01", cls.company_2
            )
        # archived or not sold after the orders: never proposed
        cls.kettle.active = False
        cls.sample.sale_ok = False
        cls.Reco = cls.env["retail.recommendation"]

    @classmethod
    def _sale_products(cls, partner, products, date, company=None):
        lines = [(product, qty, 10.0) for product, qty in products]
        return cls._sale_lines(partner, lines, f"{date} 10:00:00", company)

    @classmethod
    def _pos_products(cls, partner, products, date):
        lines = [(product, qty, 10.0) for product, qty in products]
        return cls._pos_lines(partner, lines, f"{date} 10:00:00")

    @classmethod
    def _play(cls, scenario):
        """Create the orders of ``scenario`` and return the reference lines."""
        lines = []
        last = {}
        for partner, kind, date, products in scenario:
            when = fields.Datetime.to_datetime(f"{date} 10:00:00")
            if kind == "sale":
                doc = last["sale"] = cls._sale_products(partner, products, date)
                key, sign = ("sale", doc.id), 1
            elif kind == "pos":
                doc = last["pos"] = cls._pos_products(partner, products, date)
                key, sign = ("pos", doc.id), 1
            elif kind == "refund":
                order = last["sale"]
                invoice = order._create_invoices()
                invoice.action_post()
                reversal = (
                    cls.env["account.move.reversal"]
                    .with_context(active_model="account.move", active_ids=invoice.ids)
                    .create({"journal_id": invoice.journal_id.id, "reason": "returned"})
                )
                credit_note = cls.env["account.move"].browse(reversal.refund_moves()["res_id"])
                refunded = cls.env["product.product"].concat(*(p for p, _q in products))
                credit_note.invoice_line_ids.filtered_domain(
                    [("product_id", "not in", refunded.ids)]
                ).unlink()
                credit_note.action_post()
                key, sign = ("refund", credit_note.id), -1
            else:  # pos_refund: the whole previous POS order
                refund = cls._refund_pos(last["pos"], when)
                key, sign = ("pos", refund.id), -1
            lines += [
                Line(partner.id, product.id, key, when, sign * qty) for product, qty in products
            ]
        return lines

    def _rows(self, company=None):
        """Recommendations of the scenario's customers (demo customers aside)."""
        company = company or self.company_1
        customers = self.env["res.partner"].concat(*self.customers.values())
        recos = self.Reco.with_context(active_test=False).search(
            [("company_id", "=", company.id), ("partner_id", "in", customers.ids)]
        )
        return {
            (r.partner_id.id, r.rank): (r.product_id.id, r.reason, round(r.score, 6)) for r in recos
        }

    def _refresh(self):
        with freeze_time(NOW):
            return self.Reco._retail_refresh(self.company_1)

    # ------------------------------------------------------------------
    # tests
    # ------------------------------------------------------------------
    def test_refresh_matches_the_rules(self):
        """The SQL refresh gives exactly the recommendations of the reference
        rules (services.recommendations) on the same orders."""
        count = self._refresh()
        recommendable = set((self.tea | self.cups | self.honey | self.pot).ids)
        expected = recommend(
            self.lines,
            recommendable,
            fields.Datetime.to_datetime(NOW) - relativedelta(days=30),
            Params(top_n=3),
        )
        expected_rows = {
            (partner, r.rank): (r.product_id, r.reason, r.score)
            for partner, recos in expected.items()
            for r in recos
        }
        self.assertEqual(self._rows(), expected_rows)
        self.assertGreaterEqual(count, len(expected_rows))

    def test_hand_checked_recommendations(self):
        self._refresh()
        c = self.customers

        def products(name):
            recos = self.Reco.search([("partner_id", "=", c[name].id)])
            return [(r.product_id, r.reason) for r in recos]

        alice = products("Alice")
        self.assertEqual(alice[0], (self.tea, REPEAT), "tea bought in 3 orders comes first")
        self.assertIn((self.pot, CO_PURCHASE), alice, "Carol and Dan bought pot with her products")
        self.assertEqual(
            products("Eve"),
            [(self.honey, CO_PURCHASE), (self.pot, CO_PURCHASE), (self.cups, CO_PURCHASE)],
            "of 5 tea buyers, 3 bought honey (0.67), 1 of 2 pot buyers (0.32), "
            "1 of 3 cups buyers (0.26)",
        )
        self.assertNotIn(self.honey, [p for p, _r in products("Frank")], "bought 10 days ago")
        self.assertIn(
            (self.pot, CO_PURCHASE),
            products("Dan") + products("Bob"),
        )
        every = self.Reco.search([])
        self.assertFalse(every.filtered(lambda r: r.product_id in self.kettle | self.sample))
        self.assertNotIn(
            self.pot, [p for p, _r in products("Hank")], "returned products are not proposed"
        )
        self.assertFalse(
            self.Reco.search([("company_id", "=", self.company_2.id)]),
            "company 2 was not refreshed",
        )
        with freeze_time(NOW):
            self.Reco._retail_refresh(self.company_2)
        self.assertFalse(
            self.Reco.search([("company_id", "=", self.company_2.id)]),
            "one customer in company 2: nothing to learn from, and no repeat",
        )

    def test_scheduled_refresh(self):
        """The scheduled action itself (not the method) gives the rows checked
        by hand above."""
        self._refresh()
        expected = self._rows()
        self.assertTrue(expected)
        self.Reco.search([]).unlink()
        cron = self.env.ref("retail_customer_mgmt.ir_cron_retail_refresh_recommendations")
        with freeze_time(NOW):
            cron.method_direct_trigger()
        self.assertEqual(self._rows(), expected)
        self.assertEqual(
            self.Reco.search([("partner_id", "=", self.customers["Eve"].id)]).product_id,
            self.honey | self.pot | self.cups,
        )

    def test_refresh_replaces_previous_rows(self):
        self._refresh()
        first = self._rows()
        self.customers["Bob"].active = False
        self._refresh()
        second = self._rows()
        self.assertFalse([key for key in second if key[0] == self.customers["Bob"].id])
        self.assertEqual(
            {k: v for k, v in first.items() if k[0] != self.customers["Bob"].id}, second
        )

    def test_customer_form_and_pos(self):
        self._refresh()
        alice = self.customers["Alice"]
        recos = alice.retail_recommendation_ids
        self.assertEqual(
            [(r.rank, r.product_id, r.reason) for r in recos],
            [(1, self.tea, REPEAT), (2, self.pot, CO_PURCHASE)],
        )
        # the POS text: the first products available in the POS (pot is not)
        self.assertEqual(alice.retail_pos_recommendations, "Reco Tea")
        self.assertEqual(
            self.customers["Eve"].retail_pos_recommendations,
            "Reco Honey, Reco Cups",
        )
        config = self.pos_configs[self.company_1][0]
        self.assertIn(
            "retail_pos_recommendations",
            self.env["res.partner"]._load_pos_data_fields(config.id),
        )
        # a cashier without retail rights reads the POS text, not the table
        cashier = self._retail_user("reco_cashier", "point_of_sale.group_pos_user")
        as_cashier = alice.with_user(cashier)
        self.assertEqual(as_cashier.retail_pos_recommendations, alice.retail_pos_recommendations)
        with self.assertRaises(AccessError):
            as_cashier.read(["retail_recommendation_ids"])
        with self.assertRaises(AccessError):
            self.Reco.with_user(cashier).search([])
        # in another company, other recommendations (none here)
        self.assertFalse(alice.with_company(self.company_2).retail_pos_recommendations)

    def test_refresh_now_for_managers(self):
        user = self._retail_user("reco_user", "retail_customer_mgmt.group_retail_user")
        with self.assertRaises(AccessError):
            self.Reco.with_user(user).action_retail_refresh_now()
        manager = self._retail_user("reco_manager", "retail_customer_mgmt.group_retail_manager")
        with freeze_time(NOW):
            action = self.Reco.with_user(manager).action_retail_refresh_now()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self.Reco.search([("company_id", "=", self.company_1.id)]))
        self.assertTrue(self.Reco.with_user(user).search([]), "retail users read them")

    def test_constant_query_count(self):
        """The refresh runs the same number of queries for 8 and 208 customers."""
        Partner = self.env["res.partner"]
        products = self.tea | self.cups | self.honey | self.pot

        def add_customers(count):
            partners = Partner.create([{"name": f"Bulk Reco {i}"} for i in range(count)])
            self.env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": self.company_1.id,
                        "state": "sale",
                        "date_order": f"2026-0{1 + i % 4}-1{i % 9} 10:00:00",
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": product.id,
                                    "price_unit": 10.0,
                                    "tax_id": [Command.clear()],
                                }
                            )
                            for product in products[: 1 + i % 4]
                        ],
                    }
                    for i, partner in enumerate(partners)
                ]
            )

        def queries():
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            rows = self._refresh()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, rows

        queries()  # warm-up
        small, small_rows = queries()
        add_customers(200)
        large, large_rows = queries()
        _logger.info(
            "Recommendation refresh: %s queries for %s rows, %s queries for %s rows",
            small,
            small_rows,
            large,
            large_rows,
        )
        self.assertGreater(large_rows, small_rows + 150)
        self.assertEqual(
            small, large, f"{small} queries for {small_rows} rows, {large} for {large_rows}"
        )
