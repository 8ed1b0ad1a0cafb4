from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services.forecast import daily_pace
from ..services.stock_alerts import days_of_cover, decide, pick_threshold

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
# quantities as stored: numeric with the unit of measure's 3 decimals
qty = st.integers(min_value=-50_000, max_value=500_000).map(lambda n: n / 1000)
positive = st.integers(min_value=0, max_value=500_000).map(lambda n: n / 1000)


@tagged("retail_services")
class TestStockAlertService(BaseCase):
    """The low-stock rules the SQL scan repeats, on hand-computed figures."""

    def test_threshold_precedence(self):
        self.assertEqual(pick_threshold(20.0, 5.0, 3.0), (20.0, "orderpoint"))
        self.assertEqual(pick_threshold(0.0, 5.0, 3.0), (0.0, "orderpoint"), "a rule at 0 wins")
        self.assertEqual(pick_threshold(None, 5.0, 3.0), (5.0, "product"))
        self.assertEqual(pick_threshold(None, 0.0, 3.0), (3.0, "company"))
        self.assertEqual(pick_threshold(None, 0.0, 0.0), (0.0, ""))

    def test_hand_computed_decisions(self):
        # 4 free + 2 expected = 6 < 10; sold 12 in 30 days: 6 / 0.4 = 15 days
        decision = decide(4.0, 2.0, None, 10.0, 3.0, 12.0)
        self.assertEqual(
            (decision.below, decision.forecast, decision.source), (True, 6.0, "product")
        )
        self.assertAlmostEqual(decision.days_of_cover, 15.0)
        # the forecast's 45 units a month (1.5 a day) wins over the 30 days' pace
        decision = decide(4.0, 2.0, None, 10.0, 3.0, 12.0, daily_pace(45.0))
        self.assertAlmostEqual(decision.days_of_cover, 4.0)
        # at the threshold is not below; nothing sold and no forecast: no cover
        decision = decide(3.0, 0.0, None, 0.0, 3.0, 0.0)
        self.assertEqual((decision.below, decision.days_of_cover), (False, None))
        # more reserved than on hand: a negative forecast lasts 0 days
        decision = decide(-2.0, 0.0, 1.0, 0.0, 0.0, 3.0)
        self.assertEqual((decision.below, decision.days_of_cover), (True, 0.0))
        # a forecast of 0 units falls back to the 30 days' pace
        self.assertAlmostEqual(days_of_cover(6.0, 3.0, daily_pace(0.0)), 60.0)
        self.assertEqual(daily_pace(-9.0), 0.0)

    @PROPERTY
    @given(qty, positive, st.one_of(st.none(), positive), positive, positive, positive)
    def test_below_means_forecast_under_the_chosen_threshold(
        self, free, incoming, rule, product, default, sold
    ):
        decision = decide(free, incoming, rule, product, default, sold)
        threshold, source = pick_threshold(rule, product, default)
        self.assertEqual(decision.forecast, free + incoming)
        self.assertEqual(decision.below, bool(source) and free + incoming < threshold)
        if decision.days_of_cover is not None:
            self.assertGreaterEqual(decision.days_of_cover, 0.0)
            self.assertGreater(sold, 0.0)
