import json
import logging
import time
from datetime import datetime

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.rfm import Cuts, Metrics, churn_risk, match_segment

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

    The run keeps the quintile cut points computed on the whole population
    at its start and the last customer id it graded, so that a job killed in
    the middle resumes where it stopped with the same scale.
    """

    _name = "retail.grade.run"
    _description = "Retail Regrade Run"
    _order = "id desc"

    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True)
    state = fields.Selection(
        [("running", "Running"), ("done", "Done")], default="running", required=True
    )
    started_at = fields.Datetime(default=fields.Datetime.now, required=True)
    finished_at = fields.Datetime()
    grading_date = fields.Date(required=True, default=fields.Date.context_today)
    cuts = fields.Text(help="Quintile cut points of the run, as JSON.")
    last_partner_id = fields.Integer(help="Customers up to this id are graded.")
    total = fields.Integer("Customers")
    done = fields.Integer("Graded")

    # ------------------------------------------------------------------
    # Data gathering: one query for any number of customers
    # ------------------------------------------------------------------
    def _metrics_sql(self, company, window_start, after_id=0):
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
          ORDER BY partner_id
            """,
            orders=self.env["res.partner"]._retail_order_rows_sql(
                company, SQL("p.commercial_partner_id > %s", after_id)
            ),
            window=window_start,
        )

    def _fetch_metrics(self, company, now, after_id=0):
        window_start = now - relativedelta(months=company.retail_rfm_window_months)
        # the aggregate sorts every order by customer and date: give this
        # transaction enough memory to sort in RAM instead of on disk
        self.env.cr.execute("SET LOCAL work_mem = '256MB'")
        self.env["res.partner"]._retail_flush_purchase_sources()
        self.env.cr.execute(self._metrics_sql(company, window_start, after_id))
        result = []
        for pid, last, freq, monetary, orders, spend, med in self.env.cr.fetchall():
            result.append(
                Metrics(
                    partner_id=pid,
                    recency_days=max((now - last).days, 0),
                    frequency=freq,
                    monetary=float(monetary),
                    order_count=orders,
                    lifetime_spend=float(spend),
                    median_interval=float(med) if med is not None else None,
                    last_purchase=last,
                )
            )
        return result

    # ------------------------------------------------------------------
    # Run
    # ------------------------------------------------------------------
    @api.model
    def _regrade(self, company, batch_size=10000, time_budget=None, commit=False):
        """Grade ``company``'s customers; resume the unfinished run if any.

        :param time_budget: seconds after which the call stops between two
            batches (the cron calls again at once); None = until done
        :param commit: commit after each batch (cron only)
        :return: the run
        """
        started = time.monotonic()
        now = fields.Datetime.now()
        run = self.search([("company_id", "=", company.id), ("state", "=", "running")], limit=1)
        if run:
            metrics = self._fetch_metrics(company, now, after_id=run.last_partner_id)
            cuts = Cuts(*[tuple(c) for c in json.loads(run.cuts)])
        else:
            metrics = self._fetch_metrics(company, now)
            cuts = Cuts.from_metrics(metrics)
            run = self.create(
                {
                    "company_id": company.id,
                    "cuts": json.dumps([cuts.recency, cuts.frequency, cuts.monetary]),
                    "total": len(metrics),
                    "grading_date": now.date(),
                }
            )
        segments = self.env["retail.segment"].sudo()._segments_for(company)
        context = {
            "rules": [segment._rule() for segment in segments],
            "intervals": {segment.id: segment.churn_interval_days for segment in segments},
            "segments": {segment.id: segment for segment in segments},
        }
        for start in range(0, len(metrics), batch_size):
            batch = metrics[start : start + batch_size]
            self._grade_batch(run, company, cuts, batch, context)
            run.write({"last_partner_id": batch[-1].partner_id, "done": run.done + len(batch)})
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
        self._finish(run)
        return run

    def _finish(self, run):
        # customers no longer buying in this company lose their stale grade
        self.env["retail.customer.grade"].flush_model()
        self.env.cr.execute(
            SQL(
                "DELETE FROM retail_customer_grade WHERE company_id = %s AND graded_on < %s",
                run.company_id.id,
                run.grading_date,
            )
        )
        self.env["retail.customer.grade"].invalidate_model()
        run.write({"state": "done", "finished_at": fields.Datetime.now()})
        _logger.info("Regrade of %s: %s customers", run.company_id.name, run.done)

    def _grade_batch(self, run, company, cuts, batch, context):
        """Score, match, write back in one query, then plan activities."""
        rows = []
        for m in batch:
            r, f, mo = cuts.scores(m)
            avg = m.lifetime_spend / m.order_count if m.order_count else 0.0
            segment_id = match_segment(context["rules"], r, f, mo, m.monetary, avg)
            risk = churn_risk(
                m.recency_days,
                m.order_count,
                m.median_interval,
                company.retail_churn_factor,
                context["intervals"].get(segment_id) or 60,
            )
            rows.append(
                (
                    m.partner_id,
                    m.recency_days,
                    m.frequency,
                    m.monetary,
                    m.order_count,
                    m.lifetime_spend,
                    avg,
                    m.median_interval,
                    r,
                    f,
                    mo,
                    r + f + mo,
                    f"{r}{f}{mo}",
                    segment_id,
                    risk,
                    m.last_purchase,
                )
            )
        self._write_grades(run, company, rows)
        self.env["res.partner"]._retail_plan_activities(
            company,
            {row[0]: (row[13], row[14]) for row in rows},
            context["segments"],
        )

    def _write_grades(self, run, company, rows):
        columns = list(zip(*rows, strict=True))
        self.env["retail.customer.grade"].flush_model()
        self.env.cr.execute(
            SQL(
                """
            INSERT INTO retail_customer_grade (
                partner_id, company_id, recency_days, frequency, monetary, order_count,
                lifetime_spend, avg_basket, median_interval, r_score, f_score, m_score,
                rfm_total, rfm_code, segment_id, churn_risk, last_purchase, graded_on,
                create_uid, create_date, write_uid, write_date)
            SELECT t.partner_id, %(company)s, t.recency, t.freq, t.monetary, t.orders, t.spend,
                   t.avg, t.med, t.r, t.f, t.m, t.total, t.code, t.segment, t.risk,
                   t.last, %(today)s,
                   %(uid)s, %(now)s, %(uid)s, %(now)s
              FROM unnest(%(p)s::int[], %(rec)s::int[], %(fr)s::int[], %(mon)s::float8[],
                          %(oc)s::int[], %(sp)s::float8[], %(av)s::float8[],
                          %(md)s::float8[], %(r)s::int[], %(f)s::int[], %(m)s::int[],
                          %(tot)s::int[], %(cd)s::varchar[], %(sg)s::int[], %(rk)s::bool[],
                          %(ls)s::timestamp[])
                   AS t(partner_id, recency, freq, monetary, orders, spend, avg, med,
                        r, f, m, total, code, segment, risk, last)
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                recency_days = EXCLUDED.recency_days, frequency = EXCLUDED.frequency,
                monetary = EXCLUDED.monetary, order_count = EXCLUDED.order_count,
                lifetime_spend = EXCLUDED.lifetime_spend, avg_basket = EXCLUDED.avg_basket,
                median_interval = EXCLUDED.median_interval, r_score = EXCLUDED.r_score,
                f_score = EXCLUDED.f_score, m_score = EXCLUDED.m_score,
                rfm_total = EXCLUDED.rfm_total, rfm_code = EXCLUDED.rfm_code,
                segment_id = EXCLUDED.segment_id, churn_risk = EXCLUDED.churn_risk,
                last_purchase = EXCLUDED.last_purchase, graded_on = EXCLUDED.graded_on,
                write_uid = EXCLUDED.write_uid, write_date = EXCLUDED.write_date
            """,
                company=company.id,
                now=fields.Datetime.now(),
                today=run.grading_date,
                uid=self.env.uid,
                p=list(columns[0]),
                rec=list(columns[1]),
                fr=list(columns[2]),
                mon=list(columns[3]),
                oc=list(columns[4]),
                sp=list(columns[5]),
                av=list(columns[6]),
                md=list(columns[7]),
                r=list(columns[8]),
                f=list(columns[9]),
                m=list(columns[10]),
                tot=list(columns[11]),
                cd=list(columns[12]),
                sg=list(columns[13]),
                rk=list(columns[14]),
                ls=list(columns[15]),
            )
        )
        self.env["retail.customer.grade"].invalidate_model()

    @api.model
    def _cron_retail_regrade(self, batch_size=10000, time_budget=240):
        for company in self.env["res.company"].search([]):
            run = self._regrade(
                company, batch_size=batch_size, time_budget=time_budget, commit=True
            )
            if run.state == "running":
                return  # the cron is called again at once for the rest
