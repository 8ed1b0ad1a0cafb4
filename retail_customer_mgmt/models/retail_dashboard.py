from dateutil.relativedelta import relativedelta
from werkzeug.urls import url_encode

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from .retail_order_exception import OPEN_STATES


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
    # KPIs
    # ------------------------------------------------------------------
    @api.model
    def _retail_kpis(self, company, date_from, date_to):
        """All the dashboard figures of ``company`` for the local days
        [date_from, date_to] (see report/retail_kpi_report.py)."""
        return self.env["retail.kpi.report"]._get_kpis(company, date_from, date_to)

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
        """The retention table, rendered by a QWeb template (values escaped)."""
        width = max((len(row.retained) for row in cohorts), default=0)
        rows = [
            {
                "month": row.month.strftime("%Y-%m"),
                "size": str(row.size),
                "cells": [
                    {
                        "shade": _cohort_shade(rate),
                        "title": self.env._("%s customers", count),
                        "rate": f"{rate:.0%}",
                    }
                    for count, rate in zip(row.retained, row.rates(), strict=True)
                ],
                "padding": width - len(row.retained),
            }
            for row in cohorts
        ]
        return self.env["ir.qweb"]._render(
            "retail_customer_mgmt.retail_dashboard_cohorts",
            {"rows": rows, "offsets": [f"+{k}" for k in range(1, width + 1)]},
            minimal_qcontext=True,
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
        start, end, _previous = self.env["retail.kpi.report"]._retail_period(
            self.date_from, self.date_to
        )
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
        self.env["retail.kpi.report"]._retail_check_company(self.company_id)
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
        [date_from, date_to] as XLSX into ``fileobj`` (see
        report/retail_xlsx_export.py). :return: the file name
        """
        exports = self.env["retail.xlsx.export"]._get_exports()
        if kind not in exports:
            raise UserError(self.env._("Unknown export %s.", kind))
        return self.env[exports[kind]]._export(company, date_from, date_to, fileobj).filename

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
