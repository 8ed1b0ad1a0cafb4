from odoo import Command, fields
from odoo.exceptions import AccessError, ValidationError
from odoo.tests import freeze_time, tagged

from .common import RetailCommon

NOW = "2026-06-01 12:00:00"


@tagged("post_install", "-at_install")
class TestGrading(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.write({"retail_churn_factor": 2.0, "retail_rfm_window_months": 12})
        cls.company_2.write({"retail_churn_factor": 2.0, "retail_rfm_window_months": 12})
        cls.seller = cls._retail_user("grading_seller", "sales_team.group_sale_salesman")
        cls.followup = cls._retail_user("grading_followup", "sales_team.group_sale_salesman")
        cls.company_1.retail_followup_user_id = cls.followup
        Partner = cls.env["res.partner"]
        # revisits are calls: phone consent and a number
        cls.a = Partner.create(
            {
                "name": "A Champion",
                "user_id": cls.seller.id,
                "retail_consent_phone": True,
                "phone": "+86 10 1000 0001",
            }
        )
        cls.b = Partner.create({"name": "B Big", "user_id": cls.seller.id})
        cls.c = Partner.create({"name": "C Gone", "user_id": cls.seller.id})
        cls.d = Partner.create({"name": "D Refunded"})
        cls.e = Partner.create(
            {"name": "E Returned", "retail_consent_phone": True, "mobile": "+86 139 0000 0005"}
        )
        cls.f = Partner.create({"name": "F Regular", "user_id": cls.seller.id})
        with freeze_time(NOW):
            cls._sale(cls.a, 100.0, "2026-05-25 12:00:00")
            cls._pos(cls.a, 50.0, "2026-05-01 12:00:00")
            cls._pos(cls.a, 50.0, "2026-04-01 12:00:00")
            cls._sale(cls.b, 1000.0, "2026-03-01 12:00:00")
            cls._pos(cls.c, 30.0, "2025-01-01 12:00:00")
            cls._pos(cls.c, 30.0, "2024-12-01 12:00:00")
            d_order = cls._sale(cls.d, 300.0, "2026-05-20 12:00:00")
            cls._refund_sale(d_order, 300.0)
            cls._sale(cls.d, 500.0, "2026-05-21 12:00:00").with_context(
                disable_cancel_warning=True
            ).action_cancel()
            e_order = cls._pos(cls.e, 80.0, "2026-05-30 12:00:00")
            cls._refund_pos(e_order, "2026-05-30 13:00:00")
            # company 2
            cls._sale(cls.a, 5000.0, "2026-05-01 12:00:00", company=cls.company_2)
            for day in ("2026-04-07", "2026-04-17", "2026-04-27", "2026-05-07"):
                cls._pos(cls.f, 20.0, f"{day} 12:00:00", company=cls.company_2)
        cls.Grade = cls.env["retail.customer.grade"]
        cls.Run = cls.env["retail.grade.run"]

    def _grade(self, partner, company=None):
        company = company or self.company_1
        return self.Grade.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])

    def _segment(self, code):
        return self.env.ref(f"retail_customer_mgmt.retail_segment_{code}")

    def test_hand_computed_rfm(self):
        with freeze_time(NOW):  # recency is shown as of today
            self.Run._regrade(self.company_1)
            expected = {
                # partner: (recency, frequency, monetary, R, F, M, segment)
                self.a: (7, 3, 200.0, 4, 5, 4, "champions"),
                self.b: (92, 1, 1000.0, 2, 2, 5, "occasional_big"),
                self.c: (516, 0, 0.0, 1, 1, 1, "lost"),
                self.d: (12, 1, 0.0, 3, 2, 1, "hibernating"),  # refunded: 0 spend; cancel ignored
                self.e: (2, 1, 0.0, 5, 2, 1, "potential"),  # a POS refund is not an order
            }
            for partner, (rec, freq, mon, r, f, m, segment) in expected.items():
                grade = self._grade(partner)
                self.assertEqual(
                    (
                        grade.recency_days,
                        grade.frequency,
                        grade.monetary,
                        grade.r_score,
                        grade.f_score,
                        grade.m_score,
                        grade.segment_id,
                    ),
                    (rec, freq, mon, r, f, m, self._segment(segment)),
                    partner.name,
                )
                self.assertEqual(grade.rfm_code, f"{r}{f}{m}")
                self.assertEqual(str(grade.graded_on), "2026-06-01")
            self.assertFalse(self._grade(self.f), "F did not buy in company 1")
            self.assertEqual(
                self.a.with_company(self.company_1).retail_segment_id, self._segment("champions")
            )

    def test_companies_are_graded_apart(self):
        with freeze_time(NOW):
            self.Run._regrade(self.company_2)
        grade = self._grade(self.a, self.company_2)
        self.assertEqual((grade.frequency, grade.monetary), (1, 5000.0))
        self.assertFalse(self._grade(self.b, self.company_2))

    def test_churn_with_personal_cadence(self):
        with freeze_time(NOW):
            self.Run._regrade(self.company_1)
            self.Run._regrade(self.company_2)
        self.assertTrue(self._grade(self.c).churn_risk, "516 days > 2 x 120 (Lost default)")
        self.assertFalse(self._grade(self.a).churn_risk, "7 days < 2 x 27 (own median)")
        self.assertFalse(self._grade(self.b).churn_risk, "92 days < 2 x 120 (segment default)")
        f_grade = self._grade(self.f, self.company_2)
        self.assertEqual(f_grade.median_interval, 10.0)
        self.assertTrue(f_grade.churn_risk, "25 days > 2 x 10 (own median)")
        partners = (
            self.env["res.partner"]
            .with_company(self.company_1)
            .search(
                [("retail_churn_risk", "=", True), ("id", "in", (self.a | self.b | self.c).ids)]
            )
        )
        self.assertEqual(partners, self.c)

    def test_activities_without_duplicates(self):
        churn = self.env.ref("retail_customer_mgmt.mail_activity_type_churn")
        revisit = self.env.ref("retail_customer_mgmt.mail_activity_type_revisit")
        with freeze_time(NOW):
            self.Run._regrade(self.company_1)
            self.Run._regrade(self.company_1)  # second night
        activities = self.env["mail.activity"].search(
            [
                ("res_model", "=", "res.partner"),
                ("res_id", "in", (self.a | self.b | self.c | self.d | self.e).ids),
            ]
        )
        summary = sorted((a.res_id, a.activity_type_id, a.user_id) for a in activities)
        self.assertEqual(
            summary,
            sorted(
                [
                    (self.a.id, revisit, self.seller),  # Champions: monthly revisit, phone consent
                    (self.c.id, churn, self.seller),  # churn warning to the salesperson
                    (self.e.id, revisit, self.followup),  # no salesperson: the default user
                ]
            ),
            "B has no phone consent: no revisit call; nothing twice",
        )
        a_revisit = activities.filtered(lambda a: a.res_id == self.a.id)
        self.assertEqual(str(a_revisit.date_deadline), "2026-07-01", "30-day cadence")

    def test_resume_after_interruption(self):
        with freeze_time(NOW):
            run = self.Run._regrade(self.company_1, batch_size=2, time_budget=-1)
            self.assertEqual((run.state, run.done, run.total), ("running", 2, 5))
            self.assertEqual(self.Grade.search_count([("company_id", "=", self.company_1.id)]), 2)
            # the job was killed here; the next call resumes the same run and scale
            again = self.Run._regrade(self.company_1, batch_size=2)
        self.assertEqual(again, run)
        self.assertEqual((run.state, run.done), ("done", 5))
        self.assertEqual(self._grade(self.b).rfm_code, "225")

    def test_customer_deleted_between_batches(self):
        """A customer deleted after the staging is skipped by a later batch
        (it failed on the grade's foreign key): the summary the batches read
        loses it at once; the others are graded."""
        gone = self.env["res.partner"].create({"name": "G Deleted Later"})
        with freeze_time(NOW):
            order = self._sale(gone, 70.0, "2026-05-10 12:00:00")
            run = self.Run._regrade(self.company_1, batch_size=2, time_budget=-1)
            self.assertEqual((run.state, run.done, run.total), ("running", 2, 6))
            self.assertTrue(run.staged_summary, "the batches read the summary")
            order.with_context(disable_cancel_warning=True).action_cancel()
            order.unlink()
            gone.unlink()
            self.Run._regrade(self.company_1, batch_size=2)
        self.assertEqual((run.state, run.done), ("done", 6))
        graded = self.Grade.search([("company_id", "=", self.company_1.id)]).partner_id
        self.assertEqual(graded, self.a | self.b | self.c | self.d | self.e)

    def test_stale_grades_removed(self):
        with freeze_time(NOW):
            self.Run._regrade(self.company_1)
        self.assertTrue(self._grade(self.b))
        self.b.sale_order_ids.with_context(disable_cancel_warning=True).action_cancel()
        with freeze_time("2026-06-02 12:00:00"):
            self.Run._regrade(self.company_1)
        self.assertFalse(self._grade(self.b))

    def test_constant_query_count(self):
        """The same number of queries for 10 and 1,000 customers."""
        company = self.company_1
        company.retail_followup_user_id = False
        Partner = self.env["res.partner"]

        def add_customers(count):
            partners = Partner.create([{"name": f"Bulk {i}"} for i in range(count)])
            self.env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "state": "sale",
                        "date_order": f"2026-0{1 + i % 5}-1{i % 9} 10:00:00",
                        "order_line": [
                            Command.create(
                                {
                                    "product_id": self.product.id,
                                    "price_unit": 10.0 + i % 37,
                                    "tax_id": [Command.clear()],
                                }
                            )
                        ],
                    }
                    for i, partner in enumerate(partners)
                ]
            )

        def queries(full=False):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with freeze_time(NOW):
                run = self.Run._regrade(company, full=full)
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, run

        add_customers(10)
        queries()  # warm-up: first run creates what later runs reuse
        for full in (True, False):
            add_customers(10)
            small, small_run = queries(full)
            add_customers(990)
            large, large_run = queries(full)
            self.assertEqual(small_run.mode, "full" if full else "incremental")
            self.assertEqual(large_run.mode, small_run.mode)
            self.assertEqual(large_run.done - small_run.done, 990)
            self.assertEqual(
                small,
                large,
                f"{small_run.mode}: {small} queries for {small_run.done} customers, "
                f"{large} for {large_run.done}",
            )

    def test_incremental_nightly_regrade(self):
        """The next night reads only the customers whose orders changed or left
        the window, and ends exactly where a full regrade would."""
        company = self.company_1
        late = self.env["res.partner"].create({"name": "G Window Edge"})
        self._pos(late, 70.0, "2025-06-01 18:00:00")  # leaves the 12-month window on June 2
        # everything so far was written long before tonight's run
        for table in ("sale_order", "pos_order", "account_move", "res_partner"):
            self.env[table.replace("_", ".", 1)].flush_model()
            self.env.cr.execute(f"UPDATE {table} SET write_date = '2026-05-31 00:00:00'")  # noqa: SQL
        self.env.invalidate_all()
        with freeze_time(NOW):
            first = self.Run._regrade(company)
        self.assertEqual((first.mode, first.refreshed, first.changed), ("full", 6, 6))
        self.assertEqual((self._grade(late).frequency, self._grade(late).monetary), (1, 70.0))
        with freeze_time("2026-06-02 12:00:00"):
            self._sale(self.b, 40.0, "2026-06-02 10:00:00")
            night = self.Run._regrade(company)
            self.assertEqual(night.mode, "incremental")
            self.assertLess(night.refreshed, night.total, "only changed histories are read")
            self.assertEqual((self._grade(late).frequency, self._grade(late).monetary), (0, 0.0))
            self.assertEqual(self._grade(self.b).frequency, 2)
            incremental = self._grade_snapshot(company)
            full = self.Run._regrade(company, full=True)
        self.assertEqual(full.mode, "full")
        self.assertEqual(full.changed, 0, "a full regrade finds nothing left to change")
        self.assertEqual(self._grade_snapshot(company), incremental)

    def test_segment_coverage_and_validation(self):
        segment = self._segment("lost")
        self.assertIn("Every R-F-M score combination has a segment", segment.coverage_report)
        segment.r_max = 1
        segment.active = False
        self.assertIn("No segment for 25", self._segment("new").coverage_report)
        with self.assertRaisesMessage(ValidationError, "from 1 to 5"):
            self._segment("new").r_min = 0
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self._segment("new").revisit_days = -7

    def test_segment_coverage_escapes_segment_names(self):
        """The report is an unsanitized Html field: names come out escaped."""
        hostile = self.env["retail.segment"].create(
            {"name": '<script>alert("x")</script>', "code": "hostile", "sequence": 0}
        )
        report = str(hostile.coverage_report)
        self.assertNotIn("<script>", report)
        self.assertIn("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; wins over", report)
        self.assertIn("<li>", report)
        self.assertIn("Overlaps (the first segment by sequence wins):", report)

    def test_regrade_now_is_for_managers(self):
        user = self._retail_user("grading_user", "retail_customer_mgmt.group_retail_user")
        with self.assertRaises(AccessError):
            self.env["res.partner"].with_user(user).action_retail_regrade_now()
        manager = self._retail_user("grading_manager", "retail_customer_mgmt.group_retail_manager")
        with freeze_time(NOW):
            action = self.env["res.partner"].with_user(manager).action_retail_regrade_now()
        self.assertEqual(action["params"]["type"], "success")
        self.assertTrue(self._grade(self.a))
        self.assertEqual(fields.Date.to_string(self._grade(self.a).graded_on), "2026-06-01")
