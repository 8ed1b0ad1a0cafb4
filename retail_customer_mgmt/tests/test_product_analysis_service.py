import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services import forecast as fc
from ..services.forecast_batch import forecast_batch, history_lengths, reorder_proposals
from ..services.product_analysis import (
    HOT,
    NORMAL,
    SLOW,
    classify,
    days_of_inventory,
    growth,
    hot_keys,
    rank_by_revenue,
    repeat_share,
    sell_through,
    turnover,
)


@tagged("retail_services")
class TestProductAnalysisService(BaseCase):
    """Turnover, classification and their neighbours, against numbers worked by hand."""

    def test_turnover_and_days_of_inventory(self):
        # COGS 600 over a quarter, stock worth 250 at the start and 150 at the
        # end: average 200, turnover 3, the average stock lasts 90 / 3 = 30 days
        self.assertEqual(turnover(600, 250, 150), 3.0)
        self.assertEqual(days_of_inventory(600, 250, 150, 90), 30.0)
        # no stock at either end: nothing turns
        self.assertIsNone(turnover(600, 0, 0))
        self.assertIsNone(days_of_inventory(0, 100, 100, 90))
        # a negative (oversold) end counts as no stock
        self.assertEqual(turnover(100, -20, 100), 2.0)

    def test_sell_through_repeat_share_growth(self):
        # 30 sold, 70 left: 30 % sold through
        self.assertEqual(sell_through(30, 70), 0.3)
        self.assertEqual(sell_through(0, 0), 0.0)
        self.assertEqual(sell_through(5, -3), 1.0)
        self.assertEqual(repeat_share(8, 2), 0.25)
        self.assertEqual(repeat_share(0, 0), 0.0)
        self.assertEqual(growth(150, 120), 0.25)
        self.assertEqual(growth(90, 120), -0.25)
        self.assertIsNone(growth(10, 0))

    def test_rank_and_hot(self):
        revenues = {"a": 500, "b": 300, "c": 300, "d": 100, "e": 0}
        self.assertEqual(rank_by_revenue(revenues), {"a": 1, "b": 2, "c": 2, "d": 4})
        # total 1,200, hot = first 50 % (600): a (nothing above) and b, c
        # (500 above them, less than 600); d has 1,100 above it
        self.assertEqual(hot_keys(revenues, 50), {"a", "b", "c"})
        # 40 % = 480: a alone (the product crossing the limit is hot)
        self.assertEqual(hot_keys(revenues, 40), {"a"})
        self.assertEqual(hot_keys(revenues, 0), set())
        self.assertEqual(hot_keys(revenues, 100), {"a", "b", "c", "d"})
        self.assertEqual(hot_keys({"x": 0}, 50), set())

    def test_classify(self):
        self.assertEqual(classify(500, True, 1, 10, 60), HOT)
        # in stock, last sale 61 days ago, slow after 60
        self.assertEqual(classify(0, False, 61, 10, 60), SLOW)
        self.assertEqual(classify(0, False, 60, 10, 60), SLOW)
        self.assertEqual(classify(0, False, None, 3, 60), SLOW)
        # sold recently, or nothing in stock: normal
        self.assertEqual(classify(50, False, 59, 10, 60), NORMAL)
        self.assertEqual(classify(0, False, None, 0, 60), NORMAL)

    @settings(max_examples=200, deadline=None)
    @given(
        st.dictionaries(st.integers(0, 30), st.integers(0, 1000), max_size=30), st.integers(0, 100)
    )
    def test_hot_property(self, revenues, percent):
        """The hot products are a prefix of the revenue ranking that holds at
        least ``percent`` % of revenue, and dropping its last revenue level
        leaves less than that."""
        hot = hot_keys(revenues, percent)
        total = sum(revenues.values())
        ranks = rank_by_revenue(revenues)
        for key in hot:
            for other, rank in ranks.items():
                if rank < ranks[key]:
                    self.assertIn(other, hot)
        hot_revenue = sum(revenues[key] for key in hot)
        if total and percent:
            self.assertGreaterEqual(hot_revenue, total * percent / 100 - 1e-9)
            lowest = min(revenues[key] for key in hot)
            above_lowest = sum(revenues[key] for key in hot if revenues[key] > lowest)
            self.assertLess(above_lowest, total * percent / 100)
        else:
            self.assertFalse(hot)


@tagged("retail_services")
class TestForecastService(BaseCase):
    """Forecast methods checked against series worked by hand."""

    def test_ses(self):
        # level 10 -> 0.3*20 + 0.7*10 = 13 -> 0.3*10 + 0.7*13 = 12.1
        self.assertEqual([round(v, 6) for v in fc.ses([10, 20, 10], 2)], [12.1, 12.1])
        self.assertEqual(fc.ses([], 3), [0.0, 0.0, 0.0])

    def test_seasonal_naive(self):
        series = list(range(1, 25))  # two years, 1..24
        self.assertEqual(fc.seasonal_naive(series, 3), [13.0, 14.0, 15.0])
        self.assertEqual(fc.seasonal_naive(series, 14)[12:], [13.0, 14.0])
        with self.assertRaises(ValueError):
            fc.seasonal_naive([1, 2, 3], 1)

    def test_holt_winters_additive_exact_pattern(self):
        """A series that is exactly a line plus a season is forecast exactly:
        with level 10 + 1 per month and a season of +-5, every smoothing
        update keeps the components unchanged."""
        season = [5, -5, 0, 0]
        series = [10 + t + season[t % 4] for t in range(12)]
        forecast = fc.holt_winters(series, 4, season=4)
        expected = [10 + t + season[t % 4] for t in range(12, 16)]
        for got, want in zip(forecast, expected, strict=True):
            self.assertAlmostEqual(got, want, places=6)

    def test_holt_winters_additive_by_hand(self):
        """Two seasons of length 2, computed step by step by hand."""
        series = [10, 20, 12, 23]
        # trend (35 - 30) / 2 / 2 = 1.25; level at month 0: 15 - 1.25 / 2 = 14.375,
        # state before it 13.125; seasons 10 - 14.375 = -4.375, 20 - 15.625 = 4.375
        # t0, t1 follow the line exactly: level 14.375 then 15.625, trend 1.25
        # t2: x=12: l = .3*(12+4.375) + .7*(15.625+1.25) = 16.725;
        #     b = .1*(16.725-15.625) + .9*1.25 = 1.235;
        #     s0 = .2*(12-16.725) + .8*-4.375 = -4.445
        # t3: x=23: l = .3*(23-4.375) + .7*(16.725+1.235) = 18.1595;
        #     b = .1*(18.1595-16.725) + .9*1.235 = 1.25495;
        #     s1 = .2*(23-18.1595) + .8*4.375 = 4.4681
        # h=1: 18.1595 + 1.25495 - 4.445 = 14.96945
        # h=2: 18.1595 + 2 * 1.25495 + 4.4681 = 25.1375
        got = fc.holt_winters(series, 2, season=2)
        self.assertAlmostEqual(got[0], 14.96945, places=6)
        self.assertAlmostEqual(got[1], 25.1375, places=6)

    def test_holt_winters_multiplicative_exact_pattern(self):
        # constant level 100, seasonal factors 1.2 / 0.8: exact
        series = [120, 80] * 3
        got = fc.holt_winters(series, 2, season=2, multiplicative=True)
        self.assertAlmostEqual(got[0], 120.0, places=6)
        self.assertAlmostEqual(got[1], 80.0, places=6)
        with self.assertRaises(ValueError):
            fc.holt_winters([0, 1, 2, 3], 1, season=2, multiplicative=True)

    def test_choose_method_and_forecast(self):
        self.assertEqual(fc.forecast([0, 0, 0], 2), (fc.NONE, [0.0, 0.0]))
        # leading zeros are not history: 5 months of sales -> SES
        method, values = fc.forecast([0] * 20 + [4, 4, 4, 4, 4], 1)
        self.assertEqual((method, values), (fc.SES, [4.0]))
        # 12 dense months -> seasonal naive
        year = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]
        self.assertEqual(fc.forecast(year, 2), (fc.SEASONAL_NAIVE, [3.0, 1.0]))
        # 24 dense months -> Holt-Winters
        self.assertEqual(fc.forecast(year * 2, 1)[0], fc.HOLT_WINTERS)
        # intermittent demand (8 sales in 24 months) -> SES
        sparse = [0, 0, 3] * 8
        self.assertEqual(fc.forecast(sparse, 1)[0], fc.SES)
        # never negative: a falling trend is cut at 0
        falling = [100 - 5 * t for t in range(24)]
        self.assertGreaterEqual(min(fc.forecast(falling, 24)[1]), 0.0)

    def test_seasonal_index(self):
        # two years: December sells 30, every other month 10 (mean 140/12)
        monthly = {}
        for year in (2024, 2025):
            for month in range(1, 13):
                monthly[(year, month)] = 30 if month == 12 else 10
        index = fc.seasonal_index(monthly)
        mean = (11 * 10 + 30) / 12
        self.assertAlmostEqual(index[12], 30 / mean)
        self.assertAlmostEqual(index[1], 10 / mean)
        self.assertAlmostEqual(sum(index.values()) / 12, 1.0)
        self.assertEqual(fc.seasonal_index({}), {})
        self.assertEqual(fc.seasonal_index({(2025, 1): 0}), {})

    def test_reorder_proposal(self):
        # 60 units a month = 2 a day; lead 7 + safety 3 -> min 20, + 30 days -> max 80
        self.assertEqual(fc.reorder_proposal(60, 7, 30, 3), (20.0, 80.0))
        self.assertEqual(fc.reorder_proposal(-5, 7, 30), (0.0, 0.0))
        with self.assertRaises(ValueError):
            fc.reorder_proposal(60, -1, 30)

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(st.integers(0, 500), min_size=0, max_size=40),
        st.integers(1, 13),
    )
    def test_forecast_property(self, series, horizon):
        """Any history gives ``horizon`` non-negative figures; a constant
        dense series is forecast as that constant by every method."""
        method, values = fc.forecast(series, horizon)
        self.assertEqual(len(values), horizon)
        self.assertTrue(all(value >= 0 for value in values))
        if series and len(set(series)) == 1 and series[0] > 0:
            for value in values:
                self.assertAlmostEqual(value, series[0], places=6)
            self.assertNotEqual(method, fc.NONE)


@tagged("retail_services")
class TestForecastBatch(BaseCase):
    """The NumPy forecast of the nightly job gives what services/forecast.py gives."""

    def _check(self, series_list, horizon):
        methods, values = forecast_batch(np.array(series_list, dtype=float), horizon)
        for series, method, row in zip(series_list, methods, values, strict=True):
            expected_method, expected = fc.forecast(series, horizon)
            self.assertEqual(method, expected_method, series)
            for got, want in zip(row, expected, strict=True):
                self.assertAlmostEqual(got, want, places=6)

    def test_hand_series(self):
        year = [3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8]
        self._check(
            [
                [0] * 36,
                [0] * 31 + [4, 4, 4, 4, 4],
                [0] * 24 + year,
                year * 3,
                [0, 0, 3] * 12,
                [100 - 2 * t for t in range(36)],
                [0] * 12 + year * 2,
            ],
            3,
        )
        self.assertEqual(history_lengths(np.array([[0, 0, 1, 0], [0, 0, 0, 0]])).tolist(), [2, 0])
        minimum, maximum = reorder_proposals([60, -5], 7, 30, 3)
        self.assertEqual(minimum.tolist(), [20.0, 0.0])
        self.assertEqual(maximum.tolist(), [80.0, 0.0])
        with self.assertRaises(ValueError):
            reorder_proposals([1], -1, 30)

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(
            st.lists(st.one_of(st.just(0), st.integers(0, 300)), min_size=36, max_size=36),
            min_size=1,
            max_size=12,
        ),
        st.integers(1, 14),
    )
    def test_property_same_as_scalar(self, series_list, horizon):
        self._check(series_list, horizon)
