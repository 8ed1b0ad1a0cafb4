from datetime import date

import psycopg2.errors

from odoo import Command
from odoo.exceptions import ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestGreetings(RetailCommon):
    """Welcome offers, holidays, membership anniversaries and the catch-up of
    missed days by the daily greetings job: consent, once per customer,
    occasion and year."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        (cls.company_1 | cls.company_2 | cls.env.ref("base.main_company")).partner_id.tz = "UTC"
        cls.company_1.write({"retail_birthday_greetings": True})
        Partner = cls.env["res.partner"]
        mine = {"company_id": cls.company_1.id, "retail_consent_email": True}
        cls.amy = Partner.create(
            {"name": "Amy", "email": "amy@example.cn", "retail_birthday": "1990-06-15", **mine}
        )
        cls.ivy = Partner.create(
            {"name": "Ivy", "email": "ivy@example.cn", "retail_birthday": "1991-06-13", **mine}
        )
        cls.ned = Partner.create(
            {
                "name": "Ned No Consent",
                "email": "ned@example.cn",
                "retail_birthday": "1992-06-13",
                "company_id": cls.company_1.id,
            }
        )
        cls.coupons = cls.env["loyalty.program"].create(
            {
                "name": "Welcome 10%",
                "program_type": "coupons",
                "company_id": cls.company_1.id,
                "reward_ids": [
                    Command.create(
                        {"reward_type": "discount", "discount": 10, "required_points": 1}
                    )
                ],
            }
        )
        cls.Greeting = cls.env["retail.birthday.greeting"]
        cls.Occasion = cls.env["retail.greeting.occasion"]

    def _run(self, now):
        with freeze_time(now):
            self.Greeting._cron_retail_birthday_greetings()

    def _greetings(self, partner, occasion=None):
        domain = [("partner_id", "=", partner.id)]
        if occasion:
            domain.append(("occasion", "=", occasion))
        return self.Greeting.sudo().search(domain)

    def _mails(self, partner, text=""):
        return self.env["mail.mail"].search(
            [("recipient_ids", "in", partner.ids), ("subject", "ilike", text)]
        )

    def test_missed_days_are_caught_up_once(self):
        self._run("2026-06-12 08:00:00")
        self.assertEqual(self.company_1.retail_greetings_done_until, date(2026, 6, 12))
        # the job did not run on 13 and 14 June: the next run catches up
        self._run("2026-06-15 08:00:00")
        self.assertEqual(self._greetings(self.ivy).mapped("year"), [2026], "missed 13 June")
        self.assertEqual(self._greetings(self.amy).mapped("year"), [2026])
        self.assertFalse(self._greetings(self.ned), "no consent: never greeted")
        self.assertEqual(self.company_1.retail_greetings_done_until, date(2026, 6, 15))
        # retries the same day and the following days send nothing more
        self._run("2026-06-15 20:00:00")
        self._run("2026-06-16 08:00:00")
        self.assertEqual(len(self._mails(self.ivy, "birthday")), 1)
        self.assertEqual(len(self._mails(self.amy, "birthday")), 1)

    def test_first_run_does_not_greet_the_past(self):
        self._run("2026-06-14 08:00:00")
        self.assertFalse(self._greetings(self.ivy), "13 June is before the first run")
        # greetings switched off for a while: the days off are not caught up
        self.company_1.retail_birthday_greetings = False
        self._run("2026-06-15 08:00:00")
        self.company_1.retail_birthday_greetings = True
        self._run("2026-06-16 08:00:00")
        self.assertFalse(self._greetings(self.amy), "15 June was a day off, not a missed day")

    def test_welcome_offer_once_after_first_purchase(self):
        self.company_1.retail_welcome_program_id = self.coupons
        veteran = self.env["res.partner"].create(
            {"name": "Old Buyer", "email": "old@example.cn", "retail_consent_email": True}
        )
        self._pos(veteran, 50.0, "2025-01-10 10:00:00")
        self._pos(self.amy, 80.0, "2026-03-14 10:00:00")
        self._pos(self.ned, 80.0, "2026-03-14 10:00:00")
        self._run("2026-03-15 08:00:00")
        welcome = self._greetings(self.amy, "welcome")
        self.assertEqual(len(welcome), 1)
        self.assertEqual(welcome.coupon_id.program_id, self.coupons)
        self.assertEqual(welcome.coupon_id.expiration_date, date(2026, 4, 14))
        mail = self._mails(self.amy, "Welcome")
        self.assertEqual(len(mail), 1)
        self.assertIn(welcome.coupon_id.code, str(mail.body_html))
        self.assertFalse(self._greetings(self.ned), "no consent")
        self.assertFalse(self._greetings(veteran), "bought long before: not a new customer")
        # a second purchase, retries, later runs: never a second welcome
        self._pos(self.amy, 20.0, "2026-03-15 10:00:00")
        self._run("2026-03-15 20:00:00")
        self._run("2026-03-16 08:00:00")
        self.assertEqual(len(self._greetings(self.amy, "welcome")), 1)
        self.assertEqual(len(self._mails(self.amy, "Welcome")), 1)
        self.assertEqual(
            self.env["loyalty.card"].search_count(
                [("partner_id", "=", self.amy.id), ("program_id", "=", self.coupons.id)]
            ),
            1,
        )

    def test_welcome_needs_a_coupons_program(self):
        loyalty = self.env["loyalty.program"].create(
            {"name": "Not coupons", "program_type": "loyalty", "company_id": self.company_1.id}
        )
        with self.assertRaisesMessage(ValidationError, "needs a coupons program"):
            self.company_1.retail_welcome_program_id = loyalty
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.company_1.retail_welcome_coupon_days = -1

    def test_holidays_fixed_and_dated(self):
        anniversary = self.Occasion.create(
            {"name": "Shop anniversary", "kind": "fixed", "month": 9, "day": 1}
        )
        spring = self.Occasion.create(
            {
                "name": "Spring Festival",
                "kind": "dated",
                "program_id": self.coupons.id,
                "coupon_days": 15,
                "date_ids": [Command.create({"date": "2027-02-06"})],
            }
        )
        self.assertEqual(anniversary.company_id, self.company_1)
        self._run("2026-09-01 08:00:00")
        greeting = self._greetings(self.amy, "holiday")
        self.assertEqual((greeting.occasion_id, greeting.year), (anniversary, 2026))
        self.assertFalse(greeting.coupon_id, "a greeting without coupon")
        self.assertTrue(self._mails(self.amy, "Shop anniversary"))
        self.assertFalse(self._greetings(self.ned), "no consent")
        self._run("2026-09-01 18:00:00")
        self._run("2027-02-05 08:00:00")
        self.assertEqual(len(self._greetings(self.amy, "holiday")), 1)
        self._run("2027-02-06 08:00:00")
        festival = self._greetings(self.amy, "holiday").filtered(lambda g: g.occasion_id == spring)
        self.assertEqual(festival.coupon_id.program_id, self.coupons)
        self.assertEqual(festival.coupon_id.expiration_date, date(2027, 2, 21))
        greeted = self.Greeting.sudo().search([("occasion_id", "=", spring.id)]).partner_id
        self.assertEqual(greeted & (self.amy | self.ivy | self.ned), self.amy | self.ivy)
        self.assertEqual(spring.greeting_count, len(greeted))
        # next year the anniversary again, once
        self._run("2027-09-01 08:00:00")
        self._run("2027-09-01 09:00:00")
        self.assertEqual(
            self._greetings(self.amy, "holiday")
            .filtered(lambda g: g.occasion_id == anniversary)
            .mapped("year"),
            [2027, 2026],
        )

    def test_membership_anniversary(self):
        self.Occasion.create({"name": "Membership anniversary", "kind": "member"})
        self.amy.retail_member_since = "2024-06-20"
        self.ivy.retail_member_since = "2026-06-20"
        self._run("2026-06-20 08:00:00")
        self.assertEqual(self._greetings(self.amy, "member").year, 2026)
        self.assertFalse(self._greetings(self.ivy, "member"), "joined today: no anniversary")
        new = self.env["res.partner"].create({"name": "New Member"})
        self.assertTrue(new.retail_member_since, "member since the contact was created")

    def test_bad_occasions_are_refused(self):
        with self.assertRaisesMessage(ValidationError, "not a day of the year"):
            self.Occasion.create({"name": "Bad", "kind": "fixed", "month": 2, "day": 30})
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.Occasion.create({"name": "Bad", "kind": "member", "coupon_days": -3})
        self.assertFalse(self.Occasion.search([("name", "=", "Bad")]))
        self.Occasion.create({"name": "Leap", "kind": "fixed", "month": 2, "day": 29})
        spring = self.Occasion.create(
            {
                "name": "Mid-Autumn",
                "kind": "dated",
                "date_ids": [Command.create({"date": "2026-09-25"})],
            }
        )
        # the unique key of one date a year
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            spring.write({"date_ids": [Command.create({"date": "2026-10-01"})]})
            spring.date_ids.flush_recordset()
