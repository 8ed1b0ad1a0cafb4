from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError
from odoo.tests import tagged

from ..models.retail_order_exception_notice import JOBS_LOCK
from .exception_common import RetailExceptionCommon


@tagged("post_install", "-at_install")
class TestOrderExceptionNotices(RetailExceptionCommon):
    """The customer is told when a problem is detected and when it is solved:
    once each, on their consented channel, by the notice job."""

    def _notices(self, exception, subject):
        return exception.message_ids.filtered(lambda m: subject in (m.subject or ""))

    def test_stock_problem_told_once_then_its_solution(self):
        order = self._order()
        exception = self._of(order, "stock")
        self.assertEqual((exception.state, exception.notice_pending), ("new", True))
        self.Exception._cron_retail_send_notices()
        self.assertEqual((exception.state, exception.notice_channel), ("notified", "email"))
        mail = self._notices(exception, "about your order")
        self.assertEqual(mail.partner_ids, self.customer)
        self.assertIn("Pu-erh cake: 2.0 ordered, 0.0 available.", str(mail.body))
        # the scan and the job run again: nothing more is sent
        self.Exception._cron_retail_detect()
        self.Exception._cron_retail_send_notices()
        self.assertEqual(len(self._notices(exception, "about your order")), 1)
        self.assertFalse(exception.message_ids.filtered(lambda m: "is solved" in str(m.body)))
        # stock arrives: the exception closes itself and the customer hears it once
        self._stock(10)
        self.Exception._cron_retail_detect()
        self.assertEqual((exception.state, exception.resolution_notice_pending), ("resolved", True))
        self.Exception._cron_retail_send_notices()
        self.Exception._cron_retail_send_notices()
        solved = exception.message_ids.filtered(lambda m: "is solved" in str(m.body))
        self.assertEqual(len(solved), 1)
        self.assertEqual(solved.partner_ids, self.customer)
        self.assertTrue(exception.resolution_notified_on)

    def test_late_delivery_with_the_new_date(self):
        self._stock(10)
        order = self._order()
        order.picking_ids.scheduled_date = fields.Datetime.now() - timedelta(days=2)
        self.Exception._cron_retail_detect()
        late = self._of(order, "late")
        late.promised_date = fields.Date.today() + timedelta(days=5)
        self.Exception._cron_retail_send_notices()
        mail = self._notices(late, "is delayed")
        self.assertEqual(len(mail), 1)
        self.assertIn(fields.Date.to_string(late.promised_date), str(mail.body))
        self._validate_picking(order.picking_ids)
        self.Exception._cron_retail_detect()
        self.assertEqual((late.state, late.resolution), ("resolved", "auto"))
        self.Exception._cron_retail_send_notices()
        solved = late.message_ids.filtered(lambda m: "is solved" in str(m.body))
        self.assertEqual(len(solved), 1)
        self.assertNotIn("planned for", str(solved.body), "delivered: no date to announce")

    def test_channel_follows_consent_and_preference(self):
        caller = self.env["res.partner"].create(
            {
                "name": "Phone Pan",
                "street": "3 Road",
                "city": "Hangzhou",
                "phone": "+86 571 0000 0000",
                "email": "pan@example.cn",
                "retail_consent_email": True,
                "retail_consent_phone": True,
                "retail_preferred_channel": "phone",
            }
        )
        exception = self._of(self._order(partner=caller), "stock")
        quiet = self.env["res.partner"].create(
            {"name": "Quiet Qi", "street": "2 Road", "city": "Beijing", "phone": "1"}
        )
        untold = self._of(self._order(partner=quiet), "stock")
        self.Exception._cron_retail_send_notices()
        self.assertEqual((exception.state, exception.notice_channel), ("notified", "phone"))
        self.assertFalse(self._notices(exception, "about your order"), "no mail: they prefer calls")
        call = exception.activity_ids
        self.assertEqual(call.activity_type_id, self.env.ref("mail.mail_activity_data_call"))
        self.assertIn(exception.sale_order_id.name, str(call.note))
        self.assertEqual((untold.state, untold.notice_channel), ("new", False))
        self.assertIn("not told", untold.message_ids[0].body)
        self.assertFalse(self._notices(untold, "about your order"))

    def test_internal_checks_are_not_news_for_the_customer(self):
        abnormal = self._exception(kind="abnormal")
        points = self._exception(kind="points")
        self.assertFalse((abnormal | points).filtered("notice_pending"))
        self.Exception._cron_retail_send_notices()
        self.assertEqual((abnormal.state, points.state), ("new", "new"))

    def test_told_by_hand_first(self):
        exception = self._of(self._order(), "stock")
        exception.action_notify_customer()
        self.Exception._cron_retail_send_notices()
        self.assertEqual(len(self._notices(exception, "about your order")), 1)

    def test_the_job_is_not_for_other_users(self):
        self._of(self._order(), "stock")
        cashier = self._retail_user(
            "notice_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        portal = self._retail_user("notice_portal", "base.group_portal")
        for user in (cashier, portal):
            with self.assertRaises(AccessError):
                self.Exception.with_user(user)._cron_retail_send_notices()

    def test_the_jobs_take_turns_instead_of_conflicting(self):
        """While the detection holds the exception jobs' lock (another
        connection, as the other cron worker), the notice job sends nothing,
        asks to run again a minute later, and sends once the lock is free."""
        exception = self._of(self._order(), "stock")
        self.assertTrue(exception.notice_pending)
        cron = self.env.ref("retail_customer_mgmt.ir_cron_retail_exception_notices")
        Trigger = self.env["ir.cron.trigger"]
        before = Trigger.search([("cron_id", "=", cron.id)])
        with self.registry.cursor() as detection:
            detection.execute("SELECT pg_advisory_xact_lock(%s)", [JOBS_LOCK])
            self.Exception._cron_retail_send_notices()
            self.assertTrue(exception.notice_pending, "nothing sent while the other job runs")
            self.assertFalse(exception.notified_on)
            retry = Trigger.search([("cron_id", "=", cron.id)]) - before
            self.assertEqual(len(retry), 1)
            self.assertGreater(retry.call_at, fields.Datetime.now())
            detection.rollback()
        self.Exception._cron_retail_send_notices()
        self.assertFalse(exception.notice_pending)
        self.assertEqual(exception.state, "notified")
