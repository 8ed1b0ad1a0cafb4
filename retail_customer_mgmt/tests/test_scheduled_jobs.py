import threading
import time

import psycopg2

from odoo.tests import tagged
from odoo.tools import SQL

from .committed_common import CommittedCase

BATCH = 2


@tagged("post_install", "-at_install")
class TestRegradeJob(CommittedCase):
    """The nightly regrade as the scheduler runs it: each batch committed,
    the job stopped by its time budget or killed, then resumed where it
    stopped, with the same scale."""

    def setUp(self):
        super().setUp()

        def setup(env):
            company = env.ref("base.main_company")
            product = env["product.product"].create(
                {"name": f"Job tea {self.tag}", "type": "service", "list_price": 10.0}
            )
            partners = env["res.partner"].create(
                [{"name": f"Job customer {self.tag} {i}"} for i in range(5)]
            )
            for i, partner in enumerate(partners):
                env["sale.order"].create(
                    {
                        "partner_id": partner.id,
                        "company_id": company.id,
                        "order_line": [
                            (0, 0, {"product_id": product.id, "price_unit": 10.0 * (i + 1)})
                        ],
                    }
                ).action_confirm()
            env.cr.execute("SELECT * FROM retail_customer_grade")
            columns = [d[0] for d in env.cr.description]
            grades = env.cr.fetchall()
            env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM retail_grade_run")
            last_run = env.cr.fetchone()[0]
            # earlier runs (the install's, today) become last night's
            env.cr.execute(
                "UPDATE retail_grade_run SET grading_date = grading_date - 1 RETURNING id"
            )
            self.moved_runs = [row[0] for row in env.cr.fetchall()]
            env.cr.execute("SELECT COALESCE(MAX(id), 0) FROM mail_activity")
            last_activity = env.cr.fetchone()[0]
            self.last_run = last_run
            return (company.id, product.id, partners.ids, columns, grades, last_run, last_activity)

        (
            self.company_id,
            product_id,
            self.partner_ids,
            columns,
            grades,
            last_run,
            last_activity,
        ) = self._run(setup)

        def cleanup(env):
            cr = env.cr
            # what the regrades wrote, in every company: back to before the test
            cr.execute("DELETE FROM mail_activity WHERE id > %s", [last_activity])
            cr.execute("DELETE FROM retail_grade_run WHERE id > %s", [last_run])
            cr.execute(
                "UPDATE retail_grade_run SET grading_date = grading_date + 1 WHERE id = ANY(%s)",
                [self.moved_runs],
            )
            cr.execute("DELETE FROM retail_customer_grade")
            for row in grades:
                cr.execute(
                    SQL(
                        "INSERT INTO retail_customer_grade (%s) VALUES %s",
                        SQL(", ").join(SQL.identifier(column) for column in columns),
                        tuple(row),
                    )
                )
            cr.execute("SELECT id FROM loyalty_card WHERE partner_id = ANY(%s)", [self.partner_ids])
            cards = [row[0] for row in cr.fetchall()]
            cr.execute("DELETE FROM loyalty_history WHERE card_id = ANY(%s)", [cards])
            cr.execute("DELETE FROM loyalty_card WHERE id = ANY(%s)", [cards])
            cr.execute("DELETE FROM sale_order WHERE partner_id = ANY(%s)", [self.partner_ids])
            cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [self.partner_ids])
            cr.execute(
                "DELETE FROM product_template WHERE id IN "
                "(SELECT product_tmpl_id FROM product_product WHERE id = %s)",
                [product_id],
            )

        self.addCleanup(self._run, cleanup)

    def _state(self):
        """The company's current run as another connection sees it (committed)."""

        def read(env):
            run = env["retail.grade.run"].search(
                [("company_id", "=", self.company_id)], order="id desc", limit=1
            )
            return run.id, run.state, run.done, run.total, run.cuts

        return self._run(read)

    def _graded(self):
        def read(env):
            return env["retail.customer.grade"].search_count(
                [("company_id", "=", self.company_id), ("partner_id", "in", self.partner_ids)]
            )

        return self._run(read)

    def _cron(self, env):
        env["retail.grade.run"]._cron_retail_regrade(batch_size=BATCH, time_budget=-1)

    def test_commits_each_batch_and_resumes_after_a_kill(self):
        # the job grades the companies in turn (those before ours first); once
        # it reaches ours, one batch is committed and the time budget stops it
        for _call in range(50):
            self._run(self._cron)
            if self._state()[0] > self.last_run:
                break
        run_id, state, done, total, cuts = self._state()
        self.assertEqual((state, done), ("running", BATCH), "one batch committed")
        self.assertGreaterEqual(total, 5, "the 5 new customers at least")

        # the job is killed while it works: its connection dies, its batch is lost
        locker = self.registry.cursor()
        pid = []
        try:
            locker.execute("SELECT id FROM retail_grade_run WHERE id = %s FOR UPDATE", [run_id])

            def killed_job(env, _barrier):
                env.cr.execute("SELECT pg_backend_pid()")
                pid.append(env.cr.fetchone()[0])
                company = env["res.company"].browse(self.company_id)
                env["retail.grade.run"]._regrade(
                    company, batch_size=BATCH, time_budget=-1, commit=True
                )

            def kill():
                # wait until the job blocks on the locked run, then kill it
                for _ in range(200):
                    if pid:
                        locker.execute(
                            "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                            [pid[0]],
                        )
                        row = locker.fetchone()
                        if row and row[0] == "Lock":
                            locker.execute("SELECT pg_terminate_backend(%s)", [pid[0]])
                            return locker.fetchone()[0]
                    time.sleep(0.05)
                return False

            killed = []
            killer = threading.Thread(target=lambda: killed.append(kill()))
            killer.start()
            _results, errors = self._in_threads([killed_job])
            killer.join(30)
            self.assertFalse(killer.is_alive())
        finally:
            locker.rollback()
            locker.close()
        self.assertEqual(killed, [True], "the job's connection was terminated")
        self.assertIsInstance(errors[0], psycopg2.Error, "the killed job did not finish")
        self.assertEqual(self._state(), (run_id, "running", BATCH, total, cuts), "nothing lost")

        # each next call commits one more batch of the same run, same scale
        calls = 0
        while self._state()[1] == "running" and calls < 100:
            before = self._state()[2]
            self._run(self._cron)
            calls += 1
            same_run, state, done, _total, same_cuts = self._state()
            self.assertEqual((same_run, same_cuts), (run_id, cuts))
            self.assertEqual(done - before, min(BATCH, total - before), "one batch per call")
        self.assertEqual(self._state()[1:3], ("done", total))
        self.assertEqual(calls, -(-(total - BATCH) // BATCH))
        self.assertEqual(self._graded(), 5, "every new customer graded")
        # called again the same night: the companies graded tonight are not started over
        self._run(self._cron)
        self.assertEqual(self._state()[:3], (run_id, "done", total))
