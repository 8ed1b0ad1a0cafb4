import json
import logging
import time
from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.rfm import (
    Cuts,
    Metrics,
    SegmentMatcher,
    churn_risk,
    needs_full_regrade,
    recency_days,
)

_logger = logging.getLogger(__name__)


def _pg_array(values):
    """PostgreSQL array literal of numbers, booleans, datetimes or digit codes.

    Adapting 10,000-element Python lists value by value costs more than the
    insert itself; the literal is built in one join and passed as a single
    parameter. Only values computed by the regrade (never user text) go here.
    """

    def literal(value):
        if value is None:
            return "NULL"
        if value is True:
            return "t"
        if value is False:
            return "f"
        if isinstance(value, datetime):
            return f'"{value.isoformat(sep=" ")}"'
        return str(value)

    return "{" + ",".join(map(literal, values)) + "}"


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
    changed = fields.Integer("Grades Written", help="Grades created or changed by the run.")
    removed = fields.Integer("Grades Removed", help="Customers who no longer have purchases.")

    # ------------------------------------------------------------------
    # Data gathering: a constant number of queries for any number of customers
    # ------------------------------------------------------------------
    def _metrics_sql(self, company, window_start, partner_filter):
        """Per customer: last purchase, orders and spend in the window, all-time
        orders and spend, median days between purchases. One query."""
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
            SELECT partner_id,
                   MAX(d) FILTER (WHERE is_order = 1),
                   COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(window)s),
                   COALESCE(SUM(amount) FILTER (WHERE d >= %(window)s), 0),
                   COUNT(*) FILTER (WHERE is_order = 1),
                   COALESCE(SUM(amount), 0),
                   percentile_cont(0.5) WITHIN GROUP (ORDER BY gap)
              FROM timeline
          GROUP BY partner_id
            HAVING COUNT(*) FILTER (WHERE is_order = 1) > 0
            """,
            orders=self.env["retail.purchase"]._rows_sql(company, partner_filter),
            window=window_start,
        )

    def _previous_run(self, company):
        return self.search(
            [("company_id", "=", company.id), ("state", "=", "done")], order="id desc", limit=1
        )

    def _gather(self, run):
        """Metrics of every customer after the run's cursor, the grades stored
        for them, and the grades to remove. Four queries at most."""
        company = run.company_id
        self.env.cr.execute("SET LOCAL work_mem = '256MB'")  # sort the orders in RAM
        self.env["retail.purchase"]._flush()
        self.env["retail.customer.grade"].flush_model()
        after = SQL("p.commercial_partner_id > %s", run.last_partner_id)
        touched = None
        if run.mode == "incremental":
            previous = self._previous_run(company)
            self.env.cr.execute(
                self.env["retail.purchase"]._changed_buyers_sql(
                    company,
                    previous.data_as_of - self.SAFETY_MARGIN,
                    previous.window_start,
                    run.window_start,
                )
            )
            touched = [pid for (pid,) in self.env.cr.fetchall() if pid > run.last_partner_id]
            after = SQL("%s AND p.commercial_partner_id = ANY(%s)", after, touched)
        now = run.started_at
        metrics = {}
        if touched is None or touched:
            self.env.cr.execute(self._metrics_sql(company, run.window_start, after))
            for pid, last, freq, monetary, orders, spend, med in self.env.cr.fetchall():
                metrics[pid] = Metrics(
                    partner_id=pid,
                    recency_days=recency_days(now, last),
                    frequency=freq,
                    monetary=float(monetary),
                    order_count=orders,
                    lifetime_spend=float(spend),
                    median_interval=float(med) if med is not None else None,
                    last_purchase=last,
                )
        refreshed = len(metrics)
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id, frequency, monetary, order_count, lifetime_spend,
                       avg_basket, median_interval, r_score, f_score, m_score,
                       segment_id, churn_risk, last_purchase
                  FROM retail_customer_grade
                 WHERE company_id = %s AND partner_id > %s
                """,
                company.id,
                run.last_partner_id,
            )
        )
        stored = {row[0]: row[1:] for row in self.env.cr.fetchall()}
        if touched is None:
            stale = [pid for pid in stored if pid not in metrics]
        else:
            touched = set(touched)
            stale = [pid for pid in stored if pid in touched and pid not in metrics]
            for pid, row in stored.items():
                if pid in touched:
                    continue
                freq, monetary, orders, spend, _avg, med, *_scores, last = row
                metrics[pid] = Metrics(
                    partner_id=pid,
                    recency_days=recency_days(now, last),
                    frequency=freq,
                    monetary=monetary,
                    order_count=orders,
                    lifetime_spend=spend,
                    median_interval=med,
                    last_purchase=last,
                )
        ordered = [metrics[pid] for pid in sorted(metrics)]
        return ordered, stored, stale, refreshed

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
    def _regrade(self, company, batch_size=10000, time_budget=None, commit=False, full=False):
        """Grade ``company``'s customers; resume the unfinished run if any.

        :param time_budget: seconds after which the call stops between two
            batches (the cron calls again at once); None = until done
        :param commit: commit after each batch (cron only)
        :param full: read every customer's history again, even when an
            incremental run would do
        :return: the run
        """
        started = time.monotonic()
        run = self.search([("company_id", "=", company.id), ("state", "=", "running")], limit=1)
        run = run or self._start(company, full)
        metrics, stored, stale, refreshed = self._gather(run)
        if run.cuts:
            cuts = Cuts(*[tuple(c) for c in json.loads(run.cuts)])
        else:
            cuts = Cuts.from_metrics(metrics)
            run.write(
                {
                    "cuts": json.dumps([cuts.recency, cuts.frequency, cuts.monetary]),
                    "total": len(metrics),
                }
            )
        if stale:
            self._remove_grades(company, stale)
        run.write({"refreshed": run.refreshed + refreshed, "removed": run.removed + len(stale)})
        segments = self.env["retail.segment"].sudo()._segments_for(company)
        context = {
            "matcher": SegmentMatcher([segment._rule() for segment in segments]),
            "intervals": {segment.id: segment.churn_interval_days for segment in segments},
            "segments": {segment.id: segment for segment in segments},
            "stored": stored,
        }
        for start in range(0, len(metrics), batch_size):
            batch = metrics[start : start + batch_size]
            changed = self._grade_batch(run, company, cuts, batch, context)
            run.write(
                {
                    "last_partner_id": batch[-1].partner_id,
                    "done": run.done + len(batch),
                    "changed": run.changed + changed,
                }
            )
            self.env["ir.cron"]._notify_progress(
                done=run.done, remaining=max(run.total - run.done, 0)
            )
            if commit:
                self.env.cr.commit()  # pylint: disable=invalid-commit
            if (
                time_budget
                and time.monotonic() - started > time_budget
                and start + batch_size < len(metrics)
            ):
                return run
        run.write({"state": "done", "finished_at": fields.Datetime.now()})
        _logger.info(
            "%s regrade of %s: %s customers graded, %s histories read, %s grades written, "
            "%s removed",
            run.mode,
            company.name,
            run.done,
            run.refreshed,
            run.changed,
            run.removed,
        )
        return run

    def _remove_grades(self, company, partner_ids):
        # customers no longer buying in this company lose their stale grade
        self.env.cr.execute(
            SQL(
                "DELETE FROM retail_customer_grade WHERE company_id = %s AND partner_id = ANY(%s)",
                company.id,
                partner_ids,
            )
        )
        self.env["retail.customer.grade"].invalidate_model()

    def _grade_batch(self, run, company, cuts, batch, context):
        """Score and match every customer of the batch, write the grades that
        changed in one query, then plan activities. Returns the number of
        grades written."""
        matcher, stored = context["matcher"], context["stored"]
        factor = company.retail_churn_factor
        rows, plans = [], {}
        for m in batch:
            r, f, mo = cuts.scores(m)
            avg = m.lifetime_spend / m.order_count if m.order_count else 0.0
            segment_id = matcher.match(r, f, mo, m.monetary, avg)
            risk = churn_risk(
                m.recency_days,
                m.order_count,
                m.median_interval,
                factor,
                context["intervals"].get(segment_id) or 60,
            )
            plans[m.partner_id] = (segment_id, risk)
            row = (
                m.frequency,
                m.monetary,
                m.order_count,
                m.lifetime_spend,
                avg,
                m.median_interval,
                r,
                f,
                mo,
                segment_id,
                risk,
                m.last_purchase,
            )
            if stored.get(m.partner_id) != row:
                rows.append((m.partner_id, *row))
        if rows:
            self._write_grades(run, company, rows)
        self.env["retail.customer.grade"]._retail_plan_activities(
            company, plans, context["segments"]
        )
        return len(rows)

    def _write_grades(self, run, company, rows):
        columns = [_pg_array(column) for column in zip(*rows, strict=True)]
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO retail_customer_grade (
                partner_id, company_id, frequency, monetary, order_count,
                lifetime_spend, avg_basket, median_interval, r_score, f_score, m_score,
                rfm_total, rfm_code, segment_id, churn_risk, last_purchase, changed_on,
                create_uid, create_date, write_uid, write_date)
            SELECT t.partner_id, %(company)s, t.freq, t.monetary, t.orders, t.spend,
                   t.avg, t.med, t.r, t.f, t.m, t.r + t.f + t.m, concat(t.r, t.f, t.m),
                   t.segment, t.risk, t.last, %(today)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(p)s::int[], %(fr)s::int[], %(mon)s::float8[],
                          %(oc)s::int[], %(sp)s::float8[], %(av)s::float8[],
                          %(md)s::float8[], %(r)s::int[], %(f)s::int[], %(m)s::int[],
                          %(sg)s::int[], %(rk)s::bool[], %(ls)s::timestamp[])
                   AS t(partner_id, freq, monetary, orders, spend, avg, med,
                        r, f, m, segment, risk, last)
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                frequency = EXCLUDED.frequency,
                monetary = EXCLUDED.monetary, order_count = EXCLUDED.order_count,
                lifetime_spend = EXCLUDED.lifetime_spend, avg_basket = EXCLUDED.avg_basket,
                median_interval = EXCLUDED.median_interval, r_score = EXCLUDED.r_score,
                f_score = EXCLUDED.f_score, m_score = EXCLUDED.m_score,
                rfm_total = EXCLUDED.rfm_total, rfm_code = EXCLUDED.rfm_code,
                segment_id = EXCLUDED.segment_id, churn_risk = EXCLUDED.churn_risk,
                last_purchase = EXCLUDED.last_purchase, changed_on = EXCLUDED.changed_on,
                write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            """,
                company=company.id,
                now=fields.Datetime.now(),
                today=run.grading_date,
                uid=self.env.uid,
                **dict(
                    zip(
                        ("p", "fr", "mon", "oc", "sp", "av", "md", "r", "f", "m", "sg", "rk", "ls"),
                        columns,
                        strict=True,
                    )
                ),
            )
        )
        self.env["retail.customer.grade"].invalidate_model()

    @api.model
    def _cron_retail_regrade(self, batch_size=10000, time_budget=240):
        today = fields.Date.context_today(self)
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
