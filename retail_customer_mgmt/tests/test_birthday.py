from datetime import date

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestBirthdayGreetings(RetailCommon):
    """The daily birthday job: consent, once a year, 29 February, coupons."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.write({"retail_birthday_greetings": True, "retail_birthday_coupon_days": 30})
        cls.main_company = cls.env.ref("base.main_company")
        (cls.company_1 | cls.company_2 | cls.main_company).partner_id.tz = "UTC"
        Partner = cls.env["res.partner"]
        consent = {"retail_consent_email": True}
        cls.amy = Partner.create(
            {
                "name": "Amy Birthday",
                "email": "amy@example.cn",
                "retail_birthday": "1990-06-15",
                "company_id": cls.company_1.id,
                **consent,
            }
        )
        cls.ben = Partner.create(
            {"name": "Ben No Consent", "email": "ben@example.cn", "retail_birthday": "1985-06-15"}
        )
        cls.cat = Partner.create(
            {"name": "Cat No Email", "retail_birthday": "1970-06-15", **consent}
        )
        cls.dee = Partner.create(
            {
                "name": "Dee Tomorrow",
                "email": "dee@example.cn",
                "retail_birthday": "1995-06-16",
                **consent,
            }
        )
        cls.fay = Partner.create(
            {
                "name": "Fay Archived",
                "email": "fay@example.cn",
                "retail_birthday": "1992-06-15",
                "active": False,
                **consent,
            }
        )
        cls.leapling = Partner.create(
            {
                "name": "Leo Leapling",
                "email": "leo@example.cn",
                "retail_birthday": "2000-02-29",
                **consent,
            }
        )
        cls.feb28 = Partner.create(
            {
                "name": "Fei February",
                "email": "fei@example.cn",
                "retail_birthday": "1999-02-28",
                **consent,
            }
        )
        cls.Greeting = cls.env["retail.birthday.greeting"]
        # greetings of every company, whatever the company selected
        cls.Greetings = cls.Greeting.sudo()

    def _run(self, now):
        with freeze_time(now):
            self.Greeting._cron_retail_birthday_greetings()

    def _greeted(self, year=None):
        domain = [("partner_id", "in", self._customers().ids)]
        if year:
            domain.append(("year", "=", year))
        return self.Greetings.search(domain).partner_id

    def _customers(self):
        return (
            self.amy | self.ben | self.cat | self.dee | self.fay | self.leapling | self.feb28
        ).with_context(active_test=False)

    def _mails(self, partner):
        return self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])

    def test_greets_once_with_a_coupon(self):
        self._run("2026-06-15 08:00:00")
        self.assertEqual(
            self._greeted(), self.amy, "no consent, no email, tomorrow or archived: not greeted"
        )
        greeting = self.Greetings.search([("partner_id", "=", self.amy.id)])
        self.assertEqual((greeting.year, greeting.greeted_on), (2026, date(2026, 6, 15)))
        coupon = greeting.coupon_id
        program = self.company_1.retail_birthday_program_id
        self.assertEqual(coupon.program_id, program)
        self.assertEqual(
            (program.program_type, program.company_id, program.trigger),
            ("coupons", self.company_1, "with_code"),
        )
        self.assertEqual(coupon.partner_id, self.amy)
        self.assertEqual(coupon.points, 1)
        self.assertEqual(coupon.expiration_date, date(2026, 7, 15))
        self.assertEqual(coupon.history_ids.issued, 1, "Odoo's generator wrote the ledger line")
        mail = self._mails(self.amy)
        self.assertEqual(len(mail), 1, "only the greeting, not Odoo's own coupon mail")
        self.assertIn("Happy birthday", mail.subject)
        self.assertIn(coupon.code, str(mail.body_html))
        self.assertTrue(self.amy.message_ids.filtered(lambda m: coupon.code in str(m.body)))
        # the coupon gives the program's reward with its code
        self.assertTrue(program.reward_ids)
        self.assertFalse(program.communication_plan_ids, "the greeting carries the code")

        # the job runs again the same day, and later that year: nothing more
        self._run("2026-06-15 20:00:00")
        self._run("2026-12-31 08:00:00")
        self.assertEqual(len(self.Greetings.search([("partner_id", "=", self.amy.id)])), 1)
        self.assertEqual(len(self._mails(self.amy)), 1)
        self.assertEqual(
            self.env["loyalty.card"].search_count([("partner_id", "=", self.amy.id)]), 1
        )
        # next year, again
        self._run("2027-06-15 08:00:00")
        self.assertEqual(
            self.Greetings.search([("partner_id", "=", self.amy.id)]).mapped("year"), [2027, 2026]
        )

    def test_claimed_by_another_run(self):
        """A greeting row already written (a concurrent run) means no second mail."""
        self.Greeting.sudo().create(
            {
                "partner_id": self.amy.id,
                "company_id": self.company_1.id,
                "year": 2026,
                "greeted_on": "2026-06-15",
            }
        )
        self._run("2026-06-15 08:00:00")
        self.assertFalse(self._mails(self.amy))
        self.assertFalse(self.env["loyalty.card"].search([("partner_id", "=", self.amy.id)]))

    def test_february_29(self):
        # 2026 has no 29 February: both greeted on the 28th, once
        self._run("2026-02-27 08:00:00")
        self.assertFalse(self._greeted())
        self._run("2026-02-28 08:00:00")
        self.assertEqual(self._greeted(2026), self.leapling | self.feb28)
        self._run("2026-02-28 18:00:00")
        self._run("2026-03-01 08:00:00")
        self.assertEqual(self._greeted(2026), self.leapling | self.feb28)
        self.assertEqual(len(self._mails(self.feb28)), 1)
        self.assertEqual(len(self._mails(self.leapling)), 1)
        # 2028 is a leap year: Leo on the 29th, not the 28th
        self._run("2028-02-28 08:00:00")
        self.assertEqual(self._greeted(2028), self.feb28)
        self._run("2028-02-29 08:00:00")
        self._run("2028-02-29 09:00:00")
        self.assertEqual(self._greeted(2028), self.leapling | self.feb28)
        self.assertEqual(len(self._mails(self.leapling)), 2, "one greeting a year")

    def test_company_time_zone(self):
        """At 20:00 UTC on 14 June it is already 15 June in Shanghai."""
        self._run("2026-06-14 20:00:00")
        self.assertFalse(self._greeted())
        self.company_1.partner_id.tz = "Asia/Shanghai"
        self._run("2026-06-14 20:00:00")
        self.assertEqual(self._greeted(), self.amy)

    def test_shared_contact_greeted_by_the_company_they_buy_in(self):
        shared = self.env["res.partner"].create(
            {
                "name": "Sam Shared",
                "email": "sam@example.cn",
                "retail_birthday": "1980-06-15",
                "retail_consent_email": True,
            }
        )
        self._sale(shared, 80.0, "2026-05-01 10:00:00", company=self.company_2)
        self._run("2026-06-15 08:00:00")
        greeting = self.Greetings.search([("partner_id", "=", shared.id)])
        self.assertEqual(greeting.company_id, self.company_2)
        self.assertEqual(greeting.coupon_id.program_id.company_id, self.company_2)
        # a shared contact who never bought: the main company
        self.assertNotEqual(self.main_company, self.company_1)
        never = self.env["res.partner"].create(
            {
                "name": "Nina Never",
                "email": "nina@example.cn",
                "retail_birthday": "1980-06-16",
                "retail_consent_email": True,
            }
        )
        self._run("2026-06-16 08:00:00")
        self.assertEqual(
            self.Greetings.search([("partner_id", "=", never.id)]).company_id, self.main_company
        )

    def test_disabled_company_and_chosen_program(self):
        program = self.env["loyalty.program"].create(
            {
                "name": "VIP birthday",
                "program_type": "coupons",
                "company_id": self.company_1.id,
                "reward_ids": [
                    Command.create(
                        {"reward_type": "discount", "discount": 20, "required_points": 1}
                    )
                ],
            }
        )
        self.company_1.write({"retail_birthday_greetings": False})
        self._run("2026-06-15 08:00:00")
        self.assertFalse(self._greeted())
        self.company_1.write(
            {"retail_birthday_greetings": True, "retail_birthday_program_id": program.id}
        )
        self._run("2026-06-15 08:00:00")
        coupon = self.Greetings.search([("partner_id", "=", self.amy.id)]).coupon_id
        self.assertEqual(coupon.program_id, program)
        self.assertEqual(len(self._mails(self.amy)), 1, "the program's own coupon mail is not sent")

    def test_chinese_greeting(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms(
            ["retail_customer_mgmt"], ["zh_CN"], overwrite=True
        )
        self.amy.lang = "zh_CN"
        self._run("2026-06-15 08:00:00")
        mail = self._mails(self.amy)
        coupon = self.Greetings.search([("partner_id", "=", self.amy.id)]).coupon_id
        self.assertIn("生日快乐", mail.subject)
        self.assertIn("生日快乐", str(mail.body_html))
        self.assertIn(coupon.code, str(mail.body_html))
