from datetime import date, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services.satisfaction import (
    may_ask_again,
    monthly_trend,
    nps,
    nps_category,
    nps_points,
    score_percent,
)


@tagged("retail_services")
class TestSatisfactionRules(BaseCase):
    def test_nps_classes_at_their_bounds(self):
        self.assertEqual(
            [nps_category(score) for score in range(11)],
            ["detractor"] * 7 + ["passive"] * 2 + ["promoter"] * 2,
        )
        self.assertEqual((nps_points(10), nps_points(8), nps_points(6)), (100, 0, -100))

    def test_nps_by_hand(self):
        # 3 promoters, 2 passives, 5 detractors of 10: 30 % - 50 % = -20
        self.assertEqual(nps([10, 9, 9, 8, 7, 6, 5, 3, 0, 1]), -20)
        self.assertEqual(nps([10]), 100)
        self.assertIsNone(nps([]))

    def test_score_percent(self):
        self.assertEqual(score_percent(1, 1, 5), 0)
        self.assertEqual(score_percent(4, 1, 5), 75)
        self.assertEqual(score_percent(7, 0, 10), 70)
        with self.assertRaises(ValueError):
            score_percent(3, 5, 5)

    def test_monthly_trend_leaves_unanswered_measures_blank(self):
        nov, dec = date(2026, 11, 1), date(2026, 12, 1)
        rows = [
            (dec, 3, "overall", 100.0, None),
            (nov, 1, "overall", 75.0, None),
            (nov, 1, "recommend", 100.0, 100.0),
            (nov, 2, "overall", 25.0, None),
            (nov, 2, "service", 50.0, None),
            (nov, 2, "recommend", 30.0, -100.0),
        ]
        self.assertEqual(
            monthly_trend(rows),
            [
                {
                    "month": nov,
                    "responses": 2,
                    "nps": 0.0,
                    "overall": 50.0,
                    "service": 50.0,
                    "product": None,
                },
                {
                    "month": dec,
                    "responses": 1,
                    "nps": None,
                    "overall": 100.0,
                    "service": None,
                    "product": None,
                },
            ],
        )

    def test_asked_again_only_after_the_period(self):
        now = datetime(2026, 12, 1, 9, 0)
        self.assertTrue(may_ask_again(None, now, 90))
        self.assertFalse(may_ask_again(datetime(2026, 9, 2, 9, 1), now, 90))
        self.assertTrue(may_ask_again(datetime(2026, 9, 2, 9, 0), now, 90))

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=60))
    def test_nps_is_promoters_minus_detractors(self, scores):
        promoters = sum(1 for s in scores if s >= 9)
        detractors = sum(1 for s in scores if s <= 6)
        value = nps(scores)
        self.assertAlmostEqual(value, 100.0 * (promoters - detractors) / len(scores))
        self.assertTrue(-100 <= value <= 100)
