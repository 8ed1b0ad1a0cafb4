from datetime import datetime

from odoo.tests import BaseCase, tagged

from ..services.purchase_stats import SourceRow, compare, merge_sources


@tagged("retail_services")
class TestPurchaseStatsService(BaseCase):
    """The merge rule, without database."""

    def test_merge_two_sources_and_refunds(self):
        jan, mar, jul = datetime(2025, 1, 10), datetime(2025, 3, 1), datetime(2025, 7, 15)
        stats = merge_sources(
            {
                "sale": [SourceRow(7, 500.0, 2, jan, datetime(2025, 6, 1))],
                "pos": [SourceRow(7, 50.0, 2, mar, jul), SourceRow(8, 20.0, 1, mar, mar)],
                "sale_refund": [SourceRow(7, -150.0, 0, None, None)],
            }
        )
        alice = stats[7]
        self.assertEqual(alice.lifetime_spend, 400.0)
        self.assertEqual(alice.order_count, 4)
        self.assertEqual(alice.first_purchase, jan)
        self.assertEqual(alice.last_purchase, jul)
        self.assertEqual(alice.average_basket, 100.0)
        self.assertEqual(alice.sources, {"sale", "pos", "sale_refund"})
        self.assertEqual(stats[8].order_count, 1)
        self.assertEqual(stats[8].average_basket, 20.0)

    def test_refund_only_customer_has_no_basket(self):
        stats = merge_sources({"sale_refund": [SourceRow(3, -40.0, 0, None, None)]})
        self.assertEqual(stats[3].order_count, 0)
        self.assertEqual(stats[3].average_basket, 0.0)
        self.assertIsNone(stats[3].last_purchase)

    def test_rounding_to_currency(self):
        stats = merge_sources({"pos": [SourceRow(1, 0.1, 1), SourceRow(1, 0.2, 1)]}, rounding=2)
        self.assertEqual(stats[1].lifetime_spend, 0.3)
        stats = merge_sources({"pos": [SourceRow(1, 10.4, 1)]}, rounding=0)
        self.assertEqual(stats[1].lifetime_spend, 10.0)

    def test_compare(self):
        self.assertTrue(compare(0, "<", 3))
        self.assertTrue(compare(0, "<=", 0))
        self.assertFalse(compare(0, ">", 0))
        self.assertTrue(compare(5, ">=", 5))
        self.assertTrue(compare(5, "!=", 4))
        self.assertFalse(compare(5, "=", 4))
        with self.assertRaises(ValueError):
            compare(1, "ilike", 1)
