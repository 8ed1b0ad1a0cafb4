from datetime import date, datetime
from math import sqrt

from odoo.tests import BaseCase, tagged

from ..services.birthday import greeted_days, greeting_day, is_greeted_on, local_today
from ..services.notices import delivery_is_late, pick_channel
from ..services.recommendations import (
    CO_PURCHASE,
    REPEAT,
    Line,
    Params,
    Recommendation,
    interleave,
    pos_summary,
    recommend,
)
from ..services.returns import Policy, effective_policy, last_return_day, outside_window

SINCE = datetime(2026, 5, 1)


def _at(day):
    return datetime(2026, 4, day, 12, 0)


@tagged("retail_services")
class TestRecommendationService(BaseCase):
    """The recommendation rules on hand-computed cases."""

    def test_interleave(self):
        merged = interleave([(1, 3.0), (2, 2.0), (3, 2.0)], [(10, 0.9)], 4)
        self.assertEqual(
            [(r.product_id, r.reason, r.rank) for r in merged],
            [(1, REPEAT, 1), (10, CO_PURCHASE, 2), (2, REPEAT, 3), (3, REPEAT, 4)],
            "repeat 1, co-purchase 1, then the longer list fills the places",
        )
        self.assertEqual(interleave([], [], 5), [])
        self.assertEqual(len(interleave([(1, 2.0)] * 9, [(2, 1.0)] * 9, 5)), 5)

    def test_own_repeat(self):
        lines = [
            # tea bought 3 times, last in April: proposed again
            Line(1, 100, "o1", _at(1), 1),
            Line(1, 100, "o2", _at(10), 2),
            Line(1, 100, "o3", _at(20), 1),
            # cups bought twice but returned once: net 1 held, 2 orders
            Line(1, 200, "o1", _at(1), 1),
            Line(1, 200, "o4", _at(5), 1),
            Line(1, 200, "r1", _at(6), -1),
            # honey twice, the last time just now: not proposed
            Line(1, 300, "o1", _at(1), 1),
            Line(1, 300, "o5", datetime(2026, 5, 2), 1),
            # a pot bought once: not a repeat
            Line(1, 400, "o3", _at(20), 1),
            # a kettle bought twice then fully returned: not held
            Line(1, 500, "o1", _at(1), 1),
            Line(1, 500, "o2", _at(10), 1),
            Line(1, 500, "r2", _at(11), -2),
        ]
        result = recommend(lines, {100, 200, 300, 400, 500}, SINCE, Params(top_n=5))
        repeats = [(r.product_id, r.score) for r in result[1] if r.reason == REPEAT]
        self.assertEqual(repeats, [(100, 3.0), (200, 2.0)])

    def test_co_purchase_cosine(self):
        # customers 1, 2, 3 bought A (1) and B (2); 2 and 3 also bought C (3);
        # customer 4 bought only A.
        lines = [
            Line(1, 1, "a", _at(1), 1),
            Line(1, 2, "a", _at(1), 1),
            Line(2, 1, "b", _at(2), 1),
            Line(2, 2, "b", _at(2), 1),
            Line(2, 3, "b", _at(2), 1),
            Line(3, 1, "c", _at(3), 1),
            Line(3, 2, "c", _at(3), 1),
            Line(3, 3, "c", _at(3), 1),
            Line(4, 1, "d", _at(4), 1),
        ]
        result = recommend(lines, {1, 2, 3}, SINCE, Params(top_n=3))
        # buyers: A 4, B 3, C 2; together: AB 3, AC 2, BC 2
        sim_ab, sim_ac, sim_bc = 3 / sqrt(12), 2 / sqrt(8), 2 / sqrt(6)
        self.assertEqual(
            result[4],
            [
                Recommendation(2, CO_PURCHASE, round(sim_ab, 6), 1),
                Recommendation(3, CO_PURCHASE, round(sim_ac, 6), 2),
            ],
            "customer 4 holds A: B (0.866) before C (0.707)",
        )
        self.assertEqual(
            result[1],
            [Recommendation(3, CO_PURCHASE, round(sim_ac + sim_bc, 6), 1)],
            "customer 1 holds A and B: C scored by both, bought products never proposed",
        )
        self.assertNotIn(2, result, "customer 2 bought everything")

    def test_recommendable_only_and_neighbour_limit(self):
        lines = [
            Line(1, 1, "a", _at(1), 1),
            Line(1, 2, "a", _at(1), 1),
            Line(1, 3, "a", _at(1), 1),
            Line(2, 1, "b", _at(2), 1),
        ]
        result = recommend(lines, {1, 3}, SINCE, Params(neighbours=5))
        self.assertEqual([r.product_id for r in result[2]], [3], "2 is archived or not sold")
        result = recommend(lines, {1, 2, 3}, SINCE, Params(neighbours=1))
        self.assertEqual(
            [r.product_id for r in result[2]], [2], "one neighbour kept: the lower id on a tie"
        )
        self.assertEqual(recommend(lines, {1, 2, 3}, SINCE, customers={1}).keys(), set())

    def test_basket_cap_uses_latest_products(self):
        lines = [
            Line(1, 1, "old", _at(1), 1),
            Line(1, 5, "mid", _at(8), 1),
            Line(1, 2, "new", _at(9), 1),
            Line(2, 1, "x", _at(2), 1),
            Line(2, 3, "x", _at(2), 1),
            Line(3, 2, "y", _at(3), 1),
            Line(3, 4, "y", _at(3), 1),
        ]
        result = recommend(lines, {1, 2, 3, 4, 5}, SINCE, Params(basket_cap=2))
        self.assertEqual(
            [r.product_id for r in result[1]],
            [4],
            "only the 2 latest products (2, 5) are evidence: 4 is proposed, not 3",
        )
        result = recommend(lines, {1, 2, 3, 4, 5}, SINCE, Params(basket_cap=3))
        self.assertEqual(sorted(r.product_id for r in result[1]), [3, 4])

    def test_params_validated(self):
        with self.assertRaises(ValueError):
            Params(top_n=0)

    def test_pos_summary(self):
        self.assertEqual(pos_summary(["Tea", "Cups", "Honey", "Pot"]), "Tea, Cups, Honey")
        self.assertEqual(pos_summary(["Tea"]), "Tea")
        self.assertFalse(pos_summary([]))


@tagged("retail_services")
class TestBirthdayService(BaseCase):
    def test_ordinary_day(self):
        self.assertEqual(greeted_days(date(2026, 6, 15)), [(6, 15)])
        self.assertTrue(is_greeted_on(date(1990, 6, 15), date(2026, 6, 15)))
        self.assertFalse(is_greeted_on(date(1990, 6, 16), date(2026, 6, 15)))

    def test_february_29(self):
        leapling = date(2000, 2, 29)
        # non-leap year: 28 February greets both
        self.assertEqual(greeted_days(date(2026, 2, 28)), [(2, 28), (2, 29)])
        self.assertTrue(is_greeted_on(leapling, date(2026, 2, 28)))
        self.assertFalse(is_greeted_on(leapling, date(2026, 3, 1)))
        self.assertEqual(greeting_day(leapling, 2026), date(2026, 2, 28))
        # leap year: greeted on the 29th only
        self.assertEqual(greeted_days(date(2028, 2, 28)), [(2, 28)])
        self.assertEqual(greeted_days(date(2028, 2, 29)), [(2, 29)])
        self.assertFalse(is_greeted_on(leapling, date(2028, 2, 28)))
        self.assertTrue(is_greeted_on(leapling, date(2028, 2, 29)))
        self.assertEqual(greeting_day(leapling, 2028), date(2028, 2, 29))
        # 2100 is not a leap year, 2000 was
        self.assertEqual(greeted_days(date(2100, 2, 28)), [(2, 28), (2, 29)])
        self.assertEqual(greeted_days(date(2000, 2, 28)), [(2, 28)])

    def test_local_date(self):
        late_utc = datetime(2026, 3, 1, 17, 0)
        self.assertEqual(local_today(late_utc, "Asia/Shanghai"), date(2026, 3, 2))
        self.assertEqual(local_today(late_utc, "America/New_York"), date(2026, 3, 1))
        self.assertEqual(local_today(late_utc, False), date(2026, 3, 1), "UTC without a zone")
        self.assertEqual(local_today(late_utc, "Mars/Olympus"), date(2026, 3, 1), "unknown zone")


@tagged("retail_services")
class TestNoticeChannel(BaseCase):
    def test_preferred_channel_when_consented(self):
        self.assertEqual(pick_channel("sms", {"email", "sms"}), "sms")
        self.assertEqual(pick_channel("wechat", {"wechat"}), "wechat")

    def test_fallback_order(self):
        self.assertEqual(pick_channel("sms", {"phone", "email"}), "email")
        self.assertEqual(pick_channel(None, {"wechat", "phone"}), "phone")
        self.assertEqual(pick_channel("email", {"wechat"}), "wechat")

    def test_no_consent_no_channel(self):
        self.assertIsNone(pick_channel("email", set()))
        self.assertIsNone(pick_channel(None, set()))


@tagged("retail_services")
class TestReturnPolicyService(BaseCase):
    def test_inherited_from_the_nearest_category_with_a_window(self):
        chain = [("Green Tea", None), ("Tea", 7), ("All", 30)]
        self.assertEqual(effective_policy(chain), Policy(7, "Tea"))
        self.assertEqual(effective_policy([("Tea", 0), ("All", 30)]), Policy(0, "Tea"))
        self.assertIsNone(effective_policy([("Tea", None), ("All", None)]))
        self.assertIsNone(effective_policy([]))

    def test_window_counts_whole_days_after_the_purchase(self):
        policy = Policy(7, "Tea")
        bought = date(2026, 11, 1)
        self.assertEqual(last_return_day(bought, policy), date(2026, 11, 8))
        self.assertFalse(outside_window(bought, policy, date(2026, 11, 8)))
        self.assertTrue(outside_window(bought, policy, date(2026, 11, 9)))
        self.assertFalse(outside_window(bought, policy, date(2026, 11, 1)))
        self.assertTrue(outside_window(bought, Policy(0, "Final sale"), date(2026, 11, 2)))
        self.assertFalse(outside_window(bought, None, date(2030, 1, 1)), "no policy, no limit")


@tagged("retail_services")
class TestDeliveryLateness(BaseCase):
    """A delivery is late the day after it was due, in the shop's time zone."""

    def test_due_today_is_not_late_until_midnight(self):
        now = datetime(2026, 12, 1, 15, 0)  # UTC
        self.assertFalse(delivery_is_late(datetime(2026, 12, 1, 9, 0), now, "UTC"))
        self.assertFalse(delivery_is_late(datetime(2026, 12, 1, 0, 0), now, False))
        self.assertTrue(delivery_is_late(datetime(2026, 11, 30, 23, 59), now, "UTC"))
        self.assertFalse(delivery_is_late(datetime(2026, 12, 3, 9, 0), now, "UTC"))

    def test_the_day_is_the_shops(self):
        # 17:00 UTC on 1 December is already 2 December in Shanghai (UTC+8)
        now = datetime(2026, 12, 1, 17, 0)
        due = datetime(2026, 12, 1, 3, 0)  # 11:00 on 1 December in Shanghai
        self.assertTrue(delivery_is_late(due, now, "Asia/Shanghai"))
        self.assertFalse(delivery_is_late(due, now, "UTC"))
        # 23:00 UTC on 30 November is 1 December 07:00 in Shanghai: due today
        self.assertFalse(
            delivery_is_late(
                datetime(2026, 11, 30, 23, 0), datetime(2026, 12, 1, 5, 0), "Asia/Shanghai"
            )
        )
