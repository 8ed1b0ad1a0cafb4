from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..models.retail_order_exception import OPEN_STATES
from ..services.kpis import (
    COHORT_MONTHS,
    PurchaseCounts,
    add_months,
    average,
    cohort_matrix,
    month_span,
    points_kpis,
    purchase_kpis,
)


class RetailKpiReport(models.AbstractModel):
    """The Retail figures of a company over a period, read in SQL.

    The dashboard (``retail.dashboard``) and the XLSX exports show them; the
    arithmetic lives in ``services/kpis.py``. Each figure group has its query
    (``_query_*``, to extend as ``sale.report``'s ``_select_*`` / ``_from_*``)
    and its reader; three queries in all, whatever the number of customers,
    orders or ledger lines.
    """

    _name = "retail.kpi.report"
    _description = "Retail KPI Report"

    # ------------------------------------------------------------------
    # Period and access
    # ------------------------------------------------------------------
    @api.model
    def _retail_tz(self):
        return self.env.context.get("tz") or self.env.user.tz or "UTC"

    @api.model
    def _retail_today(self):
        return fields.Date.context_today(self.with_context(tz=self._retail_tz()))

    @api.model
    def _retail_utc_starts(self, days):
        """The UTC instant (naive) each local day of ``days`` starts at."""
        tz = pytz.timezone(self._retail_tz())
        return [
            tz.localize(datetime.combine(day, time.min)).astimezone(pytz.utc).replace(tzinfo=None)
            for day in days
        ]

    @api.model
    def _retail_period(self, date_from, date_to):
        """UTC bounds of the local days [date_from, date_to] and of the
        previous period of the same length: ``(start, end, previous start)``."""
        days = (date_to - date_from).days + 1
        start, end, previous = self._retail_utc_starts(
            [date_from, date_to + timedelta(days=1), date_from - timedelta(days)]
        )
        return start, end, previous

    @api.model
    def _retail_month_starts(self, date_from, date_to):
        """The first days of the cohort table's months (the period's, at most
        the last ``COHORT_MONTHS``: each customer's months of purchase are
        the bits of a bigint) and the UTC instant each starts at."""
        last = date_to.replace(day=1)
        first = max(date_from.replace(day=1), add_months(last, 1 - COHORT_MONTHS))
        months = [add_months(first, k) for k in range(max(month_span(first, last), 0))]
        return months, self._retail_utc_starts(months)

    @api.model
    def _retail_check_company(self, company):
        """The figures are read in SQL: check the rights the ORM would check."""
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_user"):
            raise AccessError(self.env._("Only retail users can see the retail figures."))
        if company not in self.env.companies:
            raise AccessError(
                self.env._(
                    "You cannot see the figures of %s: switch to this company first.",
                    company.name,
                )
            )

    # ------------------------------------------------------------------
    # Entry point
    # ------------------------------------------------------------------
    @api.model
    def _get_kpis(self, company, date_from, date_to):
        """All the dashboard figures of ``company`` for the local days
        [date_from, date_to], in three queries."""
        self._retail_check_company(company)
        start, end, previous = self._retail_period(date_from, date_to)
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        for model in ("loyalty.history", "loyalty.card", "retail.feedback"):
            self.env[model].flush_model()
        orders = Purchase._rows_sql(company)
        months = self._retail_month_starts(date_from, date_to)
        counts, cohort_rows = self._read_purchase_counts(orders, start, end, previous, months)
        kpis = purchase_kpis(counts, (date_to - date_from).days + 1)
        firsts = months[0]
        cohorts = cohort_matrix(cohort_rows, firsts[0], firsts[-1]) if firsts else []
        points = self._read_points(company, start, end)
        return {
            "buyer_count": counts.buyers,
            "new_buyer_count": counts.new_buyers,
            "repeat_buyer_count": counts.repeat_buyers,
            "order_count": counts.orders,
            "net_spend": counts.net_spend,
            "repeat_rate": kpis.repeat_rate,
            "average_order_value": kpis.average_order_value,
            "purchase_frequency": kpis.purchase_frequency,
            "retention_rate": kpis.retention_rate,
            "lifetime_customer_count": counts.lifetime_customers,
            "clv_historic": kpis.clv_historic,
            "expected_lifespan": kpis.expected_lifespan_years,
            "clv_predicted": kpis.clv_predicted,
            "cohorts": cohorts,
            "points_issued": points.issued,
            "points_redeemed": points.redeemed,
            "points_expired": points.expired,
            "points_taken_back": points.taken_back,
            "points_adjusted_out": points.adjusted_out,
            **self._read_service(company, start, end),
        }

    # ------------------------------------------------------------------
    # Customers and purchases
    # ------------------------------------------------------------------
    @api.model
    def _query_purchase_counts(self, orders, start, end, previous, month_starts):
        """The purchase counts and the first-purchase cohorts in one pass over
        the purchases (one aggregate per customer, hashed, no sort of the
        purchases): each customer's first purchase, and the months of the
        cohort table they bought in as the bits of a bigint (the month of a
        purchase found by ``width_bucket`` among the UTC starts of the local
        months, ``month_starts``). The cohorts are counted from the customers
        whose first purchase is in those months; they come back as one array
        of ``[cohort month, month, customers]`` (month numbers from 1)."""
        return SQL(
            """
            WITH per_customer AS MATERIALIZED (
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(start)s
                                          AND d < %(end)s) AS orders,
                       COALESCE(SUM(amount) FILTER (WHERE d >= %(start)s
                                                      AND d < %(end)s), 0) AS spend,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(previous)s
                                          AND d < %(start)s) AS previous_orders,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d < %(end)s) AS lifetime_orders,
                       COALESCE(SUM(amount) FILTER (WHERE d < %(end)s), 0) AS lifetime_spend,
                       MIN(d) FILTER (WHERE is_order = 1) AS first_purchase,
                       MIN(d) FILTER (WHERE is_order = 1 AND d < %(end)s) AS first_before_end,
                       bit_or(1::bigint << (width_bucket(d, %(months)s::timestamp[]) - 1))
                           FILTER (WHERE is_order = 1 AND d >= %(cohort_start)s
                                     AND d < %(end)s) AS months
                  FROM (%(orders)s) o
              GROUP BY partner_id
            ),
            cohorts AS (
                SELECT width_bucket(c.first_before_end, %(months)s::timestamp[]) AS cohort,
                       b.month, COUNT(*) AS customers
                  FROM per_customer c, generate_series(1, %(count)s) b(month)
                 WHERE c.first_before_end >= %(cohort_start)s
                   AND c.months & (1::bigint << (b.month - 1)) <> 0
              GROUP BY 1, 2
            )
            SELECT COUNT(*) FILTER (WHERE orders >= 1),
                   COUNT(*) FILTER (WHERE orders >= 2),
                   COUNT(*) FILTER (WHERE orders >= 1 AND first_purchase >= %(start)s),
                   COALESCE(SUM(orders), 0)::int,
                   COALESCE(SUM(spend), 0),
                   COUNT(*) FILTER (WHERE previous_orders >= 1),
                   COUNT(*) FILTER (WHERE previous_orders >= 1 AND orders >= 1),
                   COUNT(*) FILTER (WHERE lifetime_orders >= 1),
                   COALESCE(SUM(lifetime_spend) FILTER (WHERE lifetime_orders >= 1), 0),
                   (SELECT COALESCE(array_agg(ARRAY[cohort, month, customers]::bigint[]), '{}')
                      FROM cohorts)
              FROM per_customer
            """,
            orders=orders,
            start=start,
            end=end,
            previous=previous,
            # no month (an empty period): no cohort
            months=month_starts or [end],
            cohort_start=month_starts[0] if month_starts else end,
            count=len(month_starts),
        )

    @api.model
    def _read_purchase_counts(self, orders, start, end, previous, months):
        """The period's ``PurchaseCounts`` and the cohort rows of
        ``cohort_matrix``; ``months``: the first days of the cohort months
        and their UTC starts (``_retail_month_starts``)."""
        firsts, starts = months
        self.env.cr.execute(self._query_purchase_counts(orders, start, end, previous, starts))
        row = self.env.cr.fetchone()
        counts = PurchaseCounts(*row[:4], float(row[4]), *row[5:8], float(row[8]))
        cohorts = [
            (firsts[cohort - 1], firsts[month - 1], customers)
            for cohort, month, customers in row[9]
        ]
        return counts, cohorts

    # ------------------------------------------------------------------
    # Loyalty points
    # ------------------------------------------------------------------
    @api.model
    def _query_points(self, company, start, end):
        return SQL(
            """
            SELECT h.retail_kind, SUM(h.issued), SUM(h.used)
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
             WHERE c.program_id = %(program)s
               AND COALESCE(h.retail_date, h.create_date) >= %(start)s
               AND COALESCE(h.retail_date, h.create_date) < %(end)s
          GROUP BY h.retail_kind
            """,
            program=company.retail_loyalty_program_id.id or None,
            start=start,
            end=end,
        )

    @api.model
    def _read_points(self, company, start, end):
        self.env.cr.execute(self._query_points(company, start, end))
        return points_kpis(self.env.cr.fetchall())

    # ------------------------------------------------------------------
    # Service
    # ------------------------------------------------------------------
    @api.model
    def _query_service(self, company, start, end):
        opened = SQL("f.opened_at >= %s AND f.opened_at < %s", start, end)
        closed = SQL("f.closed_date >= %s AND f.closed_date < %s", start, end)
        return SQL(
            """
            SELECT COUNT(f.id) FILTER (WHERE %(opened)s),
                   COUNT(f.id) FILTER (WHERE %(opened)s AND f.feedback_type = 'complaint'),
                   COUNT(f.id) FILTER (WHERE %(closed)s),
                   COUNT(f.id) FILTER (WHERE NOT COALESCE(f.is_closed, FALSE)),
                   SUM(f.rating_last_value) FILTER (WHERE %(closed)s
                                                      AND f.rating_last_value > 0),
                   COUNT(f.id) FILTER (WHERE %(closed)s AND f.rating_last_value > 0),
                   (SELECT COUNT(*) FROM retail_order_exception
                     WHERE company_id = %(company)s AND state IN %(open_states)s),
                   (SELECT COUNT(*) FROM retail_stock_alert
                     WHERE company_id = %(company)s AND state = 'open'),
                   (SELECT MAX(grading_date) FROM retail_grade_run
                     WHERE company_id = %(company)s AND state = 'done')
              FROM (SELECT 1) one
         LEFT JOIN retail_feedback f ON f.company_id = %(company)s
            """,
            company=company.id,
            opened=opened,
            closed=closed,
            open_states=OPEN_STATES,
        )

    @api.model
    def _read_service(self, company, start, end):
        self.env.cr.execute(self._query_service(company, start, end))
        opened, complaints, closed, still_open, rating_sum, rated, exceptions, alerts, graded = (
            self.env.cr.fetchone()
        )
        return {
            "ticket_opened_count": opened,
            "complaint_count": complaints,
            "ticket_closed_count": closed,
            "open_ticket_count": still_open,
            "satisfaction": average(rating_sum, rated),
            "rated_ticket_count": rated,
            "open_exception_count": exceptions,
            "open_stock_alert_count": alerts,
            "graded_on": graded,
        }
