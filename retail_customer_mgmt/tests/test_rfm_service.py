from datetime import date, datetime

from odoo.tests import BaseCase, tagged

from ..services.rfm import (
    Cuts,
    Metrics,
    SegmentMatcher,
    SegmentRule,
    churn_risk,
    coverage,
    match_segment,
    median_interval,
    needs_full_regrade,
    quintile_cuts,
    recency_days,
    score,
)


@tagged("retail_services")
class TestRfmService(BaseCase):
    def test_quintiles(self):
        cuts = quintile_cuts(range(1, 11))
        self.assertEqual(cuts, [2, 4, 6, 8])
        self.assertEqual([score(v, cuts) for v in range(1, 11)], [1, 1, 2, 2, 3, 3, 4, 4, 5, 5])

    def test_ties_get_the_same_score_whatever_their_order(self):
        values = [5, 5, 1, 5, 5, 5]
        cuts = quintile_cuts(values)
        self.assertEqual(cuts, quintile_cuts(list(reversed(values))))
        self.assertEqual({score(v, cuts) for v in values if v == 5}, {1})

    def test_recency_is_reversed(self):
        cuts = [10, 20, 30, 40]
        self.assertEqual(score(5, cuts, reverse=True), 5)
        self.assertEqual(score(25, cuts, reverse=True), 3)
        self.assertEqual(score(45, cuts, reverse=True), 1)

    def test_cuts_and_scores(self):
        metrics = [
            Metrics(1, 7, 3, 200.0),
            Metrics(2, 92, 1, 1000.0),
            Metrics(3, 516, 0, 0.0),
            Metrics(4, 12, 1, 0.0),
            Metrics(5, 2, 1, 0.0),
        ]
        cuts = Cuts.from_metrics(metrics)
        self.assertEqual(
            [cuts.scores(m) for m in metrics],
            [(4, 5, 4), (2, 2, 5), (1, 1, 1), (3, 2, 1), (5, 2, 1)],
        )

    def test_segment_matching_first_by_sequence(self):
        rules = [
            SegmentRule(2, 20, (1, 5), (1, 5), (1, 5)),
            SegmentRule(1, 10, (4, 5), (4, 5), (4, 5)),
        ]
        self.assertEqual(match_segment(rules, 5, 5, 5), 1)
        self.assertEqual(match_segment(rules, 3, 5, 5), 2)
        basket = [SegmentRule(3, 5, (1, 5), (4, 5), (1, 5), max_avg_basket=50.0)]
        self.assertEqual(match_segment(basket, 3, 5, 1, avg_basket=30.0), 3)
        self.assertIsNone(match_segment(basket, 3, 5, 1, avg_basket=80.0))

    def test_coverage(self):
        gaps, overlaps = coverage(
            [SegmentRule(1, 10, (1, 5), (1, 5), (2, 5)), SegmentRule(2, 20, (5, 5), (5, 5), (5, 5))]
        )
        self.assertEqual(len(gaps), 25)
        self.assertIn((3, 3, 1), gaps)
        self.assertEqual(overlaps, {(5, 5, 5): [1, 2]})

    def test_median_interval_and_churn(self):
        dates = [date(2026, 4, 7), date(2026, 4, 17), date(2026, 4, 27), date(2026, 5, 7)]
        self.assertEqual(median_interval(dates), 10.0)
        self.assertIsNone(median_interval(dates[:1]))
        self.assertTrue(churn_risk(25, 4, 10.0, 2.0, 90))
        self.assertFalse(churn_risk(19, 4, 10.0, 2.0, 90))
        # fewer than 3 orders: the segment's usual interval
        self.assertFalse(churn_risk(25, 2, 10.0, 2.0, 90))
        self.assertTrue(churn_risk(181, 2, 10.0, 2.0, 90))
        self.assertFalse(churn_risk(None, 0, None, 2.0, 90))

    def test_matcher_agrees_with_match_segment(self):
        rules = [
            SegmentRule(3, 30, (1, 5), (1, 5), (1, 5)),
            SegmentRule(1, 10, (4, 5), (4, 5), (4, 5), min_spend=500.0),
            SegmentRule(2, 10, (3, 5), (1, 5), (1, 2), max_avg_basket=50.0),
        ]
        matcher = SegmentMatcher(rules)
        for r, f, m, spend, avg in [
            (5, 5, 5, 800.0, 100.0),
            (5, 5, 5, 100.0, 100.0),
            (3, 1, 2, 10.0, 30.0),
            (3, 1, 2, 10.0, 80.0),
            (1, 1, 1, 0.0, 0.0),
        ]:
            self.assertEqual(
                matcher.match(r, f, m, spend, avg), match_segment(rules, r, f, m, spend, avg)
            )
        self.assertEqual(matcher.match(5, 5, 5, 800.0, 100.0), 1)
        self.assertEqual(matcher.match(5, 5, 5, 100.0, 100.0), 3)
        self.assertIsNone(SegmentMatcher([]).match(1, 1, 1))

    def test_recency_days(self):
        now = datetime(2026, 6, 2, 12)
        self.assertEqual(recency_days(now, datetime(2026, 6, 1, 13)), 0)
        self.assertEqual(recency_days(now, datetime(2026, 5, 31, 12)), 2)
        self.assertEqual(recency_days(now, datetime(2026, 6, 3)), 0, "never negative")

    def test_when_the_regrade_reads_everything_again(self):
        now = datetime(2026, 6, 10)
        self.assertTrue(needs_full_regrade(None, 12, now), "never graded")
        last = {"window_months": 12, "last_full": datetime(2026, 6, 5)}
        self.assertFalse(needs_full_regrade(last, 12, now))
        self.assertTrue(needs_full_regrade(last, 6, now), "the window changed")
        self.assertTrue(needs_full_regrade({**last, "last_full": datetime(2026, 6, 3)}, 12, now))
        self.assertTrue(needs_full_regrade({**last, "last_full": None}, 12, now))
