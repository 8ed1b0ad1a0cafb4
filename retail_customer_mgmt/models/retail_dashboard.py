from datetime import datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup, escape
from werkzeug.urls import url_encode

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..report.retail_xlsx_export import RetailXlsxExport
from ..services.kpis import (
    PurchaseCounts,
    average,
    cohort_matrix,
    points_kpis,
    purchase_kpis,
)
from .retail_order_exception import OPEN_STATES

EXPORT_KINDS = ("customers", "points", "exceptions", "tickets")


class RetailDashboard(models.TransientModel):
    """The Retail app's landing screen: KPIs of a company over a period.

    Every figure is computed when the dashboard is shown, set-based: four
    queries whatever the number of customers, orders or ledger lines.
    """

    _name = "retail.dashboard"
    _description = "Retail Dashboard"
    _check_company_auto = True

    def _default_date_from(self):
        today = fields.Date.context_today(self)
        return today.replace(day=1) - relativedelta(months=11)

    date_from = fields.Date("From", required=True, default=_default_date_from)
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")

    # customers and purchases
    buyer_count = fields.Integer("Buying Customers", compute="_compute_kpis")
    new_buyer_count = fields.Integer("New Customers", compute="_compute_kpis")
    repeat_buyer_count = fields.Integer("Repeat Customers", compute="_compute_kpis")
    order_count = fields.Integer("Orders", compute="_compute_kpis")
    net_spend = fields.Monetary(compute="_compute_kpis")
    repeat_rate = fields.Float(
        "Repeat-Purchase Rate",
        compute="_compute_kpis",
        help="Customers with two purchases or more in the period / customers who bought.",
    )
    average_order_value = fields.Monetary(
        compute="_compute_kpis",
        help="Net spend of the period (refunds deducted) / purchases of the period.",
    )
    purchase_frequency = fields.Float(
        compute="_compute_kpis",
        help="Purchases of the period / customers who bought.",
    )
    retention_rate = fields.Float(
        compute="_compute_kpis",
        help="Customers who bought in the previous period of the same length and again in "
        "this one / customers who bought in the previous period.",
    )
    lifetime_customer_count = fields.Integer("Customers to Date", compute="_compute_kpis")
    clv_historic = fields.Monetary(
        "Historic Lifetime Value",
        compute="_compute_kpis",
        help="Net spend since the first purchase, up to the end of the period, per customer "
        "who bought at least once.",
    )
    expected_lifespan = fields.Float(
        "Expected Lifespan (years)",
        compute="_compute_kpis",
        help="Period length / churn rate (1 - retention), at most 10 years; 0 without "
        "buyers in the previous period.",
    )
    clv_predicted = fields.Monetary(
        "Predicted Lifetime Value",
        compute="_compute_kpis",
        help="Average order value x purchases per customer per year x expected lifespan in years.",
    )
    cohort_table = fields.Html("Retention by First-Purchase Month", compute="_compute_kpis")

    # loyalty points
    points_issued = fields.Float(
        compute="_compute_kpis",
        help="Points earned, given as compensation or added by managers in the period.",
    )
    points_redeemed = fields.Float(
        compute="_compute_kpis", help="Points spent on loyalty rewards in the period."
    )
    points_expired = fields.Float(compute="_compute_kpis")
    points_taken_back = fields.Float(
        compute="_compute_kpis", help="Points taken back by refunds and cancelled orders."
    )
    points_adjusted_out = fields.Float("Points Removed by Managers", compute="_compute_kpis")

    # service
    ticket_opened_count = fields.Integer("Tickets Opened", compute="_compute_kpis")
    complaint_count = fields.Integer("Complaints", compute="_compute_kpis")
    ticket_closed_count = fields.Integer("Tickets Closed", compute="_compute_kpis")
    open_ticket_count = fields.Integer("Open Tickets", compute="_compute_kpis")
    satisfaction = fields.Float(
        "Average Satisfaction",
        compute="_compute_kpis",
        help="Average rating (1-5) of the tickets closed in the period that were rated.",
    )
    rated_ticket_count = fields.Integer("Rated Tickets", compute="_compute_kpis")
    open_exception_count = fields.Integer("Open Exception Orders", compute="_compute_kpis")
    open_stock_alert_count = fields.Integer("Open Low-Stock Alerts", compute="_compute_kpis")
    graded_on = fields.Date(
        "Grades of",
        compute="_compute_kpis",
        help="Day of the last regrade, whose grades the customer analysis shows.",
    )

    @api.depends("date_from", "date_to")
    def _compute_display_name(self):
        for dashboard in self:
            dashboard.display_name = f"{dashboard.date_from or ''} → {dashboard.date_to or ''}"

    @api.constrains("date_from", "date_to")
    def _check_period(self):
        for dashboard in self:
            if dashboard.date_from > dashboard.date_to:
                raise ValidationError(
                    self.env._(
                        "The period starts on %(start)s, after its end (%(end)s): "
                        "choose a start date before the end date.",
                        start=dashboard.date_from,
                        end=dashboard.date_to,
                    )
                )

    @api.onchange("date_from", "date_to")
    def _onchange_period(self):
        if self.date_from and self.date_to and self.date_from > self.date_to:
            return {
                "warning": {
                    "title": self.env._("Invalid period"),
                    "message": self.env._("The start date must be before the end date."),
                }
            }
        return None

    # ------------------------------------------------------------------
    # Period
    # ------------------------------------------------------------------
    def _retail_tz(self):
        return self.env.context.get("tz") or self.env.user.tz or "UTC"

    def _retail_today(self):
        return fields.Date.context_today(self.with_context(tz=self._retail_tz()))

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
    # KPIs
    # ------------------------------------------------------------------
    @api.model
    def _retail_kpis(self, company, date_from, date_to):
        """All the dashboard figures of ``company`` for the local days
        [date_from, date_to], in four queries."""
        self._retail_check_company(company)
        start, end, previous = self._retail_period(date_from, date_to)
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        for model in ("loyalty.history", "loyalty.card", "retail.feedback"):
            self.env[model].flush_model()
        orders = Purchase._rows_sql(company)
        counts = self._retail_purchase_counts(orders, start, end, previous)
        kpis = purchase_kpis(counts, (date_to - date_from).days + 1)
        cohorts = self._retail_cohorts(orders, date_from, date_to, end)
        points = self._retail_points(company, start, end)
        service = self._retail_service(company, start, end)
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
            **service,
        }

    def _retail_purchase_counts(self, orders, start, end, previous):
        self.env.cr.execute(
            SQL(
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
        )
        row = self.env.cr.fetchone()
        return PurchaseCounts(*row[:4], float(row[4]), *row[5:8], float(row[8]))

    def _retail_cohorts(self, orders, date_from, date_to, end):
        """Customers per first-purchase month and month of purchase (local time).

        The first month comes from a window over the purchases sorted by
        customer: a hash aggregate on (customer, month) is misestimated by
        PostgreSQL and spills to disk in thousands of batches on large data.
        """
        first_month, last_month = date_from.replace(day=1), date_to.replace(day=1)
        self.env.cr.execute(
            SQL(
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
        )
        return cohort_matrix(self.env.cr.fetchall(), first_month, last_month)

    def _retail_points(self, company, start, end):
        self.env.cr.execute(
            SQL(
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
        )
        return points_kpis(self.env.cr.fetchall())

    def _retail_service(self, company, start, end):
        opened = SQL("f.opened_at >= %s AND f.opened_at < %s", start, end)
        closed = SQL("f.closed_date >= %s AND f.closed_date < %s", start, end)
        self.env.cr.execute(
            SQL(
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
        )
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

    @api.depends("date_from", "date_to", "company_id")
    @api.depends_context("tz", "uid")
    def _compute_kpis(self):
        for dashboard in self:
            values = {}
            if (
                dashboard.company_id
                and dashboard.date_from
                and dashboard.date_to
                and dashboard.date_from <= dashboard.date_to
            ):
                values = self._retail_kpis(
                    dashboard.company_id, dashboard.date_from, dashboard.date_to
                )
            dashboard.cohort_table = self._retail_cohort_html(values.pop("cohorts", []))
            for fname in self._retail_kpi_fields():
                dashboard[fname] = values.get(fname) or (False if fname == "graded_on" else 0)

    @api.model
    def _retail_kpi_fields(self):
        return [
            name
            for name, field in self._fields.items()
            if field.compute == "_compute_kpis" and name != "cohort_table"
        ]

    def _retail_cohort_html(self, cohorts):
        if not cohorts:
            return Markup('<p class="text-muted">%s</p>') % self.env._(
                "No first purchase in this period."
            )
        width = max(len(row.retained) for row in cohorts)
        head = Markup("").join(
            Markup('<th class="text-end">+%s</th>') % k for k in range(1, width + 1)
        )
        body = Markup()
        for row in cohorts:
            cells = Markup()
            for count, rate in zip(row.retained, row.rates(), strict=True):
                cells += Markup('<td class="text-end %s" title="%s">%s</td>') % (
                    _cohort_shade(rate),
                    self.env._("%s customers", count),
                    f"{rate:.0%}",
                )
            cells += Markup("<td></td>") * (width - len(row.retained))
            body += Markup('<tr><td>%s</td><td class="text-end">%s</td>%s</tr>') % (
                row.month.strftime("%Y-%m"),
                row.size,
                cells,
            )
        return Markup(
            '<table class="table table-sm table-bordered o_retail_customer_mgmt_cohorts">'
            '<thead><tr><th>%s</th><th class="text-end">%s</th>%s</tr></thead>'
            "<tbody>%s</tbody></table>"
            '<p class="text-muted small">%s</p>'
        ) % (
            self.env._("First purchase"),
            self.env._("New customers"),
            head,
            body,
            escape(
                self.env._(
                    "Share of each month's new customers who bought again 1, 2, 3... "
                    "months after their first purchase."
                )
            ),
        )

    # ------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------
    def _retail_open(self, xmlid, domain, context=None, name=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(f"retail_customer_mgmt.{xmlid}")
        action["domain"] = domain
        action["context"] = {**(context or {}), "allowed_company_ids": [self.company_id.id]}
        if name:
            action["name"] = name
        return action

    def _retail_customers_by(self, groupby, name):
        return self._retail_open(
            "retail_customer_analysis_action",
            [("company_id", "=", self.company_id.id)],
            {"group_by": [groupby]},
            name,
        )

    def action_view_customers_by_tier(self):
        return self._retail_customers_by("tier_id", self.env._("Customers by Tier"))

    def action_view_customers_by_segment(self):
        return self._retail_customers_by("segment_id", self.env._("Customers by Segment"))

    def action_view_customers_by_channel(self):
        return self._retail_customers_by(
            "preferred_channel", self.env._("Customers by Preferred Channel")
        )

    def action_view_open_exceptions(self):
        return self._retail_open(
            "retail_order_exception_action",
            [("company_id", "=", self.company_id.id), ("state", "in", OPEN_STATES)],
        )

    def action_view_open_stock_alerts(self):
        return self._retail_open(
            "retail_stock_alert_action",
            [("company_id", "=", self.company_id.id), ("state", "=", "open")],
        )

    def action_view_tickets(self):
        start, end, _previous = self._retail_period(self.date_from, self.date_to)
        return self._retail_open(
            "retail_feedback_action",
            [
                ("company_id", "=", self.company_id.id),
                ("opened_at", ">=", start),
                ("opened_at", "<", end),
            ],
        )

    def _retail_export(self, kind):
        self.ensure_one()
        self._retail_check_company(self.company_id)
        params = {
            "company_id": self.company_id.id,
            "date_from": fields.Date.to_string(self.date_from),
            "date_to": fields.Date.to_string(self.date_to),
        }
        return {
            "type": "ir.actions.act_url",
            "url": f"/retail_customer_mgmt/export/{kind}?{url_encode(params)}",
            "target": "download",
        }

    @api.model
    def _retail_xlsx(self, kind, company, date_from, date_to, fileobj):
        """Write the ``kind`` export of ``company`` for the local days
        [date_from, date_to] as XLSX into ``fileobj``.

        The rows are read in SQL, limited to what the ORM lets the user read
        (see report/retail_xlsx_export.py). :return: the file name
        """
        if kind not in EXPORT_KINDS:
            raise UserError(self.env._("Unknown export %s.", kind))
        self._retail_check_company(company)
        if date_from > date_to:
            raise UserError(self.env._("The start date must be before the end date."))
        return RetailXlsxExport(self, kind, company, date_from, date_to).save(fileobj)

    def action_export_customers(self):
        return self._retail_export("customers")

    def action_export_points(self):
        return self._retail_export("points")

    def action_export_exceptions(self):
        return self._retail_export("exceptions")

    def action_export_tickets(self):
        return self._retail_export("tickets")


def _cohort_shade(rate):
    for threshold, opacity in ((0.5, 75), (0.25, 50), (0.1, 25)):
        if rate >= threshold:
            return f"bg-success bg-opacity-{opacity}"
    return "bg-success bg-opacity-10" if rate > 0 else ""
