import logging

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)


class RetailStockAlert(models.Model):
    _name = "retail.stock.alert"
    _description = "Low-Stock Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state desc, days_of_cover asc nulls last, id"
    _rec_name = "product_id"
    _check_company_auto = True

    product_id = fields.Many2one(
        "product.product", required=True, index=True, ondelete="cascade", check_company=True
    )
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id", store=True)
    warehouse_id = fields.Many2one(
        "stock.warehouse", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one("res.company", required=True, index=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")], default="open", required=True, index=True
    )
    forecast_qty = fields.Float("Forecast", digits="Product Unit of Measure", readonly=True)
    threshold = fields.Float(digits="Product Unit of Measure", readonly=True)
    threshold_source = fields.Selection(
        [("orderpoint", "Reordering rule"), ("product", "Product"), ("company", "Company default")],
        readonly=True,
    )
    daily_sales = fields.Float("Sold per Day (30 days)", readonly=True)
    forecast_daily = fields.Float(
        "Forecast per Day",
        readonly=True,
        help="Units a day by this month's demand forecast (Products > Demand Forecast).",
    )
    days_of_cover = fields.Float(
        readonly=True,
        help="Days the forecast stock lasts at the demand forecast's daily pace, or at the "
        "last 30 days' pace for a product without demand forecast; empty when neither "
        "expects a sale.",
    )
    regular_customer_count = fields.Integer(
        "Customers (90 days)",
        readonly=True,
        help="Distinct customers who bought the product in the last 90 days.",
    )
    orderpoint_id = fields.Many2one("stock.warehouse.orderpoint", readonly=True)
    user_id = fields.Many2one("res.users", string="Responsible", readonly=True)
    opened_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    closed_at = fields.Datetime(readonly=True)
    critical = fields.Boolean(compute="_compute_critical", search="_search_critical")

    def init(self):
        # one open alert per product and warehouse, enforced by the database
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS retail_stock_alert_open_unique "
                "ON retail_stock_alert (product_id, warehouse_id) WHERE state = 'open'"
            )
        )

    @api.depends("forecast_qty", "days_of_cover", "state")
    def _compute_critical(self):
        for alert in self:
            alert.critical = alert.state == "open" and (
                alert.forecast_qty <= 0 or (alert.days_of_cover and alert.days_of_cover < 3)
            )

    def _search_critical(self, operator, value):
        domain = [
            "&",
            ("state", "=", "open"),
            "|",
            ("forecast_qty", "<=", 0),
            "&",
            ("days_of_cover", ">", 0),
            ("days_of_cover", "<", 3),
        ]
        positive = (operator == "=") == bool(value)
        return domain if positive else ["!", *domain]

    def _schedule_activities(self):
        activity_type = self.env.ref("retail_customer_mgmt.mail_activity_type_stock_alert")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": alert.id,
                    "activity_type_id": activity_type.id,
                    "user_id": alert.user_id.id,
                    "summary": self.env._(
                        "Low stock: %(product)s in %(warehouse)s",
                        product=alert.product_id.display_name,
                        warehouse=alert.warehouse_id.name,
                    ),
                    "date_deadline": today,
                }
                for alert in self
            ]
        )

    @api.model
    def _cron_retail_stock_scan(self):
        for company in self.env["res.company"].search([]):
            self._scan(company)

    @api.model
    def _cron_retail_stock_digest(self):
        template = self.env.ref("retail_customer_mgmt.mail_template_stock_digest")
        manager_group = self.env.ref("stock.group_stock_manager")
        for company in self.env["res.company"].search([]):
            if not self.search_count([("company_id", "=", company.id), ("state", "=", "open")]):
                continue
            managers = manager_group.users.filtered(
                lambda u, c=company: c in u.company_ids and u.email and not u.share
            )
            for manager in managers:
                template.with_context(retail_digest_user=manager.id).send_mail(
                    company.id,
                    email_values={"recipient_ids": [(6, 0, manager.partner_id.ids)]},
                    email_layout_xmlid="mail.mail_notification_light",
                )

    def action_replenish(self):
        """Replenish with Odoo's own reordering rules: use the warehouse's rule or
        create one at the alert threshold, then open the replenishment view."""
        self.ensure_one()
        orderpoint = self.orderpoint_id
        if not orderpoint:
            orderpoint = self.env["stock.warehouse.orderpoint"].create(
                {
                    "product_id": self.product_id.id,
                    "warehouse_id": self.warehouse_id.id,
                    "location_id": self.warehouse_id.lot_stock_id.id,
                    "company_id": self.company_id.id,
                    "product_min_qty": self.threshold,
                    "product_max_qty": self.threshold * 2,
                    "trigger": "manual",
                }
            )
            self.orderpoint_id = orderpoint
        action = self.env["ir.actions.actions"]._for_xml_id("stock.action_orderpoint_replenish")
        action["domain"] = [("id", "=", orderpoint.id)]
        action["context"] = {"search_default_trigger": False}
        return action
