"""The nightly regrade on queue_job: jobs enqueued, and the grades they write.

The queued run must give exactly the grades of the inline run (the main
addon's ``_retail_run_batches``) on the same orders at the same moment, and
a batch performed again, after a failure or twice, must write nothing twice.
"""

from datetime import datetime, timedelta
from math import ceil

from odoo.tests import freeze_time, tagged

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.queue_job.job import Job
from odoo.addons.queue_job.tests.common import JobCounter, JobMixin, trap_jobs
from odoo.addons.retail_customer_mgmt.tests.common import RetailCommon

NOW = datetime(2026, 6, 1, 12, 0, 0)
GRADE_FIELDS = [
    "frequency",
    "monetary",
    "order_count",
    "lifetime_spend",
    "median_interval",
    "last_purchase",
    "r_score",
    "f_score",
    "m_score",
    "rfm_code",
    "segment_id",
    "churn_risk",
]


@tagged("post_install", "-at_install")
class TestQueueRegrade(RetailCommon, JobMixin):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.Run = cls.env["retail.grade.run"]
        cls.Batch = cls.env["retail.grade.run.batch"]
        cls.customers = cls.env["res.partner"].create(
            [{"name": f"Queued Customer {i}"} for i in range(11)]
        )
        # 11 customers, 1 to 4 orders each over two years, various amounts
        for i, partner in enumerate(cls.customers):
            for k in range(1 + i % 4):
                date = NOW - timedelta(days=7 + 53 * i + 31 * k, hours=k)
                cls._sale(partner, 20.0 + 37 * ((i * 7 + k) % 9), date)

    def _grades(self):
        grades = self.env["retail.customer.grade"].search([("company_id", "=", self.company.id)])
        return {
            grade["partner_id"][0]: tuple(grade[name] for name in GRADE_FIELDS)
            for grade in grades.read(["partner_id", *GRADE_FIELDS])
        }

    def _running(self):
        return self.Run.search([("company_id", "=", self.company.id), ("state", "=", "running")])

    def _stage_trapped(self, trap):
        """The cron, then the staging jobs it enqueued: the run is staged and
        its batches are enqueued (still trapped)."""
        self.Run._cron_retail_regrade(batch_size=3)
        trap.assert_enqueued_job(
            self.Run._retail_queue_stage,
            args=(self.company,),
            kwargs={"batch_size": 3},
            properties={
                "channel": "root.retail",
                "identity_key": f"retail.grade.run:{self.company.id}:stage",
            },
        )
        # a staging job per company to grade, nothing else yet
        trap.assert_jobs_count(trap.jobs_count(only=self.Run._retail_queue_stage))
        trap.perform_enqueued_jobs()
        return self._running()

    @freeze_time(NOW)
    def test_queued_run_grades_as_inline(self):
        with trap_jobs() as trap:
            run = self._stage_trapped(trap)
            self.assertEqual(run.total, 11)
            self.assertFalse(self._grades(), "the staging job grades nobody")
            batches = run.batch_ids
            self.assertEqual(len(batches), ceil(11 / 3))
            self.assertEqual(batches.mapped("state"), ["todo"] * 4)
            # contiguous ranges from 0 to the last id: every customer once
            self.assertEqual(batches[0].low, 0)
            self.assertEqual(batches[-1].high, 2**31 - 1)
            self.assertEqual(batches[1:].mapped("low"), batches[:-1].mapped("high"))
            for batch in batches:
                trap.assert_enqueued_job(
                    batch._retail_queue_grade,
                    properties={
                        "channel": "root.retail",
                        "identity_key": f"retail.grade.run:{self.company.id}:{run.id}:"
                        f"{batch.low}-{batch.high}",
                    },
                )
            trap.assert_enqueued_job(
                run._retail_queue_close,
                properties={
                    "channel": "root.retail",
                    "identity_key": f"retail.grade.run:{self.company.id}:{run.id}:close",
                },
            )
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(batches.mapped("state"), ["done"] * 4)
        self.assertEqual((run.done, run.last_partner_id), (11, 2**31 - 1))
        self.assertEqual(run.changed, 11)
        queued = self._grades()
        self.assertEqual(set(queued), set(self.customers.ids))

        # the same orders graded inline, from scratch, at the same moment
        self.env["retail.customer.grade"].search([("company_id", "=", self.company.id)]).unlink()
        run.unlink()
        inline = self.Run._regrade(self.company, batch_size=3)
        self.assertEqual(inline.state, "done")
        self.assertEqual((inline.total, inline.changed), (11, 11))
        self.assertFalse(inline.batch_ids)
        self.assertEqual(self._grades(), queued)
        self.assertGreater(len(set(queued.values())), 1, "the customers are graded apart")

    @freeze_time(NOW)
    def test_failed_or_repeated_batch_writes_once(self):
        Activity = self.env["mail.activity"]
        with trap_jobs() as trap:
            run = self._stage_trapped(trap)
            jobs = [job for job in trap.enqueued_jobs if job.method_name == "_retail_queue_grade"]
            mine = [job for job in jobs if job.recordset.run_id == run]
            # the first range (3 of the 11 customers; the last one holds 2):
            # queue_job enqueues the jobs of a group in no fixed order
            job = min(mine, key=lambda job: job.recordset.low)
            batch = job.recordset
            # a job that fails after grading: its transaction is rolled back
            with self.assertRaises(ZeroDivisionError), self.env.cr.savepoint():
                job.perform()
                self.assertTrue(self._grades())
                raise ZeroDivisionError
            self.env.invalidate_all()
            self.assertEqual(batch.state, "todo")
            self.assertFalse(self._grades())
            # retried: grades its range once
            self.assertEqual(job.perform(), "3 grades written")
            graded = self._grades()
            self.assertEqual(len(graded), 3)
            activities = Activity.search_count([("res_model", "=", "res.partner")])
            # performed again (requeued by hand, or a second worker): nothing
            self.assertEqual(job.perform(), "already graded")
            self.assertEqual(batch.changed, 3)
            self.assertEqual(self._grades(), graded)
            self.assertEqual(Activity.search_count([("res_model", "=", "res.partner")]), activities)
            # the close job refuses to close a run with ranges left
            close = next(
                j
                for j in trap.enqueued_jobs
                if j.method_name == "_retail_queue_close" and j.recordset == run
            )
            with self.assertRaisesRegex(RetryableJobError, "3 batches still to grade"):
                close.perform()
            self.assertEqual(run.state, "running")
            trap.perform_enqueued_jobs()
        self.assertEqual(run.state, "done")
        self.assertEqual(run.changed, 11)
        self.assertEqual(len(self._grades()), 11)

    @freeze_time(NOW)
    def test_cron_enqueues_nothing_while_a_run_is_under_way(self):
        # sudo: queue.job is readable by queue_job's managers only
        counter = JobCounter(self.env(su=True))
        self.Run._cron_retail_regrade(batch_size=3)
        key = f"retail.grade.run:{self.company.id}:stage"
        stage = counter.search_created().filtered(lambda job: job.identity_key == key)
        self.assertEqual(stage.channel, "root.retail")
        created = counter.count_created()
        self.Run._cron_retail_regrade(batch_size=3)
        self.assertEqual(counter.count_created(), created, "pending staging job: nothing new")

        Job.load(self.env, stage.uuid).perform()
        mine = counter.search_created().filtered(
            lambda job: job.identity_key.startswith(f"retail.grade.run:{self.company.id}:")
        )
        self.assertEqual(len(mine), 1 + 4 + 1)  # stage, 4 ranges, close
        stage.state = "done"
        self.Run._cron_retail_regrade(batch_size=3)
        self.assertEqual(counter.count_created(), created + 5, "batches waiting: nothing new")

        for job in mine.filtered(lambda job: job.method_name == "_retail_queue_grade"):
            Job.load(self.env, job.uuid).perform()
            job.state = "done"
        close = mine.filtered(lambda job: job.method_name == "_retail_queue_close")
        self.assertEqual(len(close.dependencies["depends_on"]), 4)
        Job.load(self.env, close.uuid).perform()
        close.state = "done"
        self.assertEqual(self.Run.search([("company_id", "=", self.company.id)]).state, "done")
        self.Run._cron_retail_regrade(batch_size=3)
        self.assertFalse(
            counter.search_created().filtered(
                lambda job: job.identity_key.startswith(f"retail.grade.run:{self.company.id}:")
            )
            - mine,
            "graded today: nothing new",
        )
