from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestRetailCampaignUi(HttpCase):
    """A campaign sent from the customer list in Chromium, and the unsubscribe
    link of the mail it sent."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = new_test_user(
            cls.env,
            login="tour_marketer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user,"
            "retail_customer_mgmt.group_retail_user",
            email="tour_marketer@shop.example.cn",
        )
        Partner = cls.env["res.partner"]
        cls.wang, cls.zhao, cls.sun = Partner.create(
            [
                {
                    "name": "Tour Wang",
                    "email": "tour.wang@example.cn",
                    "retail_consent_email": True,
                },
                {
                    "name": "Tour Zhao",
                    "email": "tour.zhao@example.cn",
                    "retail_consent_email": True,
                },
                {"name": "Tour Sun", "email": "tour.sun@example.cn"},
            ]
        )
        cls.other = Partner.create(
            {"name": "Tour Other", "email": "tour.other@example.cn", "retail_consent_email": True}
        )

    def test_campaign_from_the_customer_list(self):
        action = self.env.ref("retail_customer_mgmt.retail_contact_action")
        self.start_tour(
            f"/odoo/action-{action.id}?view_type=list",
            "retail_campaign_tour",
            login="tour_marketer",
            timeout=180,
        )
        mailing = self.env["mailing.mailing"].search(
            [("subject", "=", "Autumn tea tasting")], limit=1
        )
        self.assertEqual(mailing.state, "in_queue")
        self.assertEqual(mailing.mailing_model_real, "res.partner")
        self.assertEqual(
            sorted(mailing._get_recipients()),
            sorted((self.wang | self.zhao).ids),
            "the three ticked customers, less the one without email consent",
        )
        mailing.action_send_mail()
        self.assertEqual(
            set(mailing.mailing_trace_ids.mapped("res_id")), set((self.wang | self.zhao).ids)
        )

        # the recipient unsubscribes with the link of the mail (one-click)
        url = mailing._get_unsubscribe_oneclick_url(self.wang.email_normalized, self.wang.id)
        response = self.url_open(url, data={"dummy": "1"})
        self.assertEqual(response.status_code, 200)
        self.wang.invalidate_recordset()
        self.assertFalse(self.wang.retail_consent_email)
        self.assertTrue(self.wang.retail_consent_email_withdrawn_date)
        self.assertTrue(self.wang.is_blacklisted)
        again = mailing.copy({"subject": "Second"})
        self.assertEqual(again._get_recipients(), self.zhao.ids)
