from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged

from .marketing_common import RetailMarketingCommon


@tagged("post_install", "-at_install")
class TestMarketingConsent(RetailMarketingCommon):
    """Email campaigns reach consenting customers only, and the profile's
    consents and Odoo's blacklist follow each other."""

    def _send(self, mailing, res_ids=None):
        with self.mock_mail_gateway(mail_unlink_sent=False):
            mailing.action_send_mail(res_ids=res_ids)
        traces = mailing.mailing_trace_ids
        sent_to = {mail["email_to"][0] for mail in self._mails}
        return traces, sent_to

    def test_mailing_to_segment_reaches_exactly_the_consenting(self):
        mailing = self._partner_mailing([("retail_segment_id", "=", self.champions.id)])
        traces, sent_to = self._send(mailing)
        self.assertEqual(set(traces.mapped("res_id")), set((self.wang | self.zhao).ids))
        self.assertEqual(set(traces.mapped("trace_status")), {"sent"})
        self.assertEqual(len(sent_to), 2)
        self.assertTrue(all("wang@" in to or "zhao@" in to for to in sent_to), sent_to)

    def test_explicit_recipients_without_consent_are_left_out(self):
        mailing = self._partner_mailing([("id", "in", self.customers.ids)])
        traces, _sent_to = self._send(mailing, res_ids=(self.sun | self.zhao).ids)
        self.assertEqual(traces.mapped("res_id"), self.zhao.ids)
        nobody = self._partner_mailing([("id", "in", self.sun.ids)])
        with self.assertRaisesMessage(UserError, "None of these customers gave their consent"):
            nobody.action_send_mail(res_ids=self.sun.ids)

    def test_blacklisted_address_withdraws_the_consent_dated(self):
        """The unsubscribe link of a mailing blacklists the address (Odoo's
        controller calls mail.blacklist._add); the profile follows."""
        self.env["mail.blacklist"].sudo()._add("Wang@Example.cn", message="unsubscribed")
        self.assertFalse(self.wang.retail_consent_email)
        self.assertFalse(self.wang.retail_consent_email_date)
        self.assertEqual(
            self.wang.retail_consent_email_withdrawn_date, fields.Date.context_today(self.wang)
        )
        self.assertTrue(self.wang.retail_consent_sms, "the SMS consent is another channel")
        self.assertIn("withdrawn", self.wang.message_ids[0].body)
        mailing = self._partner_mailing([("id", "in", self.customers.ids)])
        traces, _sent_to = self._send(mailing)
        self.assertEqual(set(traces.mapped("res_id")), set((self.zhao | self.zhou).ids))

    def test_withdrawn_in_profile_blacklists_given_again_removes(self):
        Blacklist = self.env["mail.blacklist"].with_context(active_test=False)
        self.zhao.with_user(self.marketer).retail_consent_email = False
        entry = Blacklist.search([("email", "=", "zhao@example.cn")])
        self.assertTrue(entry.active, "a withdrawn consent keeps the address out of every mailing")
        self.assertTrue(self.zhao.is_blacklisted)
        self.assertTrue(self.zhao.retail_consent_email_withdrawn_date)
        # a mailing on another recipient model (a mailing list) skips it too
        contact_list = self.env["mailing.list"].create(
            {
                "name": "Newsletter",
                "contact_ids": [(0, 0, {"name": "Zhao", "email": "zhao@example.cn"})],
            }
        )
        newsletter = self.env["mailing.mailing"].create(
            {
                "subject": "Newsletter",
                "body_html": "<p>News</p>",
                "mailing_model_id": self.env["ir.model"]._get_id("mailing.list"),
                "contact_list_ids": [(6, 0, contact_list.ids)],
            }
        )
        with self.mock_mail_gateway(mail_unlink_sent=False):
            newsletter.action_send_mail()
        self.assertEqual(newsletter.mailing_trace_ids.trace_status, "cancel")
        self.assertFalse(self._mails)

        self.zhao.with_user(self.marketer).retail_consent_email = True
        self.assertFalse(entry.active)
        self.zhao.invalidate_recordset(["is_blacklisted"])
        self.assertFalse(self.zhao.is_blacklisted)
        self.assertFalse(self.zhao.retail_consent_email_withdrawn_date)
        self.assertEqual(self.zhao.retail_consent_email_date, fields.Date.context_today(self.zhao))

    def test_forgotten_customer_leaves_no_address_in_the_blacklist(self):
        self.zhao.write({"email": False, "retail_consent_email": False})
        self.assertFalse(
            self.env["mail.blacklist"]
            .with_context(active_test=False)
            .search([("email", "=", "zhao@example.cn")])
        )
