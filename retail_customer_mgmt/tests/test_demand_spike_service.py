from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services.demand_spikes import SpikeRule, days_of_cover, decide, pace, sum_by

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
RULE = SpikeRule(recent_days=7, baseline_days=90, factor=3.0, min_qty=10.0)


@tagged("retail_services")
class TestDemandSpikeService(BaseCase):
    """The spike rule on hand-computed figures, without database."""

    def test_hand_computed_spike(self):
        # 90 units in 90 days: 1 a day; 21 units in 7 days: 3 a day = 3 times
        decision = decide(21, 90, RULE)
        self.assertTrue(decision.spike)
        self.assertAlmostEqual(decision.recent_pace, 3.0)
        self.assertAlmostEqual(decision.usual_pace, 1.0)
        self.assertAlmostEqual(decision.ratio, 3.0)
        # 20 units: 2.857 a day, below 3 times
        decision = decide(20, 90, RULE)
        self.assertFalse(decision.spike)
        self.assertAlmostEqual(decision.ratio, 20 / 7)

    def test_minimum_volume_and_no_history(self):
        # 9 units in 7 days after 9 in 90: 12.9 times the pace, but under 10 units
        decision = decide(9, 9, RULE)
        self.assertAlmostEqual(decision.ratio, 90 / 7)
        self.assertFalse(decision.spike, "fewer units than the minimum are noise")
        self.assertTrue(decide(10, 9, RULE).spike)
        # nothing sold before: no usual pace, a new product, not a spike
        decision = decide(500, 0, RULE)
        self.assertIsNone(decision.ratio)
        self.assertFalse(decision.spike)
        # refunds beyond sales count as no sales
        self.assertEqual(decide(-5, 90, RULE).recent_pace, 0.0)

    def test_days_of_cover_and_pace(self):
        self.assertAlmostEqual(days_of_cover(12, 3.0), 4.0)
        self.assertEqual(days_of_cover(-4, 3.0), 0.0)
        self.assertIsNone(days_of_cover(12, 0.0))
        self.assertEqual(pace(10, 0), 0.0)

    def test_sum_by_category(self):
        rows = {1: (21.0, 90.0), 2: (3.0, 10.0), 3: (5.0, 5.0)}
        categories = {1: 10, 2: 10, 3: None}
        self.assertEqual(sum_by(rows, categories.get), {10: (24.0, 100.0)})

    @PROPERTY
    @given(
        recent=st.floats(0, 1e6),
        baseline=st.just(0.0) | st.floats(1e-3, 1e6),
        scale=st.floats(0.01, 100),
    )
    def test_property_ratio_and_scale(self, recent, baseline, scale):
        decision = decide(recent, baseline, RULE)
        if decision.spike:
            # a spike is exactly: enough units and at least factor x the usual pace
            self.assertGreaterEqual(recent, RULE.min_qty)
            self.assertGreaterEqual(recent / 7 * 90, 3.0 * baseline * (1 - 1e-9))
        if baseline == 0:
            self.assertIsNone(decision.ratio)
            self.assertFalse(decision.spike)
        else:
            # the ratio does not depend on the unit: scaling both keeps it
            scaled = decide(recent * scale, baseline * scale, RULE)
            self.assertAlmostEqual(scaled.ratio, decision.ratio, delta=1e-6 * decision.ratio + 1e-9)

    @PROPERTY
    @given(
        recent=st.floats(0, 1e5),
        more=st.floats(0, 1e5),
        baseline=st.floats(0.001, 1e5),
    )
    def test_property_more_sales_never_end_a_spike(self, recent, more, baseline):
        if decide(recent, baseline, RULE).spike:
            self.assertTrue(decide(recent + more, baseline, RULE).spike)
        # and a higher usual pace never makes one
        if not decide(recent, baseline, RULE).spike:
            self.assertFalse(decide(recent, baseline + more, RULE).spike)
