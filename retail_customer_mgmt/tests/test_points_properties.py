"""Properties of the points rules over random sequences (hypothesis).

Derandomized: the same examples run on every machine, so a failure is
reproducible; the hand-computed cases live in test_points_service.
"""

import math
from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services.points import Lot, earned_points, refund_takeback, replay_expiry, reward_cost

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
money = st.decimals(min_value="0.01", max_value="5000", places=2).map(float)


@tagged("retail_services")
class TestPointsProperties(BaseCase):
    @PROPERTY
    @given(
        amount=money,
        rate=st.sampled_from([0.5, 1.0, 2.0]),
        multiplier=st.sampled_from([1.0, 1.5, 2.0]),
    )
    def test_earning_is_the_whole_part(self, amount, rate, multiplier):
        points = earned_points(amount, rate, multiplier)
        exact = amount * rate * multiplier
        self.assertEqual(points, int(points))
        self.assertLessEqual(points, exact + 1e-6)
        self.assertGreater(points + 1, exact - 1e-6)

    @PROPERTY
    @given(
        amount=money,
        multiplier=st.sampled_from([1.0, 1.5, 2.0]),
        refunds=st.lists(money, min_size=1, max_size=8),
    )
    def test_refunds_never_take_back_more_than_earned(self, amount, multiplier, refunds):
        earned = earned_points(amount, 1.0, multiplier)
        refunded, taken = 0.0, 0.0
        for refund in refunds:
            now = min(refund, amount - refunded)
            if now <= 0:
                break
            points = refund_takeback(earned, amount, refunded, now, taken)
            self.assertGreaterEqual(points, 0.0)
            refunded += now
            taken += points
            self.assertLessEqual(taken, earned)
            # what stays is what the kept amount earns, rounded down
            kept = max(amount - refunded, 0.0)
            self.assertEqual(earned - taken, math.floor(earned * kept / amount + 1e-6))
        if refunded >= amount - 1e-9:
            self.assertEqual(taken, earned, "a full refund takes back exactly what was earned")

    @PROPERTY
    @given(
        lots=st.lists(
            st.tuples(
                st.integers(0, 300), st.one_of(st.none(), st.integers(1, 400)), st.integers(1, 500)
            ),
            min_size=1,
            max_size=8,
        ),
        debits=st.lists(st.tuples(st.integers(0, 700), st.integers(1, 400)), max_size=8),
        day=st.integers(0, 800),
    )
    def test_expiry_oldest_first(self, lots, debits, day):
        start = date(2025, 1, 1)
        lot_list = [
            Lot(
                index,
                start + timedelta(days=earned),
                None if life is None else start + timedelta(days=earned + life),
                float(points),
            )
            for index, (earned, life, points) in enumerate(lots)
        ]
        debit_list = [(start + timedelta(days=d), float(p)) for d, p in debits]
        until = start + timedelta(days=day)
        expired = replay_expiry(lot_list, debit_list, until)
        total = sum(lot.points for lot in lot_list)
        due = sum(
            lot.points for lot in lot_list if lot.expires_on is not None and lot.expires_on <= until
        )
        self.assertGreaterEqual(expired, 0.0)
        self.assertLessEqual(expired, due, "only lots past their date expire")
        # later never expires less
        self.assertGreaterEqual(
            replay_expiry(lot_list, debit_list, until + timedelta(days=30)), expired
        )
        if not debit_list:
            self.assertEqual(expired, due)
        self.assertLessEqual(expired, total)

    @PROPERTY
    @given(
        claims=st.lists(
            st.tuples(
                st.sampled_from(["per_point", "percent"]),
                st.sampled_from([0.0, 0.01, 0.1]),
                st.integers(1, 1000).map(float),
                money.map(lambda m: -m),
            ),
            max_size=4,
        )
    )
    def test_reward_cost_comes_from_the_definition(self, claims):
        expected = sum(
            -amount / discount if mode == "per_point" and discount > 0 else required
            for mode, discount, required, amount in claims
        )
        self.assertAlmostEqual(reward_cost(claims), round(expected, 2), places=2)
        self.assertGreaterEqual(reward_cost(claims), 0.0)
