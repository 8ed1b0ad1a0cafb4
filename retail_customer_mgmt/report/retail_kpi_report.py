from datetime import datetime, time, timedelta

import pytz

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..models.retail_order_exception import OPEN_STATES
from ..services.kpis import PurchaseCounts, average, cohort_matrix, points_kpis, purchase_kpis


class RetailKpiReport(models.AbstractModel):
    """The Retail figures of a company over a period, read in SQL.

    The dashboard (``retail.dashboard``) and the XLSX exports show them; the
    arithmetic lives in ``services/kpis.py``. Each figure group has its query
    (``_query_*``, to extend as ``sale.report``'s ``_select_*`` / ``_from_*``)
    and its reader; four queries in all, whatever the number of customers,
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
    def _retail_period(self, date_from, date_to):
        """UTC bounds of the local days [date_from, date_to] and of the
        previous period of the same length: ``(start, end, previous start)``."""
        tz = pytz.timezone(self._retail_tz())

        def utc(day):
            local = tz.localize(datetime.combine(day, time.min))
            return local.astimezone(pytz.utc).replace(tzinfo=None)

        days = (date_to - date_from).days + 1
        return utc(date_from), utc(date_to + timedelta(days=1)), utc(date_from - timedelta(days))

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
        [date_from, date_to], in four queries."""
        self._retail_check_company(company)
        start, end, previous = self._retail_period(date_from, date_to)
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        for model in ("loyalty.history", "loyalty.card", "retail.feedback"):
            self.env[model].flush_model()
        orders = Purchase._rows_sql(company)
        counts = self._read_purchase_counts(orders, start, end, previous)
        kpis = purchase_kpis(counts, (date_to - date_from).days + 1)
        cohorts = self._read_cohorts(orders, date_from, date_to, end)
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
    def _query_purchase_counts(self, orders, start, end, previous):
        return SQL(
            """
            WITH per_customer AS (
                SELECT partner_id,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(start)s
                                          AND d < %(end)s) AS orders,
                       COALESCE(SUM(amount) FILTER (WHERE d >= %(start)s
                                                      AND d < %(end)s), 0) AS spend,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(previous)s
                                          AND d < %(start)s) AS previous_orders,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d < %(end)s) AS lifetime_orders,
                       COALESCE(SUM(amount) FILTER (WHERE d < %(end)s), 0) AS lifetime_spend,
                       MIN(d) FILTER (WHERE is_order = 1) AS first_purchase
                  FROM (%(orders)s) o
              GROUP BY partner_id
            )
            SELECT COUNT(*) FILTER (WHERE orders >= 1),
                   COUNT(*) FILTER (WHERE orders >= 2),
                   COUNT(*) FILTER (WHERE orders >= 1 AND first_purchase >= %(start)s),
                   COALESCE(SUM(orders), 0)::int,
                   COALESCE(SUM(spend), 0),
                   COUNT(*) FILTER (WHERE previous_orders >= 1),
                   COUNT(*) FILTER (WHERE previous_orders >= 1 AND orders >= 1),
                   COUNT(*) FILTER (WHERE lifetime_orders >= 1),
                   COALESCE(SUM(lifetime_spend) FILTER (WHERE lifetime_orders >= 1), 0)
              FROM per_customer
            """,
            orders=orders,
            start=start,
            end=end,
            previous=previous,
        )

    @api.model
    def _read_purchase_counts(self, orders, start, end, previous):
        self.env.cr.execute(self._query_purchase_counts(orders, start, end, previous))
        row = self.env.cr.fetchone()
        return PurchaseCounts(*row[:4], float(row[4]), *row[5:8], float(row[8]))

    @api.model
    def _query_cohorts(self, orders, first_month, end):
        """Customers per first-purchase month and month of purchase (local time).

        The first month comes from a window over the purchases sorted by
        customer: a hash aggregate on (customer, month) is misestimated by
        PostgreSQL and spills to disk in thousands of batches on large data.
        """
        return SQL(
            """
            SELECT cohort, m, COUNT(DISTINCT partner_id)
              FROM (SELECT partner_id, m, MIN(m) OVER (PARTITION BY partner_id) AS cohort
                      FROM (SELECT partner_id,
                                   date_trunc('month', d AT TIME ZONE 'UTC'
                                                         AT TIME ZONE %(tz)s)::date AS m
                              FROM (%(orders)s) o
                             WHERE is_order = 1 AND d < %(end)s) months
                   ) purchases
             WHERE cohort >= %(first)s
          GROUP BY cohort, m
            """,
            orders=orders,
            tz=self._retail_tz(),
            end=end,
            first=first_month,
        )

    @api.model
    def _read_cohorts(self, orders, date_from, date_to, end):
        first_month, last_month = date_from.replace(day=1), date_to.replace(day=1)
        self.env.cr.execute(self._query_cohorts(orders, first_month, end))
        return cohort_matrix(self.env.cr.fetchall(), first_month, last_month)

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
