import json
import logging
import time
from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.rfm import needs_full_regrade
from .retail_sql import heavy_job_settings

# a partner id above every real one: the upper bound of the last batch
MAX_ID = 2**31 - 1
# the fingerprint of purchase dates is kept below 2**52: a float holds it exactly
FINGERPRINT_MODULUS = 2**52

_logger = logging.getLogger(__name__)


class RetailGradeRun(models.Model):
    """One regrade of a company's customers, resumable batch by batch.

    A run is *full* (every customer's history is read again) or
    *incremental*: only the customers whose orders were written since the
    previous run, or left the analysis window since then, are read again;
    the others keep the figures stored on their grade, and their recency is
    recomputed from their last purchase. Every run scores every customer
    against cut points computed on the whole population, and writes only the
    grades that changed. The run keeps its cut points and the last customer
    id it graded, so that a job killed in the middle resumes where it stopped
    with the same scale.
    """

    _name = "retail.grade.run"
    _description = "Retail Regrade Run"
    _order = "id desc"

    # orders written by transactions that started before the previous run
    # but committed after it are caught by re-reading this much history
    SAFETY_MARGIN = timedelta(hours=1)
    # customers per batch at least (see ``_regrade``)
    MIN_BATCH = 10000

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")], default="running", required=True
    )
    mode = fields.Selection(
        [("full", "Full"), ("incremental", "Incremental")], default="full", required=True
    )
    started_at = fields.Datetime(default=fields.Datetime.now, required=True)
    finished_at = fields.Datetime()
    grading_date = fields.Date(required=True, default=fields.Date.context_today)
    data_as_of = fields.Datetime(help="Database time when the run started reading orders.")
    window_start = fields.Datetime(help="Start of the analysis window of the run.")
    window_months = fields.Integer()
    cuts = fields.Text(help="Quintile cut points of the run, as JSON.")
    last_partner_id = fields.Integer(help="Customers up to this id are graded.")
    total = fields.Integer("Customers")
    done = fields.Integer("Graded")
    refreshed = fields.Integer("Histories Read", help="Customers whose orders were read again.")
    sorted_histories = fields.Integer(
        "Histories Sorted",
        help="Customers whose purchase dates were sorted again for their usual interval "
        "(a weekly full run sorts only those whose dates changed).",
    )
    changed = fields.Integer("Grades Written", help="Grades created or changed by the run.")
    removed = fields.Integer("Grades Removed", help="Customers who no longer have purchases.")

    # ------------------------------------------------------------------
    # Data gathering: a constant number of queries for any number of customers
    # ------------------------------------------------------------------
    @api.model
    def _history_aggregates_sql(self, window_start, exact=False):
        """The per-customer aggregates of the staged metrics over the rows of
        ``orders`` (grouped by partner_id): last purchase, orders and spend in
        the window, all-time orders and spend, and the fingerprint of the
        purchase dates (a sum of their hashes: it does not depend on their
        order, so a hash aggregate computes it without sorting). With
        ``exact``, the spends stay numeric (the stored summary adds and takes
        off amounts: a float would drift)."""
        amount_type = SQL("numeric") if exact else SQL("float8")
        return SQL(
            """
            MAX(d) FILTER (WHERE is_order = 1) AS last_purchase,
            COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(window)s)::int AS frequency,
            COALESCE(SUM(amount) FILTER (WHERE d >= %(window)s), 0)::%(type)s AS monetary,
            COUNT(*) FILTER (WHERE is_order = 1)::int AS order_count,
            COALESCE(SUM(amount), 0)::%(type)s AS lifetime_spend,
            mod(SUM(timestamp_hash_extended(d, 0)) FILTER (WHERE is_order = 1),
                %(modulus)s)::float8 AS date_fingerprint
            """,
            window=window_start,
            type=amount_type,
            modulus=FINGERPRINT_MODULUS,
        )

    def _metrics_sql(self, company, window_start, partner_filter, exact=False):
        """Per customer: the aggregates of ``_history_aggregates_sql`` and the median
        days between purchases, sorting every order read. One query."""
        return SQL(
            """
            WITH orders AS (%(orders)s), timeline AS (
                -- one sort of the orders by customer and date gives both the
                -- gaps between purchases and the per-customer aggregates
                SELECT partner_id, d, amount, is_order,
                       CASE WHEN is_order = 1 THEN
                           EXTRACT(EPOCH FROM d - LAG(d) OVER (
                               PARTITION BY partner_id, is_order ORDER BY d)) / 86400.0
                       END AS gap
                  FROM orders
            )
            SELECT partner_id, %(aggregates)s,
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median_interval
              FROM timeline
          GROUP BY partner_id
            HAVING COUNT(*) FILTER (WHERE is_order = 1) > 0
            """,
            orders=self.env["retail.purchase"]._rows_sql(company, partner_filter),
            aggregates=self._history_aggregates_sql(window_start, exact),
        )

    def _previous_run(self, company):
        return self.search(
            [("company_id", "=", company.id), ("state", "=", "done")], order="id desc", limit=1
        )

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------
    def _start(self, company, full):
        now = fields.Datetime.now()
        months = company.retail_rfm_window_months
        previous = self._previous_run(company)
        last_full = self.search(
            [("company_id", "=", company.id), ("state", "=", "done"), ("mode", "=", "full")],
            order="id desc",
            limit=1,
        )
        (previous | last_full).fetch(["data_as_of", "window_start", "window_months", "started_at"])
        incremental = (
            not full
            and previous.data_as_of
            and previous.window_start
            and not needs_full_regrade(
                {"window_months": previous.window_months, "last_full": last_full.started_at}
                if previous
                else None,
                months,
                now,
            )
        )
        return self.create(
            {
                "company_id": company.id,
                "mode": "incremental" if incremental else "full",
                "started_at": now,
                "grading_date": now.date(),
                "data_as_of": self.env.cr.now(),
                "window_start": now - relativedelta(months=months),
                "window_months": months,
            }
        )

    @api.model
    def _retail_session_settings(self):
        """The settings of the regrade's transaction (again after each
        commit; a hook of the queue module): ``heavy_job_settings``."""
        heavy_job_settings(self.env.cr)

    @api.model
    def _regrade(
        self, company, batch_size=None, time_budget=None, commit=False, full=False, batches=8
    ):
        """Grade ``company``'s customers; resume the unfinished run if any.

        :param batch_size: customers per batch (committed together); by
            default the customers are split in ``batches`` batches of
            ``MIN_BATCH`` customers at least, so that the number of queries
            does not depend on the number of customers
        :param time_budget: seconds after which the call stops between two
            batches (the cron calls again at once); None = until done
        :param commit: commit after the staging and after each batch (cron only)
        :param full: read every customer's history again, even when an
            incremental run would do
        :return: the run
        """
        started = time.monotonic()
        run = self.search([("company_id", "=", company.id), ("state", "=", "running")], limit=1)
        run = run or self._start(company, full)
        self._retail_session_settings()
        if not run.cuts or not run._staged():
            run._stage()
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self._retail_session_settings()
        size = batch_size or max(-(-run.total // batches), self.MIN_BATCH)
        return run._retail_run_batches(
            size, commit=commit, time_budget=time_budget, started=started
        )

    def _retail_run_batches(self, size, commit=False, time_budget=None, started=None):
        """Grade the staged run's remaining customers, ``size`` at a time in
        order of id, then close the run (see ``_regrade``). A hook: the module
        retail_customer_mgmt_queue enqueues the batches as jobs of OCA's
        queue_job instead."""
        self.ensure_one()
        run = self
        segments = self.env["retail.segment"].sudo()._segments_for(run.company_id)
        cuts = json.loads(run.cuts)
        while run.done < run.total:
            high = run._slice_end(size)
            changed = run._retail_grade_range(segments, cuts, run.last_partner_id, high)
            run.write(
                {
                    "last_partner_id": high,
                    "done": run.total if high == MAX_ID else run.done + size,
                    "changed": run.changed + changed,
                }
            )
            self.env["ir.cron"]._notify_progress(
                done=run.done, remaining=max(run.total - run.done, 0)
            )
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
                self._retail_session_settings()
            if time_budget and time.monotonic() - started > time_budget and run.done < run.total:
                return run
        run._retail_close()
        return run

    def _retail_grade_range(self, segments, cuts, low, high):
        """Grade the staged customers with ids in ``]low, high]`` with the run's
        cut points and plan their follow-up; return the grades written."""
        self.ensure_one()
        self.env.cr.execute(self._grade_sql(cuts, segments, low, high))
        changed = self.env.cr.rowcount
        self.env["retail.customer.grade"].invalidate_model()
        self._follow_up(segments, low, high)
        return changed

    def _retail_close(self):
        """Drop the run's staged metrics and mark it done."""
        self.ensure_one()
        run = self
        run._drop_stage()
        run.write({"state": "done", "finished_at": fields.Datetime.now()})
        _logger.info(
            "%s regrade of %s: %s customers graded, %s histories read, %s grades written, "
            "%s removed",
            run.mode,
            run.company_id.name,
            run.done,
            run.refreshed,
            run.changed,
            run.removed,
        )

    def _stage(self):
        """Stage the metrics of the customers the run reads (all of them for a
        full run; for an incremental one, those whose orders changed or left
        the window since the previous run), remove the grades of those who no
        longer buy, and, the first time, fix the run's scale: its population
        and cut points. A constant number of queries."""
        self.ensure_one()
        company = self.company_id
        self.env["retail.purchase"]._flush()
        self.env["retail.customer.grade"].flush_model()
        touched = None
        partner_filter = SQL("TRUE")
        summary = self._summary_usable()
        if self.mode == "incremental" and not summary:
            previous = self._previous_run(company)
            self.env.cr.execute(
                self.env["retail.purchase"]._changed_buyers_sql(
                    company,
                    previous.data_as_of - self.SAFETY_MARGIN,
                    previous.window_start,
                    self.window_start,
                )
            )
            touched = [pid for (pid,) in self.env.cr.fetchall()]
            partner_filter = SQL("p.commercial_partner_id = ANY(%s)", touched)
        if summary:
            # every run, full or incremental, reads the stored summary after
            # recomputing the customers whose documents changed
            refreshed, touched = self._summary_refresh(company, self.window_start)
            resorted = refreshed
            self.staged_summary = True
        elif self.mode == "full" and self._fingerprinted():
            self.env.cr.execute(self._stage_fingerprint_sql())
            refreshed, resorted = self._count_staged(resorted=True)
        elif touched is not None:
            # the customers read again, and the stored metrics of the others:
            # every batch then reads one indexed table, as in a full run
            self.env.cr.execute(
                self._stage_sql(
                    self._metrics_sql(company, self.window_start, partner_filter),
                    self._stored_metrics_sql(touched),
                )
            )
            refreshed = resorted = self._count_staged(among=touched)
        else:
            self.env.cr.execute(
                self._stage_sql(self._metrics_sql(company, self.window_start, partner_filter))
            )
            refreshed = resorted = self._count_staged()
        self.env.cr.execute(self._remove_stale_sql(touched))
        removed = self.env.cr.rowcount
        self.env["retail.customer.grade"].invalidate_model()
        if self.cuts:
            return  # staged again after a crash of the database: same scale
        total = self._count_population()
        self.write(
            {
                "cuts": json.dumps([list(cuts) for cuts in self._read_cuts(total)]),
                "total": total,
                "refreshed": refreshed,
                "sorted_histories": resorted,
                "removed": removed,
            }
        )

    def _follow_up(self, segments, low, high):
        """Churn warnings, revisits and dedicated salespeople for the graded
        customers of ``]low, high]`` who may need them (selected in SQL)."""
        Grade = self.env["retail.customer.grade"]
        churn_type = self.env.ref("retail_customer_mgmt.mail_activity_type_churn")
        revisit_types = segments.activity_type_id.union(
            *Grade._retail_revisit_types(segments).values()
        )
        self.env["mail.activity"].flush_model(["res_model", "res_id", "activity_type_id"])
        self.env["res.partner"].flush_model(["user_id"])
        self.env.cr.execute(self._follow_up_sql(segments, (churn_type, revisit_types), low, high))
        plans = {pid: (segment_id, risk) for pid, segment_id, risk in self.env.cr.fetchall()}
        Grade._retail_plan_activities(
            self.company_id, plans, {segment.id: segment for segment in segments}
        )

    @api.model
    def _cron_retail_regrade(self, batch_size=None, time_budget=240):
        # the day of the runs' grading_date (UTC, see ``_start``), whatever
        # the time zone of the user the job runs as
        today = fields.Date.today()
        for company in self.env["res.company"].search([]):
            last = self.search([("company_id", "=", company.id)], limit=1)
            if last.state == "done" and last.grading_date == today:
                # graded tonight: the job is called again for the companies
                # after it, not to start this one over
                continue
            run = self._regrade(
                company, batch_size=batch_size, time_budget=time_budget, commit=True
            )
            if run.state == "running":
                return  # the cron is called again at once for the rest
