from datetime import date

from odoo.tests import BaseCase, tagged

from ..services.points import Lot, earned_points, points_to_expire, refund_takeback, replay_expiry
from ..services.tiers import check_ladder, decide_tier, target_tier


@tagged("retail_services")
class TestPointsService(BaseCase):
    def test_earned_points(self):
        self.assertEqual(earned_points(100.0, 1.0, 1.0), 100.0)
        self.assertEqual(earned_points(99.99, 1.0, 1.5), 149.0, "rounded down")
        self.assertEqual(earned_points(0.1 * 3, 10.0, 1.0), 3.0, "float noise absorbed")
        self.assertEqual(earned_points(-50.0, 1.0, 1.0), 0.0)
        self.assertEqual(earned_points(50.0, 0.0, 2.0), 0.0)

    def test_refund_takeback_partial_then_full(self):
        # 300 spent, 450 points (x1.5). Refund 100, then the remaining 200.
        first = refund_takeback(450, 300.0, 0.0, 100.0, 0.0)
        self.assertEqual(first, 150.0)
        second = refund_takeback(450, 300.0, 100.0, 200.0, first)
        self.assertEqual(second, 300.0)
        self.assertEqual(first + second, 450.0, "a full refund takes back exactly what was earned")

    def test_refund_takeback_never_more_than_earned(self):
        self.assertEqual(refund_takeback(10, 100.0, 0.0, 500.0, 0.0), 10.0)
        self.assertEqual(refund_takeback(10, 100.0, 100.0, 50.0, 10.0), 0.0)
        # rounding: 3 refunds of a third each take back 33 + 33 + 34
        taken = 0.0
        refunded = 0.0
        for _i in range(3):
            points = refund_takeback(100, 99.0, refunded, 33.0, taken)
            refunded += 33.0
            taken += points
        self.assertEqual(taken, 100.0)

    def test_fifo_expiry(self):
        lots = [
            Lot(1, date(2025, 1, 10), date(2025, 7, 10), 100.0),
            Lot(2, date(2025, 3, 1), date(2025, 9, 1), 50.0),
        ]
        # 120 used on 2025-04-01: the first lot is used up, 30 left of the second
        debits = [(date(2025, 4, 1), 120.0)]
        self.assertEqual(replay_expiry(lots, debits, date(2025, 7, 9)), 0.0)
        self.assertEqual(
            replay_expiry(lots, debits, date(2025, 7, 10)),
            0.0,
            "the oldest lot was consumed first: nothing left to expire",
        )
        self.assertEqual(replay_expiry(lots, debits, date(2025, 9, 1)), 30.0)
        self.assertEqual(
            points_to_expire(lots, debits, 30.0, date(2025, 9, 2)), 0.0, "already written off"
        )

    def test_expired_lot_cannot_be_used(self):
        lots = [
            Lot(1, date(2025, 1, 1), date(2025, 2, 1), 40.0),
            Lot(2, date(2025, 1, 15), None, 60.0),
        ]
        # a use after the first lot expired takes from the second lot only
        debits = [(date(2025, 2, 1), 20.0)]
        self.assertEqual(replay_expiry(lots, debits, date(2025, 3, 1)), 40.0)


@tagged("retail_services")
class TestTierService(BaseCase):
    LADDER = [(1, 0.0), (2, 2000.0), (3, 8000.0), (4, 20000.0)]
    TODAY = date(2026, 6, 1)

    def test_target_and_ladder(self):
        self.assertEqual(target_tier(self.LADDER, 1999.99), 1)
        self.assertEqual(target_tier(self.LADDER, 8000.0), 3)
        self.assertIsNone(target_tier([(2, 100.0)], 50.0))
        self.assertEqual(check_ladder([0, 2000, 8000]), [])
        self.assertEqual(check_ladder([0, 2000, 2000, 1000]), [2, 3])

    def test_upgrade_at_once(self):
        decision = decide_tier(self.LADDER, 1, 9000.0, None, self.TODAY, 30)
        self.assertEqual((decision.tier_id, decision.direction, decision.changed), (3, "up", True))

    def test_no_downgrade_on_purchase_events(self):
        decision = decide_tier(self.LADDER, 3, 100.0, None, self.TODAY, 30, review=False)
        self.assertEqual(decision.tier_id, 3)
        self.assertEqual(decision.below_since, self.TODAY, "the grace period starts")

    def test_downgrade_only_after_grace(self):
        started = date(2026, 5, 10)  # 22 days ago
        decision = decide_tier(self.LADDER, 3, 2500.0, started, self.TODAY, 30, review=True)
        self.assertEqual(
            (decision.tier_id, decision.below_since, decision.changed), (3, started, False)
        )
        started = date(2026, 5, 2)  # 30 days ago
        decision = decide_tier(self.LADDER, 3, 2500.0, started, self.TODAY, 30, review=True)
        self.assertEqual(
            (decision.tier_id, decision.direction, decision.below_since), (2, "down", None)
        )

    def test_recovering_clears_grace(self):
        decision = decide_tier(
            self.LADDER, 3, 8500.0, date(2026, 5, 2), self.TODAY, 30, review=True
        )
        self.assertEqual(
            (decision.tier_id, decision.below_since, decision.changed), (3, None, True)
        )

    def test_new_customer(self):
        decision = decide_tier(self.LADDER, None, 50.0, None, self.TODAY, 30)
        self.assertEqual((decision.tier_id, decision.direction), (1, "new"))
