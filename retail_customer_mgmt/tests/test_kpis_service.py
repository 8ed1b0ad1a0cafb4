from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.kpis import (
    PurchaseCounts,
    add_months,
    cohort_matrix,
    month_span,
    points_kpis,
    purchase_kpis,
)


@tagged("retail_services")
class TestKpisService(BaseCase):
    """The KPI arithmetic, without database."""

    def test_purchase_kpis(self):
        counts = PurchaseCounts(
            buyers=4,
            repeat_buyers=3,
            new_buyers=2,
            orders=7,
            net_spend=510.0,
            previous_buyers=2,
            retained=1,
            lifetime_customers=5,
            lifetime_spend=1170.0,
        )
        kpis = purchase_kpis(counts, 91)
        self.assertEqual(kpis.repeat_rate, 0.75)
        self.assertAlmostEqual(kpis.average_order_value, 510 / 7)
        self.assertEqual(kpis.purchase_frequency, 1.75)
        self.assertEqual(kpis.retention_rate, 0.5)
        self.assertEqual(kpis.clv_historic, 234.0)
        self.assertAlmostEqual(kpis.orders_per_year, 1.75 * 365 / 91)
        # churn 0.5 per 91-day period: expected lifespan 2 periods
        self.assertAlmostEqual(kpis.expected_lifespan_years, 2 * 91 / 365)
        # AOV x frequency x expected periods = spend per buyer x 2
        self.assertAlmostEqual(kpis.clv_predicted, 510 / 4 * 2)

    def test_lifespan_is_capped_and_needs_a_basis(self):
        everyone_back = PurchaseCounts(
            buyers=2, orders=2, net_spend=100.0, previous_buyers=2, retained=2
        )
        kpis = purchase_kpis(everyone_back, 365)
        self.assertEqual(kpis.expected_lifespan_years, 10.0)
        self.assertAlmostEqual(kpis.clv_predicted, 50.0 * 10)
        almost_everyone = PurchaseCounts(
            buyers=100, orders=100, net_spend=100.0, previous_buyers=100, retained=99
        )
        self.assertEqual(purchase_kpis(almost_everyone, 365).expected_lifespan_years, 10.0)
        no_history = PurchaseCounts(buyers=2, orders=3, net_spend=90.0)
        kpis = purchase_kpis(no_history, 30)
        self.assertEqual(kpis.expected_lifespan_years, 0.0)
        self.assertEqual(kpis.clv_predicted, 0.0)
        self.assertEqual(kpis.retention_rate, 0.0)

    def test_empty_period(self):
        kpis = purchase_kpis(PurchaseCounts(), 1)
        self.assertEqual(
            (kpis.repeat_rate, kpis.average_order_value, kpis.purchase_frequency),
            (0.0, 0.0, 0.0),
        )
        with self.assertRaises(ValueError):
            purchase_kpis(PurchaseCounts(), 0)

    def test_points_by_kind(self):
        kpis = points_kpis(
            [
                ("earn", 300.0, 0.0),
                ("compensation", 50.0, 0.0),
                ("adjust", 20.0, 15.0),
                ("expire", 0.0, 40.0),
                ("refund", 0.0, 30.0),
                ("cancel", 0.0, 5.0),
                (None, 0.0, 100.0),
            ]
        )
        self.assertEqual(kpis.issued, 370.0)
        self.assertEqual(kpis.redeemed, 100.0)
        self.assertEqual(kpis.expired, 40.0)
        self.assertEqual(kpis.taken_back, 35.0)
        self.assertEqual(kpis.adjusted_out, 15.0)

    def test_months(self):
        self.assertEqual(add_months(date(2025, 11, 1), 3), date(2026, 2, 1))
        self.assertEqual(add_months(date(2025, 1, 1), -1), date(2024, 12, 1))
        self.assertEqual(month_span(date(2024, 11, 1), date(2025, 2, 1)), 4)

    def test_cohort_matrix(self):
        apr, may, jun = date(2025, 4, 1), date(2025, 5, 1), date(2025, 6, 1)
        rows = [
            (apr, apr, 4),
            (apr, may, 1),
            (apr, jun, 2),
            (may, may, 2),
            (may, jun, 2),
            (date(2025, 3, 1), apr, 9),  # cohort before the period: ignored
        ]
        matrix = cohort_matrix(rows, apr, jun)
        self.assertEqual([row.month for row in matrix], [apr, may, jun])
        self.assertEqual([row.size for row in matrix], [4, 2, 0])
        self.assertEqual([row.retained for row in matrix], [[1, 2], [2], []])
        self.assertEqual(matrix[0].rates(), [0.25, 0.5])
        self.assertEqual(matrix[1].rates(), [1.0])
        self.assertEqual(matrix[2].rates(), [])

    def test_cohort_matrix_keeps_the_last_months(self):
        matrix = cohort_matrix([], date(2020, 1, 1), date(2025, 6, 1), max_months=3)
        self.assertEqual([row.month.month for row in matrix], [4, 5, 6])
        self.assertEqual(cohort_matrix([], date(2025, 6, 1), date(2025, 5, 1)), [])
