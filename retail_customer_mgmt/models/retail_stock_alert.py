import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.forecast import daily_pace
from ..services.stock_alerts import decide

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

    # ------------------------------------------------------------------
    # Scan: a constant number of queries for any number of products
    # ------------------------------------------------------------------
    def _scan_data(self, company, horizon_days):
        cr = self.env.cr
        for model in (
            "stock.quant",
            "stock.move",
            "stock.warehouse.orderpoint",
            "product.template",
            "product.product",
            "stock.location",
        ):
            self.env[model].flush_model()
        now = fields.Datetime.now()
        cr.execute(
            SQL(
                """SELECT q.product_id, l.warehouse_id, SUM(q.quantity - q.reserved_quantity)
                 FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
                WHERE l.usage = 'internal' AND l.warehouse_id IS NOT NULL
                  AND q.company_id = %s
             GROUP BY q.product_id, l.warehouse_id""",
                company.id,
            )
        )
        on_hand = {(p, w): qty for p, w, qty in cr.fetchall()}
        cr.execute(
            SQL(
                """SELECT m.product_id, ld.warehouse_id, SUM(m.product_qty)
                 FROM stock_move m
                 JOIN stock_location ld ON ld.id = m.location_dest_id
                 JOIN stock_location ls ON ls.id = m.location_id
                WHERE m.state IN ('waiting', 'confirmed', 'partially_available', 'assigned')
                  AND m.company_id = %s AND ld.usage = 'internal'
                  AND ld.warehouse_id IS NOT NULL
                  AND ls.warehouse_id IS DISTINCT FROM ld.warehouse_id
                  AND m.date <= %s
             GROUP BY m.product_id, ld.warehouse_id""",
                company.id,
                now + timedelta(days=horizon_days),
            )
        )
        incoming = {(p, w): qty for p, w, qty in cr.fetchall()}
        cr.execute(
            SQL(
                """SELECT product_id, warehouse_id, MAX(product_min_qty), MIN(id)
                 FROM stock_warehouse_orderpoint
                WHERE active AND company_id = %s
             GROUP BY product_id, warehouse_id""",
                company.id,
            )
        )
        orderpoints = {(p, w): (qty, op) for p, w, qty, op in cr.fetchall()}
        cr.execute(
            SQL(
                """SELECT m.product_id, ls.warehouse_id, SUM(m.product_qty)
                 FROM stock_move m
                 JOIN stock_location ls ON ls.id = m.location_id
                 JOIN stock_location ld ON ld.id = m.location_dest_id
                WHERE m.state = 'done' AND m.company_id = %s AND ld.usage = 'customer'
                  AND ls.warehouse_id IS NOT NULL AND m.date >= %s
             GROUP BY m.product_id, ls.warehouse_id""",
                company.id,
                now - timedelta(days=30),
            )
        )
        sold = {(p, w): qty for p, w, qty in cr.fetchall()}
        cr.execute(
            SQL(
                """SELECT pp.id, pt.retail_alert_below, (pt.responsible_id ->> %s)::int
                 FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id
                WHERE pp.active AND pt.is_storable
                  AND (pt.company_id IS NULL OR pt.company_id = %s)""",
                str(company.id),
                company.id,
            )
        )
        products = {
            p: (threshold or 0.0, responsible) for p, threshold, responsible in cr.fetchall()
        }
        self.env["retail.product.forecast"].flush_model()
        cr.execute(
            SQL(
                """SELECT product_id, warehouse_id, qty FROM retail_product_forecast
                WHERE company_id = %s AND month_index = 1""",
                company.id,
            )
        )
        demand = {(p, w): daily_pace(qty) for p, w, qty in cr.fetchall()}
        return on_hand, incoming, orderpoints, sold, products, demand

    @api.model
    def _scan(self, company):
        """Open, update and close the low-stock alerts of ``company``."""
        warehouses = self.env["stock.warehouse"].sudo().search([("company_id", "=", company.id)])
        if not warehouses:
            return self.browse()
        on_hand, incoming, orderpoints, sold, products, demand = self._scan_data(
            company, company.retail_stock_horizon_days
        )
        default = company.retail_stock_alert_default
        # plain ids and responsibles: the loop below runs per product and
        # warehouse, and must not touch the ORM
        warehouse_ids = warehouses.ids
        responsibles = {w.id: w.retail_responsible_id.id for w in warehouses}
        with_orderpoint = {product_id for product_id, _w in orderpoints}
        below = {}
        for product_id, (product_threshold, responsible) in products.items():
            if not (product_threshold or default) and product_id not in with_orderpoint:
                continue
            for warehouse_id in warehouse_ids:
                key = (product_id, warehouse_id)
                orderpoint = orderpoints.get(key)
                decision = decide(
                    on_hand.get(key, 0.0),
                    incoming.get(key, 0.0),
                    orderpoint[0] if orderpoint else None,
                    product_threshold,
                    default,
                    sold.get(key, 0.0),
                    demand.get(key),
                )
                if decision.below:
                    below[key] = (
                        decision,
                        orderpoint[1] if orderpoint else False,
                        responsible or responsibles[warehouse_id],
                    )
        Alert = self.sudo()
        customers = self._regular_customers(company, {key[0] for key in below})
        now = fields.Datetime.now()
        # open alerts: one plain read, whatever their number
        self.flush_model()
        self.env.cr.execute(
            SQL(
                "SELECT id, product_id, warehouse_id FROM retail_stock_alert "
                "WHERE company_id = %s AND state = 'open'",
                company.id,
            )
        )
        by_key = {(p, w): alert_id for alert_id, p, w in self.env.cr.fetchall()}
        to_close = [alert_id for key, alert_id in by_key.items() if key not in below]
        rows = []
        for key, (decision, orderpoint_id, user_id) in below.items():
            rows.append(
                (
                    by_key.get(key),
                    key[0],
                    key[1],
                    decision.forecast,
                    decision.threshold,
                    decision.source,
                    sold.get(key, 0.0) / 30.0,
                    demand.get(key, 0.0),
                    # NULL when the product did not sell: not "0 days", which
                    # would rank a product nobody buys as the most urgent
                    decision.days_of_cover,
                    customers.get(key[0], 0),
                    orderpoint_id or None,
                    user_id or None,
                )
            )
        columns = list(zip(*rows, strict=True)) if rows else [[]] * 12
        arrays = SQL(
            """unnest(%s::int[], %s::int[], %s::int[], %s::float8[], %s::float8[],
                      %s::varchar[], %s::float8[], %s::float8[], %s::float8[], %s::int[],
                      %s::int[], %s::int[])
               AS v(id, product_id, warehouse_id, forecast, threshold, source, daily,
                    forecast_daily, cover, customers, orderpoint_id, user_id)""",
            *[list(column) for column in columns],
        )
        # close what is back above its threshold, update the others: one query each
        self.env.cr.execute(
            SQL(
                "UPDATE retail_stock_alert SET state = 'closed', closed_at = %s, write_date = %s, "
                "write_uid = %s WHERE id = ANY(%s)",
                now,
                now,
                self.env.uid,
                to_close,
            )
        )
        self.env.cr.execute(
            SQL(
                """UPDATE retail_stock_alert a
                  SET forecast_qty = v.forecast, threshold = v.threshold,
                      threshold_source = v.source, daily_sales = v.daily,
                      forecast_daily = v.forecast_daily, days_of_cover = v.cover,
                      regular_customer_count = v.customers,
                      orderpoint_id = v.orderpoint_id, write_date = %s, write_uid = %s
                 FROM %s
                WHERE a.id = v.id
                  AND (a.forecast_qty, a.threshold, a.threshold_source, a.daily_sales,
                       a.forecast_daily, a.days_of_cover, a.regular_customer_count,
                       a.orderpoint_id)
                      IS DISTINCT FROM (v.forecast::numeric, v.threshold::numeric, v.source,
                                        v.daily, v.forecast_daily, v.cover, v.customers,
                                        v.orderpoint_id)""",
                now,
                self.env.uid,
                arrays,
            )
        )
        self.env.cr.execute(
            SQL(
                """INSERT INTO retail_stock_alert (
                   product_id, product_tmpl_id, warehouse_id, company_id, state, forecast_qty,
                   threshold, threshold_source, daily_sales, forecast_daily, days_of_cover,
                   regular_customer_count, orderpoint_id, user_id, opened_at,
                   create_uid, create_date, write_uid, write_date)
               SELECT v.product_id, pp.product_tmpl_id, v.warehouse_id, %s, 'open', v.forecast,
                      v.threshold, v.source, v.daily, v.forecast_daily, v.cover, v.customers,
                      v.orderpoint_id,
                      v.user_id, %s, %s, %s, %s, %s
                 FROM %s JOIN product_product pp ON pp.id = v.product_id
                WHERE v.id IS NULL
               RETURNING id, user_id""",
                company.id,
                now,
                self.env.uid,
                now,
                self.env.uid,
                now,
                arrays,
            )
        )
        rows = self.env.cr.fetchall()
        created = Alert.browse([row[0] for row in rows])
        self.invalidate_model()
        # only the alerts with a responsible get an activity: reading the
        # others' responsible would cost a query per 1,000 alerts
        Alert.browse([alert_id for alert_id, user_id in rows if user_id])._schedule_activities()
        self.env.flush_all()
        _logger.info(
            "Low-stock scan of %s: %s open, %s new, %s closed",
            company.name,
            len(below),
            len(created),
            len(to_close),
        )
        return created

    def _regular_customers(self, company, product_ids):
        """``{product id: distinct customers who bought it in 90 days}`` (one query)."""
        if not product_ids:
            return {}
        since = fields.Datetime.now() - timedelta(days=90)
        for model in ("sale.order.line", "sale.order", "pos.order.line", "pos.order"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT product_id, COUNT(DISTINCT partner) FROM (
                   SELECT sol.product_id, p.commercial_partner_id AS partner
                     FROM sale_order_line sol JOIN sale_order so ON so.id = sol.order_id
                     JOIN res_partner p ON p.id = so.partner_id
                    WHERE so.state = 'sale' AND so.company_id = %(company)s
                      AND so.date_order >= %(since)s AND sol.product_id = ANY(%(products)s)
                   UNION ALL
                   SELECT pol.product_id, p.commercial_partner_id
                     FROM pos_order_line pol JOIN pos_order po ON po.id = pol.order_id
                     JOIN res_partner p ON p.id = po.partner_id
                    WHERE po.state IN ('paid', 'done', 'invoiced') AND po.company_id = %(company)s
                      AND po.date_order >= %(since)s AND pol.product_id = ANY(%(products)s)
               ) s GROUP BY product_id""",
                company=company.id,
                since=since,
                products=list(product_ids),
            )
        )
        return dict(self.env.cr.fetchall())

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
