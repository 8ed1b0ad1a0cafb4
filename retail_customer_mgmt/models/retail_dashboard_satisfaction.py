from odoo import api, fields, models

from ..services.satisfaction import monthly_trend


class RetailDashboard(models.TransientModel):
    """Satisfaction surveys on the dashboard: the Net Promoter Score and the
    satisfaction per side (overall, service, product) of the answers given
    in the period, and their trend per month."""

    _inherit = "retail.dashboard"

    survey_response_count = fields.Integer("Survey Answers", compute="_compute_satisfaction")
    nps = fields.Float(
        "Net Promoter Score",
        compute="_compute_satisfaction",
        help="Promoters (9-10) minus detractors (0-6), in % of the customers who answered "
        "“How likely are you to recommend us?”, from -100 to 100.",
    )
    promoter_count = fields.Integer("Promoters", compute="_compute_satisfaction")
    detractor_count = fields.Integer("Detractors", compute="_compute_satisfaction")
    satisfaction_overall = fields.Float("Overall Satisfaction", compute="_compute_satisfaction")
    satisfaction_service = fields.Float("Service Satisfaction", compute="_compute_satisfaction")
    satisfaction_product = fields.Float("Product Satisfaction", compute="_compute_satisfaction")
    satisfaction_trend = fields.Html("Satisfaction by Month", compute="_compute_satisfaction")

    @api.depends("date_from", "date_to", "company_id")
    @api.depends_context("tz", "uid")
    def _compute_satisfaction(self):
        for dashboard in self:
            rows = []
            if (
                dashboard.company_id
                and dashboard.date_from
                and dashboard.date_from <= (dashboard.date_to or dashboard.date_from)
            ):
                rows = dashboard._retail_satisfaction_rows()
            answers = {row[1] for row in rows}
            recommend = [row for row in rows if row[2] == "recommend"]
            dashboard.survey_response_count = len(answers)
            dashboard.promoter_count = sum(1 for row in recommend if row[4] > 0)
            dashboard.detractor_count = sum(1 for row in recommend if row[4] < 0)
            [total] = monthly_trend([(None, *row[1:]) for row in rows]) or [{}]
            dashboard.nps = total.get("nps") or 0.0
            for measure in ("overall", "service", "product"):
                dashboard[f"satisfaction_{measure}"] = (total.get(measure) or 0.0) / 100
            dashboard.satisfaction_trend = dashboard._retail_satisfaction_trend_html(
                monthly_trend(rows)
            )

    def _retail_satisfaction_rows(self):
        """``(month, response, measure, percent, nps points)`` of the answers
        of the period: one grouped read of the satisfaction report."""
        Report = self.env["retail.kpi.report"]
        Report._retail_check_company(self.company_id)
        start, end, _previous = Report._retail_period(self.date_from, self.date_to)
        groups = (
            self.env["retail.satisfaction.report"]
            .with_company(self.company_id)
            ._read_group(
                [
                    ("company_id", "=", self.company_id.id),
                    ("date", ">=", start),
                    ("date", "<", end),
                ],
                ["date:month", "user_input_id", "measure"],
                ["score_percent:avg", "nps:avg"],
            )
        )
        return [
            (fields.Date.to_date(month), answer.id, measure, percent, nps)
            for month, answer, measure, percent, nps in groups
        ]

    def _retail_satisfaction_trend_html(self, trend):
        def cell(value, suffix="%"):
            return "" if value is None else f"{value:.0f}{suffix}"

        rows = [
            {
                "month": month["month"].strftime("%Y-%m"),
                "responses": str(month["responses"]),
                "nps": cell(month["nps"], ""),
                "overall": cell(month["overall"]),
                "service": cell(month["service"]),
                "product": cell(month["product"]),
            }
            for month in trend
        ]
        return self.env["ir.qweb"]._render(
            "retail_customer_mgmt.retail_dashboard_satisfaction",
            {"rows": rows},
            minimal_qcontext=True,
        )

    def action_view_satisfaction(self):
        self.ensure_one()
        start, end, _previous = self.env["retail.kpi.report"]._retail_period(
            self.date_from, self.date_to
        )
        return self._retail_open(
            "retail_satisfaction_report_action",
            [
                ("company_id", "=", self.company_id.id),
                ("date", ">=", fields.Datetime.to_string(start)),
                ("date", "<", fields.Datetime.to_string(end)),
            ],
        )
