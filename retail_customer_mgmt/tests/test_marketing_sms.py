from odoo import fields
from odoo.tests import tagged

from odoo.addons.mass_mailing_sms.tests.common import MassSMSCase

from .marketing_common import RetailMarketingCommon


@tagged("post_install", "-at_install")
class TestMarketingSms(RetailMarketingCommon, MassSMSCase):
    """SMS campaigns through Odoo's sms module, its IAP gateway replaced by
    Odoo's own test helper (mockSMSGateway)."""

    def test_sms_mailing_reaches_exactly_the_sms_consenting(self):
        mailing = self._partner_mailing(
            [("id", "in", self.customers.ids)], mailing_type="sms", sms_allow_unsubscribe=True
        )
        with self.mockSMSGateway():
            mailing.action_send_sms()
        numbers = sorted(sms["number"] for sms in self._sms)
        self.assertEqual(numbers, sorted([self.wang.phone_sanitized, self.zhou.phone_sanitized]))
        self.assertEqual(
            set(mailing.mailing_trace_ids.mapped("res_id")), set((self.wang | self.zhou).ids)
        )
        self.assertTrue(all("New tea has arrived" in sms["body"] for sms in self._sms))

    def test_explicit_sms_recipients_without_consent_are_left_out(self):
        mailing = self._partner_mailing([("id", "in", self.customers.ids)], mailing_type="sms")
        with self.mockSMSGateway():
            mailing.action_send_sms(res_ids=(self.zhao | self.zhou).ids)
        self.assertEqual([sms["number"] for sms in self._sms], [self.zhou.phone_sanitized])

    def test_sms_stop_withdraws_the_sms_consent(self):
        """The unsubscribe page of an SMS blacklists the number
        (phone.blacklist.add, as mass_mailing_sms's controller does)."""
        self.env["phone.blacklist"].sudo().add(self.zhou.mobile)
        self.assertFalse(self.zhou.retail_consent_sms)
        self.assertEqual(
            self.zhou.retail_consent_sms_withdrawn_date, fields.Date.context_today(self.zhou)
        )
        self.assertTrue(self.zhou.retail_consent_email)
        mailing = self._partner_mailing([("id", "in", self.customers.ids)], mailing_type="sms")
        with self.mockSMSGateway():
            mailing.action_send_sms()
        self.assertEqual([sms["number"] for sms in self._sms], [self.wang.phone_sanitized])
        # consent given again in the profile: the number leaves the blacklist
        self.zhou.retail_consent_sms = True
        self.assertFalse(self.zhou.phone_sanitized_blacklisted)
        self.assertFalse(self.zhou.retail_consent_sms_withdrawn_date)
