from datetime import date, timedelta

from odoo import fields
from odoo.exceptions import ValidationError
from odoo.tests import Form, freeze_time, tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestCustomerProfile(RetailCommon):
    """Birthday, preferred channel and consents on the contact."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env.user)
        cls.partner = cls.env["res.partner"].create(
            {
                "name": "陈静",
                "retail_birthday": "1985-05-09",
                "retail_preferred_channel": "wechat",
            }
        )

    def test_birthday_in_future_rejected(self):
        with self.assertRaisesMessage(ValidationError, "is in the future"):
            self.partner.write({"retail_birthday": self.today + timedelta(days=1)})
        self.assertEqual(self.partner.retail_birthday, date(1985, 5, 9), "nothing written")
        with self.assertRaisesMessage(ValidationError, "before 1900"):
            self.partner.write({"retail_birthday": "1850-01-01"})
        with self.assertRaisesMessage(ValidationError, "is in the future"):
            self.env["res.partner"].create(
                {
                    "name": "Future Baby",
                    "retail_birthday": self.today + timedelta(days=30),
                }
            )
        self.assertFalse(self.env["res.partner"].search([("name", "=", "Future Baby")]))

    def test_consent_dates(self):
        self.partner.retail_consent_email = True
        self.assertEqual(
            self.partner.retail_consent_email_date,
            self.today,
            "a consent is dated the day it is given",
        )
        self.partner.write({"retail_consent_sms": True, "retail_consent_sms_date": "2024-03-01"})
        self.assertEqual(
            self.partner.retail_consent_sms_date,
            date(2024, 3, 1),
            "a consent signed on paper keeps its date",
        )
        self.partner.retail_consent_email = False
        self.assertFalse(
            self.partner.retail_consent_email_date, "withdrawing a consent clears its date"
        )

    def test_consent_date_without_consent_rejected(self):
        with self.assertRaisesMessage(ValidationError, "consent date but no WeChat consent"):
            self.partner.write({"retail_consent_wechat_date": "2025-01-01"})
        self.assertFalse(self.partner.retail_consent_wechat_date, "nothing written")
        with self.assertRaisesMessage(ValidationError, "consent date but no Email consent"):
            self.env["res.partner"].create(
                {
                    "name": "No consent",
                    "retail_consent_email": False,
                    "retail_consent_email_date": "2025-01-01",
                }
            )

    def test_consent_date_in_future_rejected(self):
        with self.assertRaisesMessage(ValidationError, "is in the future"):
            self.partner.write(
                {
                    "retail_consent_phone": True,
                    "retail_consent_phone_date": self.today + timedelta(days=2),
                }
            )
        self.assertFalse(self.partner.retail_consent_phone)

    def test_consent_dated_in_an_eastern_time_zone(self):
        """At 20:00 UTC it is already tomorrow in Shanghai: a consent a
        Shanghai shop records then carries tomorrow's UTC date, and a
        customer changing another consent from a UTC session is not told
        that the first one is in the future. Three days ahead still is."""
        with freeze_time("2026-06-01 20:00:00"):
            self.partner.with_context(tz="Asia/Shanghai").retail_consent_email = True
            self.assertEqual(self.partner.retail_consent_email_date, date(2026, 6, 2))
            self.partner.with_context(tz="UTC").retail_consent_sms = True
            self.assertEqual(self.partner.retail_consent_sms_date, date(2026, 6, 1))
            with self.assertRaisesMessage(ValidationError, "is in the future"):
                self.partner.retail_consent_email_date = date(2026, 6, 4)

    def test_form_retail_tab(self):
        """A user of the contact form ticks a consent and gets the date."""
        with Form(self.partner) as form:
            form.retail_consent_wechat = True
            self.assertEqual(form.retail_consent_wechat_date, self.today)
            form.retail_wechat_id = "chenjing_85"
            form.retail_preferred_channel = "wechat"
        self.assertTrue(self.partner.retail_consent_wechat)
        self.assertEqual(self.partner.retail_wechat_id, "chenjing_85")
        with Form(self.partner) as form:
            form.retail_consent_wechat = False
            self.assertFalse(form.retail_consent_wechat_date)
        self.assertFalse(self.partner.retail_consent_wechat_date)

    def test_settings(self):
        user = self._retail_user("retail_followup", "base.group_user")
        settings = self.env["res.config.settings"].create({"retail_followup_user_id": user.id})
        settings.execute()
        self.assertEqual(self.env.company.retail_followup_user_id, user)
