from odoo import api, fields, models


class RetailDashboard(models.TransientModel):
    """Campaign results on the dashboard: the mailings sent in the period,
    from the campaign results report (Odoo's mailing traces, and the orders
    of the customers reached)."""

    _inherit = "retail.dashboard"

    campaign_count = fields.Integer("Campaigns Sent", compute="_compute_campaigns")
    campaign_reached = fields.Integer("Customers Reached", compute="_compute_campaigns")
    campaign_opened = fields.Integer("Opened", compute="_compute_campaigns")
    campaign_clicked = fields.Integer("Clicked", compute="_compute_campaigns")
    campaign_buyers = fields.Integer(
        "Buyers After a Campaign",
        compute="_compute_campaigns",
        help="Customers reached who bought within the campaign's results window.",
    )
    campaign_revenue = fields.Monetary(
        "Revenue After Campaigns",
        compute="_compute_campaigns",
        help="Net purchases of the customers reached, within each campaign's results window.",
    )

    @api.depends("date_from", "date_to", "company_id")
    @api.depends_context("tz", "uid")
    def _compute_campaigns(self):
        names = ("count", "reached", "opened", "clicked", "buyers", "revenue")
        for dashboard in self:
            figures = dict.fromkeys(names, 0)
            if (
                dashboard.company_id
                and dashboard.date_from
                and dashboard.date_from <= (dashboard.date_to or dashboard.date_from)
            ):
                figures = dashboard._retail_campaign_figures()
            for name in names:
                dashboard[f"campaign_{name}"] = figures[name]

    def _retail_campaign_figures(self):
        """One grouped query over the campaigns sent in the period."""
        Report = self.env["retail.kpi.report"]
        Report._retail_check_company(self.company_id)
        start, end, _previous = Report._retail_period(self.date_from, self.date_to)
        [(count, reached, opened, clicked, buyers, revenue)] = (
            self.env["retail.campaign.result"]
            .with_company(self.company_id)
            ._read_group(
                [("sent_date", ">=", start), ("sent_date", "<", end)],
                [],
                [
                    "__count",
                    "reached_count:sum",
                    "opened_count:sum",
                    "clicked_count:sum",
                    "buyer_count:sum",
                    "revenue:sum",
                ],
            )
        )
        return {
            "count": count,
            "reached": reached or 0,
            "opened": opened or 0,
            "clicked": clicked or 0,
            "buyers": buyers or 0,
            "revenue": revenue or 0.0,
        }

    def action_view_campaign_results(self):
        self.ensure_one()
        start, end, _previous = self.env["retail.kpi.report"]._retail_period(
            self.date_from, self.date_to
        )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_campaign_result_action"
        )
        action["domain"] = [
            ("sent_date", ">=", fields.Datetime.to_string(start)),
            ("sent_date", "<", fields.Datetime.to_string(end)),
        ]
        action["context"] = {"allowed_company_ids": [self.company_id.id]}
        return action
