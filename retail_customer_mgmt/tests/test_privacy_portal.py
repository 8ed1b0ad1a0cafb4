import json

from odoo import http
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestMyDataPortal(HttpCase):
    """'My data' in the portal: the customer's own copy and consents, in
    Chromium and by direct requests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="data_portal", groups="base.group_portal", name="Portal Data Pan"
        )
        cls.customer = cls.portal_user.partner_id
        cls.customer.write({"email": "pan@example.cn", "retail_consent_email": True})
        cls.other = cls.env["res.partner"].create(
            {"name": "Stranger Shi", "email": "shi@example.cn"}
        )
        cls.History = cls.env["retail.consent.history"]

    def test_my_data_tour(self):
        self.start_tour("/my", "retail_my_data_tour", login="data_portal")
        self.customer.invalidate_recordset()
        self.assertTrue(self.customer.retail_consent_sms)
        self.assertFalse(self.customer.retail_consent_email)
        rows = self.History.search(
            [("partner_id", "=", self.customer.id), ("source", "=", "portal")], order="id"
        )
        self.assertEqual(
            [(row.channel, row.action, row.user_id) for row in rows],
            [("sms", "given", self.portal_user), ("email", "withdrawn", self.portal_user)],
        )
        self.assertEqual(rows[0].wording, "I agree to receive offers and news by SMS.")

    def test_own_copy_only(self):
        Log = self.env["retail.privacy.log"]
        earlier = Log.search([("action", "=", "copy")])  # the demo's own copy
        self.authenticate("data_portal", "data_portal")
        response = self.url_open("/my/data/download?file_format=json")
        self.assertEqual(response.status_code, 200)
        data = json.loads(response.content)
        self.assertEqual(data["profile"]["name"], "Portal Data Pan")
        self.assertNotIn("Stranger Shi", response.text)
        xlsx = self.url_open("/my/data/download?file_format=xlsx")
        self.assertEqual(xlsx.content[:2], b"PK", "an XLSX (zip) file")
        # another customer's copy, through the managers' route: refused
        response = self.url_open(f"/retail/privacy/copy/{self.other.id}?file_format=json")
        self.assertEqual(response.status_code, 403)
        self.assertIn("only download a copy of your own data", response.text)
        self.assertNotIn("shi@example.cn", response.text)
        # bad input: nothing written
        before = self.History.search_count([])
        response = self.url_open(
            "/my/data/consent",
            data={
                "channel": "fax",
                "consent": "give",
                "csrf_token": http.Request.csrf_token(self),
            },
        )
        self.assertIn("nothing was changed", response.text)
        self.assertEqual(self.History.search_count([]), before)
        response = self.url_open("/my/data/download?file_format=pdf")
        self.assertIn("Choose JSON or Excel", response.text)
        logs = Log.search([("action", "=", "copy")]) - earlier
        self.assertEqual(logs.user_id, self.portal_user)
        self.assertEqual(len(logs), 2, "the JSON and the XLSX copy")
