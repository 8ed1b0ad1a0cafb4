import re
from datetime import datetime, timedelta

from odoo import fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import HttpCase, freeze_time, tagged

from odoo.addons.sms.tests.common import MockSMS

from .exception_common import RetailExceptionCommon

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
LINK = re.compile(r'href="([^"]*/survey/start/[^"]+)"')


@tagged("post_install", "-at_install")
class TestSatisfactionSurvey(RetailExceptionCommon, HttpCase, MockSMS):
    """The satisfaction survey (Odoo's Survey app): sent after a ticket or
    an order problem and periodically, answered through the survey's own
    routes, rolled up on the customer, the document and the dashboard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.survey = cls.env.ref("retail_customer_mgmt.survey_retail_satisfaction")
        cls.questions = {q.retail_measure: q for q in cls.survey.question_ids if q.retail_measure}
        cls.comment = cls.env.ref("retail_customer_mgmt.survey_retail_satisfaction_comment")
        cls.agent = cls._retail_user("sat_agent", "retail_customer_mgmt.group_retail_user")
        cls.solved = cls.env.ref("retail_customer_mgmt.retail_feedback_stage_solved")
        cls.Answer = cls.env["survey.user_input"]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _ticket(self, partner=None, **values):
        return self.env["retail.feedback"].create(
            {
                "subject": "Chipped cup",
                "partner_id": (partner or self.customer).id,
                "company_id": self.company.id,
                "user_id": self.agent.id,
                **values,
            }
        )

    def _close(self, ticket):
        ticket.write({"resolution": "<p>New cup sent.</p>", "stage_id": self.solved.id})

    def _survey_mail(self, partner=None):
        return self.env["mail.mail"].search(
            [
                ("recipient_ids", "in", (partner or self.customer).ids),
                ("body_html", "ilike", "/survey/start/"),
            ]
        )

    def _answer_by_link(self, link, scores, comment=None):
        """The customer opens the link of their mail and submits the page,
        through the survey's own routes, as a visitor (no login)."""
        self.authenticate(None, None)
        start = self.url_open(link)
        self.assertEqual(start.status_code, 200)
        survey_token, answer_token = re.search(
            r"/survey/start/([^?]+)\?answer_token=([\w-]+)", link
        ).groups()
        page = self.url_open(f"/survey/{survey_token}/{answer_token}")
        self.assertEqual(page.status_code, 200)
        csrf = CSRF.search(page.text).group(1)
        base = self.base_url()
        self.opener.post(f"{base}/survey/begin/{survey_token}/{answer_token}", json={})
        post = {str(self.questions[m].id): str(v) for m, v in scores.items()}
        if comment:
            post[str(self.comment.id)] = comment
        post.update(csrf_token=csrf, token=answer_token)
        response = self.opener.post(
            f"{base}/survey/submit/{survey_token}/{answer_token}", json={"params": post}
        )
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("error", response.json().get("result", [{}, {}])[1])
        self.env.invalidate_all()
        return response

    def _answer_directly(self, partner, scores, when):
        """A done response of ``partner`` answered at ``when`` (for the
        figures over several months)."""
        with freeze_time(when):
            # as the survey's controller does, with its rights
            answer = self.survey.sudo()._create_answer(
                partner=partner, check_attempts=False, retail_company_id=self.company.id
            )
            for measure, score in scores.items():
                answer._save_lines(self.questions[measure], str(score))
            answer._mark_done()
        return answer

    # ------------------------------------------------------------------
    # after a ticket
    # ------------------------------------------------------------------
    def test_closed_ticket_asks_the_survey_and_the_answer_rolls_up(self):
        self.assertEqual(self.company.retail_satisfaction_survey_id, self.survey)
        ticket = self._ticket()
        self._close(ticket)
        answer = self.Answer.search([("retail_feedback_id", "=", ticket.id)])
        self.assertEqual(
            (answer.partner_id, answer.retail_trigger, answer.retail_company_id),
            (self.customer, "ticket", self.company),
        )
        self.assertAlmostEqual(
            answer.deadline, fields.Datetime.now() + timedelta(days=30), delta=timedelta(minutes=5)
        )
        mail = self._survey_mail()
        self.assertEqual(len(mail), 1)
        self.assertIn(ticket.name, mail.body_html)
        self.assertFalse(
            ticket.message_ids.filtered(lambda m: "/rate/" in str(m.body)),
            "the survey replaces the one-question rating request",
        )
        self.assertTrue(self.customer.retail_survey_sent_on)
        # a retail user without Survey rights sees when it was sent
        self.assertTrue(ticket.with_user(self.agent).survey_sent_on)

        self._answer_by_link(
            LINK.search(mail.body_html).group(1),
            {"overall": 4, "service": 5, "product": 3, "recommend": 10},
            comment="Quick and kind.",
        )
        self.assertEqual(answer.state, "done")
        self.assertEqual(self.customer.retail_survey_nps_category, "promoter")
        self.assertTrue(self.customer.retail_survey_answered_on)
        self.assertEqual(ticket.rating_last_value, 5, "service 5 of 5 is the ticket's rating")
        note = ticket.message_ids.filtered(
            lambda m: "answered the satisfaction survey" in str(m.body)
        )
        self.assertIn("Service Satisfaction: 5", str(note.body))
        rows = self.env["retail.satisfaction.report"].search([("user_input_id", "=", answer.id)])
        self.assertEqual(
            {row.measure: (row.score, row.score_percent, row.nps) for row in rows},
            {
                "overall": (4, 75.0, 0.0),
                "service": (5, 100.0, 0.0),
                "product": (3, 50.0, 0.0),
                "recommend": (10, 100.0, 100.0),
            },
        )
        self.assertEqual(
            sorted(self.customer.retail_survey_score_ids.mapped("measure")),
            ["overall", "product", "recommend", "service"],
        )
        # the link cannot be used twice
        submit = self._answer_by_link_again(mail)
        self.assertEqual(submit.json()["result"][1].get("error"), "unauthorized")

    def _answer_by_link_again(self, mail):
        link = LINK.search(mail.body_html).group(1)
        survey_token, answer_token = re.search(
            r"/survey/start/([^?]+)\?answer_token=([\w-]+)", link
        ).groups()
        page = self.url_open(link)
        self.assertEqual(page.status_code, 200)
        return self.opener.post(
            f"{self.base_url()}/survey/submit/{survey_token}/{answer_token}",
            json={"params": {str(self.questions["recommend"].id): "0", "token": answer_token}},
        )

    def test_detractor_gets_a_call_back(self):
        ticket = self._ticket()
        self._close(ticket)
        self._answer_by_link(
            LINK.search(self._survey_mail().body_html).group(1),
            {"overall": 2, "service": 1, "product": 2, "recommend": 3},
        )
        self.assertEqual(self.customer.retail_survey_nps_category, "detractor")
        self.assertEqual(ticket.rating_last_value, 1)
        call = ticket.activity_ids.filtered(lambda a: a.summary == "Call back an unhappy customer")
        self.assertEqual(call.user_id, self.agent)

    def test_without_consent_no_survey_and_the_rating_request_when_disabled(self):
        quiet = self.env["res.partner"].create({"name": "Quiet Qian", "email": "q@example.cn"})
        ticket = self._ticket(partner=quiet)
        self._close(ticket)
        self.assertFalse(self.Answer.search([("partner_id", "=", quiet.id)]))
        self.assertFalse(self._survey_mail(quiet))
        self.assertTrue(
            ticket.message_ids.filtered(lambda m: "No satisfaction survey was sent" in str(m.body))
        )
        # a company without the survey after tickets keeps the rating request
        self.company.retail_satisfaction_after_ticket = False
        other = self._ticket()
        self._close(other)
        self.assertFalse(self.Answer.search([("retail_feedback_id", "=", other.id)]))
        self.assertTrue(other.message_ids.filtered(lambda m: "/rate/" in str(m.body)))

    def test_sms_only_customer_gets_the_link_by_sms(self):
        texter = self.env["res.partner"].create(
            {"name": "Texter Tan", "mobile": "+86 138 0013 8000", "retail_consent_sms": True}
        )
        ticket = self._ticket(partner=texter)
        with self.mockSMSGateway():
            self._close(ticket)
        answer = self.Answer.search([("retail_feedback_id", "=", ticket.id)])
        self.assertEqual(len(self._new_sms), 1)
        self.assertIn(answer.get_start_url(), self._new_sms.body)
        self.assertFalse(self._survey_mail(texter))

    def test_expired_link_is_refused(self):
        ticket = self._ticket()
        self._close(ticket)
        answer = self.Answer.search([("retail_feedback_id", "=", ticket.id)])
        answer.deadline = fields.Datetime.now() - timedelta(hours=1)
        self.authenticate(None, None)
        page = self.url_open(answer.get_start_url())
        self.assertIn("survey expired", page.text)
        self.assertEqual(answer.state, "new")

    # ------------------------------------------------------------------
    # after an exception order
    # ------------------------------------------------------------------
    def test_solved_order_problem_is_followed_by_the_survey_once(self):
        order = self._order()
        exception = self._of(order, "stock")
        self.Exception._cron_retail_send_notices()
        self.assertFalse(self.Answer.search([("retail_exception_id", "=", exception.id)]))
        self._stock(10)
        self.Exception._cron_retail_detect()
        self.Exception._cron_retail_send_notices()
        self.Exception._cron_retail_send_notices()
        answer = self.Answer.search([("retail_exception_id", "=", exception.id)])
        self.assertEqual((len(answer), answer.retail_trigger), (1, "exception"))
        mail = self._survey_mail()
        self.assertEqual(len(mail), 1)
        self.assertIn("problem with your order is solved", mail.body_html)
        self._answer_by_link(
            LINK.search(mail.body_html).group(1),
            {"overall": 3, "service": 4, "product": 4, "recommend": 7},
        )
        self.assertEqual(self.customer.retail_survey_nps_category, "passive")
        self.assertTrue(
            exception.message_ids.filtered(
                lambda m: "answered the satisfaction survey" in str(m.body)
            )
        )

    def test_not_told_about_the_problem_not_asked_after_it(self):
        exception = self._exception(kind="product")
        exception.write({"state": "resolved"})
        self.Exception._cron_retail_send_notices()
        self.assertFalse(self.Answer.search([("retail_exception_id", "=", exception.id)]))

    # ------------------------------------------------------------------
    # periodic
    # ------------------------------------------------------------------
    def _buyer(self, name, days_ago, consent=True):
        partner = self.env["res.partner"].create(
            {"name": name, "email": f"{name.lower()}@example.cn", "retail_consent_email": consent}
        )
        self._stock(5)
        order = self._order(qty=1, partner=partner)
        order.date_order = fields.Datetime.now() - timedelta(days=days_ago)
        return partner

    def test_periodic_survey_asks_active_consenting_customers_once_per_period(self):
        self.company.write({"retail_satisfaction_periodic": True, "retail_satisfaction_batch": 2})
        recent = self._buyer("Recent", 10)
        recent_2 = self._buyer("Second", 20)
        recent_3 = self._buyer("Third", 30)
        self._buyer("Sleeper", 500)
        self._buyer("Silent", 5, consent=False)
        asked = self._buyer("Asked", 5)
        asked.retail_survey_sent_on = fields.Datetime.now() - timedelta(days=10)
        self.env["res.partner"]._cron_retail_periodic_satisfaction()
        first = self.Answer.search([("retail_trigger", "=", "periodic")])
        self.assertEqual(first.partner_id, recent | recent_2, "a batch of 2, lowest ids first")
        self.env["res.partner"]._cron_retail_periodic_satisfaction()
        second = self.Answer.search([("retail_trigger", "=", "periodic")]) - first
        self.assertEqual(second.partner_id, recent_3)
        self.env["res.partner"]._cron_retail_periodic_satisfaction()
        self.assertEqual(self.Answer.search_count([("retail_trigger", "=", "periodic")]), 3)
        # after the period they are asked again
        with freeze_time(datetime.now() + timedelta(days=91)):
            self.company.retail_satisfaction_batch = 10
            self.env["res.partner"]._cron_retail_periodic_satisfaction()
            again = self.Answer.search([("retail_trigger", "=", "periodic")]) - first - second
            self.assertEqual(again.partner_id, recent | recent_2 | recent_3 | asked)

    def test_periodic_candidates_query_count_does_not_grow(self):
        self.company.retail_satisfaction_periodic = True
        Partner = self.env["res.partner"]
        self._buyer("One", 3)
        queries = []
        for names in (["A1"], ["B1", "B2", "B3", "B4", "B5"]):
            for name in names:
                self._buyer(name, 3)
            self.env.flush_all()
            self.env.invalidate_all()
            # the first call after new records refills the access caches
            Partner._retail_periodic_candidates(self.company)
            self.env.invalidate_all()
            start = self.cr.sql_log_count
            Partner._retail_periodic_candidates(self.company)
            queries.append(self.cr.sql_log_count - start)
        self.assertEqual(queries[0], queries[1])
        self.assertLessEqual(queries[0], 4)

    def test_periodic_is_off_by_default(self):
        self._buyer("Recent", 10)
        self.env["res.partner"]._cron_retail_periodic_satisfaction()
        self.assertFalse(self.Answer.search([("retail_trigger", "=", "periodic")]))

    # ------------------------------------------------------------------
    # dashboard
    # ------------------------------------------------------------------
    def test_dashboard_nps_satisfaction_and_trend(self):
        people = [self.env["res.partner"].create({"name": f"Answerer {i}"}) for i in range(4)]
        # November: a promoter (overall 5) and a detractor (overall 3, service 1)
        self._answer_directly(people[0], {"overall": 5, "recommend": 9}, "2026-11-05 10:00")
        self._answer_directly(
            people[1], {"overall": 3, "service": 1, "recommend": 4}, "2026-11-20 10:00"
        )
        # December: a promoter and a passive, products 4 and 4
        self._answer_directly(people[2], {"product": 4, "recommend": 10}, "2026-12-01 10:00")
        self._answer_directly(people[3], {"product": 4, "recommend": 8}, "2026-12-02 10:00")
        # another company's answer does not count
        other = self.survey.sudo()._create_answer(
            partner=people[0], check_attempts=False, retail_company_id=self.company_2.id
        )
        other._save_lines(self.questions["recommend"], "0")
        other._mark_done()
        dashboard = (
            self.env["retail.dashboard"]
            .with_context(tz="UTC")
            .create(
                {
                    "company_id": self.company.id,
                    "date_from": "2026-11-01",
                    "date_to": "2026-12-31",
                }
            )
        )
        self.assertEqual(dashboard.survey_response_count, 4)
        self.assertEqual((dashboard.promoter_count, dashboard.detractor_count), (2, 1))
        self.assertAlmostEqual(dashboard.nps, 25.0)  # (2 - 1) / 4
        self.assertAlmostEqual(dashboard.satisfaction_overall, (1.0 + 0.5) / 2)
        self.assertAlmostEqual(dashboard.satisfaction_service, 0.0)
        self.assertAlmostEqual(dashboard.satisfaction_product, 0.75)
        trend = dashboard.satisfaction_trend
        self.assertIn("2026-11", trend)
        self.assertIn("2026-12", trend)
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", str(trend))
        # month, answers, NPS, overall, service, product
        self.assertEqual(
            cells,
            ["2026-11", "2", "0", "75%", "0%", "", "2026-12", "2", "50", "", "", "75%"],
        )
        action = dashboard.action_view_satisfaction()
        self.assertEqual(self.env["retail.satisfaction.report"].search_count(action["domain"]), 9)

    # ------------------------------------------------------------------
    # rules and rights
    # ------------------------------------------------------------------
    def test_measure_only_on_scale_questions_and_nps_on_0_to_10(self):
        with self.assertRaisesMessage(ValidationError, "must be a scale question"):
            self.comment.retail_measure = "overall"
        with self.assertRaisesMessage(ValidationError, "answered from 0 to 10"):
            self.questions["recommend"].scale_min = 1
        with self.assertRaisesMessage(ValidationError, "at least 1"):
            self.company.retail_satisfaction_period_days = 0

    def test_survey_users_cannot_link_answers_to_retail_documents(self):
        """A survey officer manages surveys, not the shop's tickets: an
        answer of theirs must not reach a ticket or the shop's figures."""
        ticket = self._ticket()
        officer = self._retail_user("sat_officer", "survey.group_survey_user")
        Answer = self.Answer.with_user(officer)
        answer = self.survey.with_user(officer)._create_answer(
            partner=self.customer, check_attempts=False
        )
        for vals in (
            {"retail_feedback_id": ticket.id},
            {"retail_company_id": self.company.id},
            {"retail_trigger": "ticket"},
        ):
            with self.assertRaisesMessage(AccessError, "Only the shop's own"):
                answer.write(vals)
            with self.assertRaisesMessage(AccessError, "Only the shop's own"):
                Answer.create({"survey_id": self.survey.id, **vals})
        self.assertFalse(answer.retail_feedback_id or answer.retail_company_id)
        answer.write({"email": "new@example.com"})  # their own fields stay theirs
        self.assertEqual(answer.email, "new@example.com")

    def test_who_reads_the_answers(self):
        self._answer_directly(self.customer, {"overall": 5, "recommend": 9}, "2026-11-05 10:00")
        Report = self.env["retail.satisfaction.report"]
        self.assertEqual(Report.with_user(self.agent).search_count([]), 2)
        other_company = self._retail_user(
            "sat_other", "retail_customer_mgmt.group_retail_user", company=self.company_2
        )
        self.assertEqual(Report.with_user(other_company).search_count([]), 0)
        cashier = self._retail_user("sat_cashier", "point_of_sale.group_pos_user")
        salesman = self._retail_user("sat_sales", "sales_team.group_sale_salesman")
        for user in (cashier, salesman):
            with self.assertRaises(AccessError):
                Report.with_user(user).search_read([], ["score"])
