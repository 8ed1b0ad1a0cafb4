from odoo import api, fields, models
from odoo.tools import SQL


class RetailCohortReport(models.Model):
    """Customers by first-purchase month (cohort) and months since, for the
    Dashboards app's cohort table and monthly trends.

    One row per company, cohort month and month since the cohort (0 = the
    first month), from the company's first cohort to the current month, read
    from the purchases of ``retail.purchase`` in the user's time zone. A month
    in which nobody bought for the first time still has its rows, with an
    empty retention (no customers to retain: blank, not 0 %); a cohort whose
    customers did not come back in a month has a retention of 0.
    """

    _name = "retail.cohort.report"
    _description = "Retail Customer Cohorts"
    _auto = False
    _order = "company_id, cohort_month desc, months_since"
    _depends = {
        "sale.order": ["state", "date_order", "partner_id", "company_id", "amount_total"],
        "pos.order": ["state", "date_order", "partner_id", "company_id", "amount_total"],
        "account.move": ["state", "date", "move_type", "amount_total_signed"],
        "res.partner": ["commercial_partner_id"],
    }

    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    cohort_month = fields.Date("First-Purchase Month", readonly=True)
    activity_month = fields.Date("Month", readonly=True)
    months_since = fields.Integer("Months Since First Purchase", readonly=True, aggregator=None)
    returning = fields.Boolean("Returning Customers", readonly=True)
    customer_count = fields.Integer("Buying Customers", readonly=True)
    cohort_size = fields.Integer("New Customers in the Cohort", readonly=True, aggregator="max")
    retention = fields.Float(
        "Retention (%)",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Share of the cohort's customers buying in the month; empty for a month in "
        "which nobody bought for the first time.",
    )
    amount = fields.Monetary(
        "Net Sales",
        currency_field="currency_id",
        readonly=True,
        help="What the cohort's customers spent in the month, refunds deducted.",
    )

    @api.model
    def _retail_tz(self):
        return self.env.context.get("tz") or self.env.user.tz or "UTC"

    @property
    def _table_query(self):
        Purchase = self.env["retail.purchase"]
        tz = self._retail_tz()
        orders = SQL(" UNION ALL ").join(
            SQL("SELECT %s AS company_id, o.* FROM (%s) o", company.id, Purchase._rows_sql(company))
            for company in self.env.companies
        )
        return SQL(
            """
            WITH docs AS (
                SELECT company_id, partner_id, is_order, amount,
                       date_trunc('month', d AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date AS m
                  FROM (%(orders)s) o
            ), cohorts AS (
                SELECT company_id, partner_id, MIN(m) AS cohort
                  FROM docs WHERE is_order = 1
              GROUP BY company_id, partner_id
            ), activity AS (
                SELECT d.company_id, c.cohort, d.m,
                       COUNT(DISTINCT d.partner_id) FILTER (WHERE d.is_order = 1) AS buyers,
                       SUM(d.amount) AS amount
                  FROM docs d
                  JOIN cohorts c ON c.company_id = d.company_id AND c.partner_id = d.partner_id
              GROUP BY d.company_id, c.cohort, d.m
            ), months AS (
                SELECT company_id, generate_series(
                           MIN(cohort), %(this_month)s::date,
                           interval '1 month')::date AS cohort
                  FROM cohorts
              GROUP BY company_id
            ), grid AS (
                SELECT mo.company_id, mo.cohort, k.k,
                       (mo.cohort + make_interval(months => k.k))::date AS m
                  FROM months mo
            CROSS JOIN LATERAL generate_series(
                           0,
                           (EXTRACT(YEAR FROM AGE(%(this_month)s::date, mo.cohort)) * 12
                            + EXTRACT(MONTH FROM AGE(%(this_month)s::date, mo.cohort)))::int
                       ) AS k(k)
            )
            SELECT ROW_NUMBER() OVER (ORDER BY g.company_id, g.cohort, g.k) AS id,
                   g.company_id, rc.currency_id, g.cohort AS cohort_month,
                   g.m AS activity_month, g.k AS months_since, g.k > 0 AS returning,
                   COALESCE(a.buyers, 0) AS customer_count,
                   COALESCE(s.buyers, 0) AS cohort_size,
                   CASE WHEN s.buyers > 0
                        THEN ROUND(100.0 * COALESCE(a.buyers, 0) / s.buyers, 1)
                   END AS retention,
                   COALESCE(a.amount, 0) AS amount
              FROM grid g
              JOIN res_company rc ON rc.id = g.company_id
         LEFT JOIN activity s
                ON s.company_id = g.company_id AND s.cohort = g.cohort AND s.m = g.cohort
         LEFT JOIN activity a
                ON a.company_id = g.company_id AND a.cohort = g.cohort AND a.m = g.m
            """,
            tz=tz,
            orders=orders,
            this_month=fields.Date.context_today(self.with_context(tz=tz)).replace(day=1),
        )
