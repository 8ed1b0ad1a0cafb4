from datetime import datetime, timedelta

from odoo.tests import BaseCase, tagged

from ..services.marketing import (
    consent_channel,
    days_condition,
    promotion_targets,
    rate,
    window_start,
)

NOW = datetime(2026, 12, 1, 9, 0)


@tagged("retail_services")
class TestMarketingService(BaseCase):
    """The campaign rules on hand-computed cases."""

    def test_consent_follows_the_channel(self):
        self.assertEqual(consent_channel("mail"), "email")
        self.assertEqual(consent_channel("sms"), "sms")
        self.assertIsNone(consent_channel("whatsapp"))

    def test_days_since_becomes_a_date_comparison(self):
        # "first purchase at most 30 days ago" = first purchase on or after now - 30 days
        self.assertEqual(days_condition("<=", 30, NOW), (">=", NOW - timedelta(days=30)))
        self.assertEqual(days_condition("<", 7, NOW), (">", NOW - timedelta(days=7)))
        self.assertEqual(days_condition(">=", 365, NOW), ("<=", NOW - timedelta(days=365)))
        self.assertEqual(days_condition(">", 1, NOW), ("<", NOW - timedelta(days=1)))
        self.assertIsNone(days_condition("=", 30, NOW))

    def test_window_start(self):
        self.assertEqual(window_start(NOW, 90), NOW - timedelta(days=90))
        with self.assertRaises(ValueError):
            window_start(NOW, 0)

    def test_promotion_targets_union_of_rules_and_rewards(self):
        self.assertEqual(
            promotion_targets([([1, 2], None), ([], 7), ([2, 3], 8)]), ({1, 2, 3}, {7, 8})
        )
        # a rule on any product adds nothing; the reward's category remains
        self.assertEqual(promotion_targets([([], None), ([], 9)]), (set(), {9}))
        self.assertEqual(promotion_targets([([], None)]), (set(), set()))
        self.assertEqual(promotion_targets([]), (set(), set()))

    def test_rate(self):
        self.assertEqual(rate(1, 3), 33.3)
        self.assertEqual(rate(0, 0), 0.0)
