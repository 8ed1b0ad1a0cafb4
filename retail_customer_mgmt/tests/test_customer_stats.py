from datetime import timedelta

from dateutil.relativedelta import relativedelta
from lxml import etree

from odoo import Command, fields
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestCustomerStats(RetailCommon):
    """Purchase figures against hand-computed values, per company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create({"name": "Alice Zhou"})
        cls.bob = Partner.create({"name": "Bob Li"})
        cls.carol = Partner.create({"name": "Carol Trading Ltd", "is_company": True})
        cls.dan = Partner.create({"name": "Dan", "parent_id": cls.carol.id})
        cls.eve = Partner.create({"name": "Eve Never Bought"})
        cls.frank = Partner.create({"name": "Frank Recent"})
        cls.partners = cls.alice | cls.bob | cls.carol | cls.dan | cls.eve | cls.frank

        # Alice, company 1: two confirmed sales, one quotation, one
        # cancelled order, two paid POS orders of which one refunded, one
        # unpaid POS order.
        cls._sale(cls.alice, 200.0, "2025-01-10 10:00:00")
        cls._sale(cls.alice, 300.0, "2025-06-01 10:00:00", qty=3)
        cls._sale(cls.alice, 999.0, "2025-06-02 10:00:00", confirm=False)
        cls._sale(cls.alice, 500.0, "2025-06-03 10:00:00").with_context(
            disable_cancel_warning=True
        ).action_cancel()
        cls._pos(cls.alice, 50.0, "2025-03-01 09:00:00")
        refunded = cls._pos(cls.alice, 80.0, "2025-07-15 18:00:00")
        cls._refund_pos(refunded, "2025-07-20 11:00:00")
        cls._pos(cls.alice, 40.0, "2025-07-16 11:00:00", pay=False)
        # Alice, company 2
        cls._sale(cls.alice, 1000.0, "2025-02-02 10:00:00", company=cls.company_2)
        cls._pos(cls.alice, 20.0, "2025-08-08 10:00:00", company=cls.company_2)
        # Bob: a sale with a credit note of 150
        bob_order = cls._sale(cls.bob, 400.0, "2025-04-04 10:00:00")
        cls._refund_sale(bob_order, 150.0)
        # Carol's figures come from her contact Dan
        cls._sale(cls.dan, 120.0, "2025-05-05 10:00:00")
        # Frank bought five days ago in the shop
        cls.frank_date = fields.Datetime.now().replace(microsecond=0) - timedelta(days=5)
        cls._pos(cls.frank, 60.0, cls.frank_date)

    def _figures(self, partner, company):
        partner = partner.with_company(company)
        return (
            partner.retail_lifetime_spend,
            partner.retail_order_count,
            partner.retail_average_basket,
            partner.retail_first_purchase_date,
            partner.retail_last_purchase_date,
        )

    def test_figures_company_1(self):
        self.assertEqual(
            self._figures(self.alice, self.company_1),
            (550.0, 4, 137.5, self._dt("2025-01-10 10:00:00"), self._dt("2025-07-15 18:00:00")),
            "200 + 300 + 50 + 80 - 80: quotation, cancelled and unpaid orders do not count; "
            "the refund nets out but is not a purchase",
        )
        self.assertEqual(
            self._figures(self.bob, self.company_1),
            (250.0, 1, 250.0, self._dt("2025-04-04 10:00:00"), self._dt("2025-04-04 10:00:00")),
        )
        carol_figures = (
            120.0,
            1,
            120.0,
            self._dt("2025-05-05 10:00:00"),
            self._dt("2025-05-05 10:00:00"),
        )
        self.assertEqual(self._figures(self.carol, self.company_1), carol_figures)
        self.assertEqual(
            self._figures(self.dan, self.company_1),
            carol_figures,
            "a contact shows the figures of its commercial entity",
        )
        self.assertEqual(self._figures(self.eve, self.company_1), (0.0, 0, 0.0, False, False))

    def test_figures_company_2(self):
        self.assertEqual(
            self._figures(self.alice, self.company_2),
            (1020.0, 2, 510.0, self._dt("2025-02-02 10:00:00"), self._dt("2025-08-08 10:00:00")),
        )
        self.assertEqual(self._figures(self.bob, self.company_2), (0.0, 0, 0.0, False, False))

    def test_search_filters(self):
        Partner = self.env["res.partner"].with_company(self.company_1)
        today = fields.Date.context_today(Partner)
        mine = [("id", "in", self.partners.ids)]

        def names(domain):
            return set(Partner.search(mine + domain).mapped("name"))

        self.assertEqual(
            names([("retail_last_purchase_date", ">=", str(today - timedelta(days=30)))]),
            {"Frank Recent"},
        )
        self.assertEqual(
            names([("retail_last_purchase_date", "<", str(today - timedelta(days=180)))]),
            {"Alice Zhou", "Bob Li", "Carol Trading Ltd", "Dan"},
        )
        self.assertEqual(names([("retail_last_purchase_date", "=", False)]), {"Eve Never Bought"})
        self.assertEqual(
            names([("retail_last_purchase_date", "!=", False)]),
            {"Alice Zhou", "Bob Li", "Carol Trading Ltd", "Dan", "Frank Recent"},
        )
        self.assertEqual(names([("retail_lifetime_spend", ">", 500)]), {"Alice Zhou"})
        self.assertEqual(
            names([("retail_order_count", "<", 2)]),
            {"Bob Li", "Carol Trading Ltd", "Dan", "Eve Never Bought", "Frank Recent"},
            "customers without orders have 0 orders",
        )
        self.assertEqual(names([("retail_average_basket", ">=", 250)]), {"Bob Li"})
        # the same search in company 2 uses company 2's figures
        Partner2 = self.env["res.partner"].with_company(self.company_2)
        self.assertEqual(
            set(Partner2.search(mine + [("retail_lifetime_spend", ">", 500)]).mapped("name")),
            {"Alice Zhou"},
        )
        self.assertEqual(
            set(Partner2.search(mine + [("retail_order_count", ">", 0)]).mapped("name")),
            {"Alice Zhou"},
        )

    def test_search_view_filters(self):
        """The filters of the contact search view, evaluated as the web client does."""
        arch = etree.fromstring(self.env["res.partner"].get_view(view_type="search")["arch"])
        context = {
            "context_today": lambda: fields.Date.context_today(self.env.user),
            "relativedelta": relativedelta,
        }
        expected = {
            "retail_bought_30_days": {"Frank Recent"},
            "retail_no_purchase_180_days": {"Alice Zhou", "Bob Li", "Carol Trading Ltd", "Dan"},
            "retail_never_bought": {"Eve Never Bought"},
        }
        for name, partners in expected.items():
            node = arch.find(f".//filter[@name='{name}']")
            self.assertIsNotNone(node, name)
            domain = safe_eval(node.get("domain"), context)
            found = self.env["res.partner"].search([("id", "in", self.partners.ids)] + domain)
            self.assertEqual(set(found.mapped("name")), partners, name)

    def test_figures_follow_new_orders(self):
        partner = self.env["res.partner"].create({"name": "Grace New"})
        self.assertEqual(partner.retail_order_count, 0)
        self._pos(partner, 35.0, "2026-01-01 12:00:00")
        partner.invalidate_recordset()
        self.assertEqual(partner.retail_order_count, 1)
        self.assertEqual(partner.retail_lifetime_spend, 35.0)

    def test_constant_query_count(self):
        """One query for the figures of any number of customers."""
        Partner = self.env["res.partner"]
        many = Partner.create([{"name": f"Bulk {i}"} for i in range(40)])
        for i, partner in enumerate(many[:10]):
            self._pos(partner, 10.0 + i, "2025-09-09 10:00:00")

        def count_queries(partners):
            self.env.flush_all()
            partners.invalidate_recordset()
            before = self.env.cr.sql_log_count
            partners.mapped("retail_lifetime_spend")
            partners.mapped("retail_last_purchase_date")
            return self.env.cr.sql_log_count - before

        count_queries(many[:2])  # warm up the registry caches
        few = count_queries(many[:2])
        all_of_them = count_queries(many)
        self.assertEqual(few, all_of_them)
        self.assertLessEqual(all_of_them, 3)

    def test_order_in_another_currency(self):
        """A sale in a foreign currency counts in the company currency, at the
        rate of its order: 300 at 2 for 1 is 150."""
        company = self.company_1
        code = "CNY" if company.currency_id.name == "EUR" else "EUR"
        foreign = self.setup_other_currency(code, rates=[("2020-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create(
            {"name": f"{code} prices", "currency_id": foreign.id, "company_id": company.id}
        )
        partner = self.env["res.partner"].create({"name": "Foreign Fei"})
        order = (
            self.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "pricelist_id": pricelist.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.product.id,
                                "product_uom_qty": 2,
                                "price_unit": 150.0,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        self.assertEqual((order.currency_id, order.amount_total), (foreign, 300.0))
        self._sale(partner, 50.0, "2025-02-01 10:00:00")  # in the company currency
        partner = partner.with_company(company)
        self.assertEqual(partner.retail_lifetime_spend, 200.0)
        self.assertEqual(partner.retail_order_count, 2)
        self.assertEqual(partner.retail_average_basket, 100.0)
