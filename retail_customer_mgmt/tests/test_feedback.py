from datetime import datetime

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import RetailCommon

INCOMING = """Return-Path: <li.na@example.cn>
From: Li Na <li.na@example.cn>
To: feedback@{domain}
Subject: {subject}
Message-ID: {message_id}
{extra}Date: Mon, 23 Nov 2026 10:00:00 +0800
Content-Type: text/plain; charset="utf-8"

{body}
"""


@tagged("post_install", "-at_install")
class TestFeedback(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Feedback = cls.env["retail.feedback"]
        cls.manager_user = cls._retail_user(
            "fb_manager", "retail_customer_mgmt.group_retail_manager"
        )
        cls.agent = cls._retail_user("fb_agent", "retail_customer_mgmt.group_retail_user")
        cls.company_1.retail_feedback_manager_id = cls.manager_user
        # these tests are about the ticket's own rating request: the
        # satisfaction survey that replaces it is tested in test_satisfaction
        cls.company_1.retail_satisfaction_after_ticket = False
        cls.env["retail.feedback.sla"].create(
            [
                {
                    "feedback_type": "complaint",
                    "priority": "2",
                    "hours": 4,
                    "company_id": cls.company_1.id,
                },
                {
                    "feedback_type": "complaint",
                    "priority": "0",
                    "hours": 48,
                    "company_id": cls.company_1.id,
                },
            ]
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Li Na",
                "email": "li.na@example.cn",
                "retail_consent_email": True,
            }
        )
        cls.solved = cls.env.ref("retail_customer_mgmt.retail_feedback_stage_solved")
        cls.in_progress = cls.env.ref("retail_customer_mgmt.retail_feedback_stage_in_progress")

    def _ticket(self, **values):
        return self.Feedback.create(
            {
                "subject": "Cracked teapot",
                "partner_id": self.customer.id,
                "company_id": self.company_1.id,
                **values,
            }
        )

    def _receive(self, raw, **kwargs):
        """Feed a raw email to the mail gateway, as the incoming mail server does."""
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            return self.Feedback.browse(
                self.env["mail.thread"]
                .with_context(default_company_id=self.company_1.id)
                .message_process("retail.feedback", raw, **kwargs)
            )

    def test_alias_intake_creates_and_threads(self):
        alias = self.env.ref("retail_customer_mgmt.mail_alias_retail_feedback")
        domain = alias.alias_domain_id.name or "example.com"
        raw = INCOMING.format(
            domain=domain,
            subject="Teapot arrived broken",
            message_id="<first-1@example.cn>",
            extra="",
            body="The lid of my teapot is broken.",
        )
        ticket = self._receive(raw)
        self.assertEqual(ticket.subject, "Teapot arrived broken")
        self.assertEqual(
            (ticket.channel, ticket.partner_id),
            ("email", self.customer),
            "the customer is matched by email",
        )
        self.assertIn("lid of my teapot", ticket.description)
        reply = INCOMING.format(
            domain=domain,
            subject="Re: Teapot arrived broken",
            message_id="<second-2@example.cn>",
            extra="In-Reply-To: <first-1@example.cn>\n",
            body="Here is a photo.",
        )
        self.assertEqual(self._receive(reply), ticket)
        self.assertEqual(
            self.Feedback.search_count([("subject", "like", "Teapot")]),
            1,
            "the reply threads on the same ticket",
        )
        self.assertTrue(ticket.message_ids.filtered(lambda m: "photo" in (m.body or "")))

    def test_unknown_sender_gets_a_contact(self):
        raw = INCOMING.format(
            domain="example.com",
            subject="Opening hours?",
            message_id="<q-1@example.org>",
            extra="",
            body="When do you open?",
        )
        raw = raw.replace("Li Na <li.na@example.cn>", "Wang Wei <wang.wei@example.org>")
        ticket = self._receive(raw, custom_values={"feedback_type": "inquiry"})
        self.assertEqual(ticket.partner_id.email, "wang.wei@example.org")
        self.assertEqual(ticket.feedback_type, "inquiry")

    def test_sla_deadline_and_states(self):
        with freeze_time("2026-11-23 08:00:00"):
            urgent = self._ticket(priority="2")
            normal = self._ticket()
        self.assertEqual(urgent.sla_deadline, datetime(2026, 11, 23, 12, 0))
        self.assertEqual(normal.sla_deadline, datetime(2026, 11, 25, 8, 0))
        self.assertTrue(urgent.name.startswith("FB/"))
        with freeze_time("2026-11-23 11:30:00"):  # 30 minutes left of 4 hours
            self.Feedback._cron_retail_feedback_sla()
        self.assertEqual((urgent.sla_state, normal.sla_state), ("at_risk", "on_time"))
        with freeze_time("2026-11-23 12:30:00"):
            self.Feedback._cron_retail_feedback_sla()
        self.assertEqual(urgent.sla_state, "breached")
        no_policy = self._ticket(feedback_type="praise")
        self.assertFalse(no_policy.sla_deadline)

    def test_sla_deadline_follows_priority_and_type(self):
        """The deadline counts from the opening, with the policy of the
        ticket's current type and priority."""
        with freeze_time("2026-11-23 08:00:00"):
            ticket = self._ticket()  # complaint, normal: 48 hours
        self.assertEqual(ticket.sla_deadline, datetime(2026, 11, 25, 8, 0))
        with freeze_time("2026-11-23 09:00:00"):
            ticket.priority = "2"  # urgent complaint: 4 hours from 08:00, not from 09:00
        self.assertEqual(ticket.sla_deadline, datetime(2026, 11, 23, 12, 0))
        with freeze_time("2026-11-23 11:30:00"):
            ticket.feedback_type = "praise"  # no policy: no deadline, nothing at risk
        self.assertFalse(ticket.sla_deadline)
        self.assertEqual(ticket.sla_state, "on_time")
        with freeze_time("2026-11-23 11:30:00"):
            ticket.feedback_type = "complaint"  # back to 4 hours: 30 minutes left of 240
        self.assertEqual(ticket.sla_deadline, datetime(2026, 11, 23, 12, 0))
        self.assertEqual(ticket.sla_state, "at_risk")

    def test_sla_state_on_closing_and_reopening(self):
        with freeze_time("2026-11-23 08:00:00"):
            ticket = self._ticket(priority="2", resolution="<p>New lid sent.</p>")  # due 12:00
        with freeze_time("2026-11-23 11:00:00"):
            ticket.stage_id = self.solved
        self.assertEqual(ticket.closed_date, datetime(2026, 11, 23, 11, 0))
        self.assertEqual(ticket.sla_state, "on_time", "closed an hour before the deadline")
        with freeze_time("2026-11-23 13:00:00"):
            self.Feedback._cron_retail_feedback_sla()
        self.assertEqual(ticket.sla_state, "on_time", "a closed ticket keeps its SLA state")
        with freeze_time("2026-11-23 13:00:00"):
            ticket.stage_id = self.in_progress  # the customer wrote back
        self.assertFalse(ticket.closed_date)
        self.assertEqual(ticket.sla_state, "breached", "open again, an hour past the deadline")
        with freeze_time("2026-11-23 14:00:00"):
            ticket.stage_id = self.solved
        self.assertEqual(ticket.closed_date, datetime(2026, 11, 23, 14, 0))
        self.assertEqual(ticket.sla_state, "breached", "closed two hours late")

    def test_escalation_without_duplicates(self):
        with freeze_time("2026-11-23 08:00:00"):
            ticket = self._ticket(priority="2", user_id=self.agent.id)
        escalation = self.env.ref("retail_customer_mgmt.mail_activity_type_feedback_escalation")
        for hour in ("11:30", "12:30", "13:30"):
            with freeze_time(f"2026-11-23 {hour}:00"):
                self.Feedback._cron_retail_feedback_sla()
        activities = ticket.activity_ids.filtered(lambda a: a.activity_type_id == escalation)
        self.assertEqual(len(activities), 1)
        self.assertEqual(activities.user_id, self.manager_user)

    def test_closing_needs_a_resolution_and_asks_for_rating(self):
        ticket = self._ticket()
        with self.assertRaisesMessage(ValidationError, "without a resolution"):
            ticket.stage_id = self.solved
        self.assertNotEqual(ticket.stage_id, self.solved, "nothing written")
        self.assertFalse(ticket.closed_date)
        ticket.write({"resolution": "<p>Replacement lid sent.</p>", "stage_id": self.solved.id})
        self.assertTrue(ticket.closed_date)
        request = ticket.message_ids.filtered(lambda m: "how did we do" in (m.subject or ""))
        self.assertTrue(request, "rating request sent to a customer with email consent")
        self.assertIn("/rate/", str(request.body))

    def test_no_rating_request_without_consent(self):
        quiet = self.env["res.partner"].create({"name": "Quiet", "email": "q@example.cn"})
        ticket = self._ticket(partner_id=quiet.id, resolution="<p>Done</p>")
        ticket.stage_id = self.solved
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: "how did we do" in (m.subject or ""))
        )

    def test_rating_rolls_up_on_the_customer(self):
        first = self._ticket(resolution="<p>ok</p>")
        second = self._ticket(feedback_type="suggestion", resolution="<p>ok</p>")
        self._ticket()  # still open
        for ticket, rate in ((first, 5), (second, 2)):
            ticket.stage_id = self.solved
            token = ticket._rating_get_access_token()
            ticket.rating_apply(rate, token=token)
        self.customer.invalidate_recordset()
        self.assertEqual(self.customer.retail_satisfaction, 3.5)
        self.assertEqual(self.customer.retail_complaint_count, 2)
        self.assertEqual(self.customer.retail_open_ticket_count, 1)
        self.assertEqual(self.customer.retail_feedback_count, 3)
        per_type = dict(
            self.Feedback._read_group(
                [("partner_id", "=", self.customer.id), ("rating_last_value", ">", 0)],
                ["feedback_type"],
                ["rating_last_value:avg"],
            )
        )
        self.assertEqual(per_type, {"complaint": 5.0, "suggestion": 2.0})

    def test_sla_policy_rejects_negative_hours(self):
        with self.assertRaisesMessage(ValidationError, "positive number of hours"):
            self.env["retail.feedback.sla"].create(
                {
                    "feedback_type": "inquiry",
                    "priority": "1",
                    "hours": -2,
                    "company_id": self.company_1.id,
                }
            )
        self.assertFalse(
            self.env["retail.feedback.sla"].search(
                [("feedback_type", "=", "inquiry"), ("company_id", "=", self.company_1.id)]
            )
        )

    def test_access(self):
        ticket = self._ticket()
        # a retail user handles tickets of their company
        mine = ticket.with_user(self.agent)
        mine.write({"user_id": self.agent.id, "stage_id": self.in_progress.id})
        self.assertEqual(mine.stage_id, self.in_progress)
        with self.assertRaises(AccessError):
            mine.unlink()
        with self.assertRaises(AccessError):
            self.env["retail.feedback.stage"].with_user(self.agent).create({"name": "Mine"})
        # another company's agent does not see it
        other = self._retail_user(
            "fb_other", "retail_customer_mgmt.group_retail_user", company=self.company_2
        )
        self.assertFalse(self.Feedback.with_user(other).search([("id", "=", ticket.id)]))
        # portal users get nothing
        portal = self._retail_user("fb_portal", "base.group_portal")
        with self.assertRaises(AccessError):
            ticket.with_user(portal).read(["subject"])

    def test_smart_buttons(self):
        order = self._sale(self.customer, 80.0, "2026-11-01 10:00:00")
        self._ticket(sale_order_id=order.id, feedback_type="return")
        self.assertEqual(order.retail_feedback_count, 1)
        action = self.customer.action_retail_view_feedback()
        self.assertEqual(self.Feedback.search_count(action["domain"]), 1)

    def test_return_request_opens_odoo_return_wizard(self):
        order = self._sale(self.customer, 80.0, "2026-11-01 10:00:00")
        ticket = self._ticket(sale_order_id=order.id, feedback_type="return")
        with self.assertRaisesMessage(ValidationError, "no delivered sales order"):
            ticket.action_create_return()
        picking = order.picking_ids
        self.assertTrue(picking, "the sales order has a delivery")
        self._validate_picking(picking)
        action = ticket.action_create_return()
        self.assertEqual(action["res_model"], "stock.return.picking")
        wizard = self.env["stock.return.picking"].with_context(**action["context"]).create({})
        self.assertEqual(wizard.picking_id, picking)
