"""Pure rules of issue 15 (offers, referral, service, revisits, tiers on
spend and orders): hand-picked cases and properties over random inputs."""

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services.greetings import days_to_handle, fixed_occasion_on, member_anniversary_on
from ..services.referral import ALPHABET, CODE_LENGTH, new_code, normalize_code, referral_problem
from ..services.revisit import revisit_channel
from ..services.service_level import ServiceLevel, combine, ticket_hours, ticket_priority
from ..services.tiers import TierRule, check_rules, decide_tier, target_tier

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)


@tagged("retail_services")
class TestTierRules(BaseCase):
    LADDER = [
        TierRule(1, 0.0, 0, "spend"),
        TierRule(2, 2000.0, 0, "spend"),
        TierRule(3, 2000.0, 10, "both"),
        TierRule(4, 8000.0, 10, "both"),
    ]

    def test_spend_orders_or_both(self):
        self.assertEqual(target_tier(self.LADDER, 5000.0, 3), 2, "spend without the orders")
        self.assertEqual(target_tier(self.LADDER, 5000.0, 12), 3, "both thresholds")
        self.assertEqual(target_tier(self.LADDER, 100.0, 50), 1, "orders alone do not reach 3")
        orders_only = [TierRule(1, 0.0, 0, "orders"), TierRule(2, 0.0, 5, "orders")]
        self.assertEqual(target_tier(orders_only, 0.0, 5), 2)
        self.assertEqual(target_tier(orders_only, 99999.0, 4), 1)
        # the old spend-only ladders keep working
        self.assertEqual(target_tier([(1, 0.0), (2, 2000.0)], 2500.0), 2)

    def test_ladder_must_get_harder(self):
        self.assertEqual(check_rules(self.LADDER), [])
        self.assertEqual(
            check_rules([TierRule(1, 2000.0, 0, "spend"), TierRule(2, 0.0, 10, "orders")]),
            [1],
            "more orders but less spend: not harder on both",
        )
        self.assertEqual(
            check_rules([TierRule(1, 100.0, 5, "spend"), TierRule(2, 100.0, 99, "spend")]),
            [1],
            "a threshold the tier does not use does not count",
        )

    def test_decision_counts_orders(self):
        decision = decide_tier(self.LADDER, 2, 2500.0, None, date(2026, 6, 1), 30, orders=10)
        self.assertEqual((decision.tier_id, decision.direction), (3, "up"))
        decision = decide_tier(
            self.LADDER, 3, 2500.0, date(2026, 4, 1), date(2026, 6, 1), 30, review=True, orders=2
        )
        self.assertEqual((decision.tier_id, decision.direction), (2, "down"))

    @PROPERTY
    @given(
        steps=st.lists(
            st.tuples(
                st.sampled_from(["spend", "orders", "both"]),
                st.integers(min_value=0, max_value=3000),
                st.integers(min_value=0, max_value=5),
            ),
            min_size=1,
            max_size=6,
        ),
        spend=st.integers(min_value=0, max_value=20000),
        orders=st.integers(min_value=0, max_value=40),
        more_spend=st.integers(min_value=0, max_value=5000),
        more_orders=st.integers(min_value=0, max_value=10),
    )
    def test_valid_ladders_are_monotonic(self, steps, spend, orders, more_spend, more_orders):
        """On a ladder that check_rules accepts, the tiers a customer reaches
        are the lowest ones, and spending or buying more never lowers the
        target tier."""
        rules, total_spend, total_orders = [], 0, 0
        for i, (basis, spend_step, orders_step) in enumerate(steps):
            total_spend += spend_step
            total_orders += orders_step
            rules.append(TierRule(i + 1, float(total_spend), total_orders, basis))
        if check_rules(rules):
            return
        rank = {rule.tier_id: i for i, rule in enumerate(rules)}
        target = target_tier(rules, spend, orders)
        reached = [rule.tier_id for rule in rules if rule.reached(spend, orders)]
        self.assertEqual(reached, [rule.tier_id for rule in rules[: len(reached)]], "nested")
        self.assertEqual(target, reached[-1] if reached else None)
        richer = target_tier(rules, spend + more_spend, orders + more_orders)
        self.assertGreaterEqual(rank.get(richer, -1), rank.get(target, -1))


@tagged("retail_services")
class TestGreetingRules(BaseCase):
    def test_days_to_handle(self):
        today = date(2026, 6, 15)
        self.assertEqual(days_to_handle(None, today), [today], "first run: today only")
        self.assertEqual(days_to_handle(today, today), [], "already done today")
        self.assertEqual(
            days_to_handle(date(2026, 6, 12), today),
            [date(2026, 6, 13), date(2026, 6, 14), today],
            "missed days are caught up",
        )
        self.assertEqual(len(days_to_handle(date(2025, 1, 1), today, max_days=31)), 31)

    def test_occasion_days(self):
        self.assertTrue(fixed_occasion_on(10, 1, date(2026, 10, 1)))
        self.assertTrue(fixed_occasion_on(2, 29, date(2026, 2, 28)), "no 29 Feb: the 28th")
        self.assertFalse(fixed_occasion_on(2, 29, date(2028, 2, 28)))
        joined = date(2024, 3, 5)
        self.assertFalse(member_anniversary_on(joined, joined), "not the day they joined")
        self.assertTrue(member_anniversary_on(joined, date(2025, 3, 5)))
        self.assertFalse(member_anniversary_on(joined, date(2025, 3, 6)))

    @PROPERTY
    @given(
        start=st.dates(min_value=date(2024, 1, 1), max_value=date(2027, 12, 31)),
        gaps=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=25),
    )
    def test_runs_cover_every_day_once(self, start, gaps):
        """Whatever days the job runs on (several a day, days missed), each day
        is handled at most once, and every day is handled unless the job
        stopped for more than the look-back."""
        handled, last, today = [], None, start
        for gap in gaps:
            today += timedelta(days=gap)
            days = days_to_handle(last, today, max_days=31)
            handled += days
            if days:
                last = days[-1]
            self.assertEqual(days_to_handle(last, today, max_days=31), [], "a retry sends nothing")
        self.assertEqual(len(handled), len(set(handled)), "no day twice")
        self.assertEqual(handled, sorted(handled))
        if all(gap <= 31 for gap in gaps[1:]):
            expected = (today - (start + timedelta(days=gaps[0]))).days + 1
            self.assertEqual(len(handled), expected, "no day missed")


@tagged("retail_services")
class TestReferralServiceRevisitRules(BaseCase):
    def test_referral_codes(self):
        codes = {new_code() for _i in range(2000)}
        self.assertEqual(len(codes), 2000)
        self.assertTrue(all(len(c) == CODE_LENGTH and set(c) <= set(ALPHABET) for c in codes))
        self.assertEqual(normalize_code(" ab2c-d3ef "), "AB2CD3EF")

    def test_referral_problems(self):
        self.assertIsNone(referral_problem(1, 2, None, False))
        self.assertEqual(referral_problem(1, 1, None, False), "self")
        self.assertEqual(referral_problem(1, 2, 1, False), "mutual")
        self.assertEqual(referral_problem(1, 2, None, True), "credited")
        self.assertIsNone(referral_problem(1, None, None, False))

    def test_service_level(self):
        gold = ServiceLevel("1", 24.0, 7)
        vip_segment = ServiceLevel("2", 48.0, 8)
        level = combine(gold, vip_segment)
        self.assertEqual((level.priority, level.sla_hours, level.user_id), ("2", 24.0, 7))
        self.assertTrue(level.vip)
        self.assertFalse(combine(None, None).vip)
        self.assertEqual(combine(None, ServiceLevel("0", 0.0, 9)).user_id, 9)
        self.assertEqual(ticket_priority("0", level), "2")
        self.assertEqual(ticket_priority("2", ServiceLevel()), "2", "never lowered")
        self.assertEqual(ticket_hours(48.0, level), 24.0)
        self.assertEqual(ticket_hours(12.0, level), 12.0, "the policy when shorter")
        self.assertEqual(ticket_hours(None, level), 24.0)
        self.assertIsNone(ticket_hours(None, ServiceLevel()))

    def test_revisit_channel(self):
        self.assertEqual(revisit_channel("email", {"email", "phone"}, "visit"), "email")
        self.assertEqual(revisit_channel("email", {"phone", "visit"}, "visit"), "visit")
        self.assertEqual(revisit_channel(None, {"sms"}, "phone"), "sms")
        self.assertEqual(revisit_channel(None, {"sms", "phone"}, None), "phone")
        self.assertIsNone(revisit_channel("phone", set(), "phone"), "no consent, no channel")

    @PROPERTY
    @given(
        preferred=st.sampled_from([None, "phone", "visit", "email", "sms", "wechat"]),
        consented=st.sets(st.sampled_from(["phone", "visit", "email", "sms", "wechat"])),
        segment=st.sampled_from([None, "phone", "visit", "email", "sms", "wechat"]),
    )
    def test_revisit_only_on_consented_channels(self, preferred, consented, segment):
        channel = revisit_channel(preferred, consented, segment)
        if consented:
            self.assertIn(channel, consented)
        else:
            self.assertIsNone(channel)
        if preferred in consented:
            self.assertEqual(channel, preferred)
