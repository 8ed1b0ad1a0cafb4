"""The low-stock scan: one set-based statement decides, per product and
warehouse, which alert opens, changes or closes.

The rules are those of ``services/stock_alerts.py`` (threshold precedence,
forecast stock, days of cover) and ``services/forecast.daily_pace``, written
once more in SQL so that the database compares its decision with the open
alerts and returns only the differences: a scan that changes nothing reads
nothing back and writes nothing. ``tests/test_stock_alert_scan.py`` checks the
SQL against the pure rules on hand-computed and random data.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from .retail_sql import heavy_job_settings

_logger = logging.getLogger(__name__)

# the columns the scan writes, in the order of _scan_changes' rows after
# (alert id, product, warehouse)
CHANGE_COLUMNS = (
    "forecast",
    "threshold",
    "source",
    "daily",
    "forecast_daily",
    "cover",
    "customers",
    "orderpoint_id",
)


class RetailStockAlert(models.Model):
    _inherit = "retail.stock.alert"

    def init(self):
        res = super().init()
        # the scan's read of the last 30 days' deliveries (done moves) of one
        # company: without it, every done move of the company's history is
        # read through the (location) indexes; the expected receipts use
        # Odoo's own index on the state
        self.env.cr.execute(
            SQL(
                "CREATE INDEX IF NOT EXISTS retail_stock_move_scan_done "
                "ON stock_move (company_id, date) WHERE state = 'done'"
            )
        )
        return res

    def _scan_flush(self):
        for model in (
            "stock.quant",
            "stock.move",
            "stock.location",
            "stock.warehouse",
            "stock.warehouse.orderpoint",
            "product.template",
            "product.product",
            "retail.product.forecast",
            "sale.order.line",
            "sale.order",
            "pos.order.line",
            "pos.order",
            "res.partner",
            "retail.stock.alert",
        ):
            self.env[model].flush_model()

    def _scan_changes(self, company):
        """The alerts to open, update or close for ``company``, in one query.

        Returns rows ``(alert id, product id, warehouse id, *CHANGE_COLUMNS)``:
        alert id and product id both set for an open alert whose figures
        changed, alert id empty for an alert to open, product id empty for an
        open alert to close (the product is no longer below its threshold;
        a company without warehouse keeps its alerts, as before).
        """
        self._scan_flush()
        # no JIT compilation (at ~1 M products the statement's cost passes
        # its threshold and compiling took seconds) and grouping in memory
        heavy_job_settings(self.env.cr)
        now = fields.Datetime.now()
        self.env.cr.execute(
            SQL(
                """
WITH warehouse AS (
    SELECT id FROM stock_warehouse
     WHERE company_id = %(company)s AND active
),
product AS (
    SELECT pp.id, COALESCE(pt.retail_alert_below, 0)::float8 AS threshold
      FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id
     WHERE pp.active AND pt.is_storable
       AND (pt.company_id IS NULL OR pt.company_id = %(company)s)
),
flow AS (
    -- per product and warehouse, in one grouping: the free quantity on hand
    -- plus the receipts expected within the horizon (float8 sums: numeric
    -- ones took twice the time and memory)
    SELECT product_id, warehouse_id, SUM(stock) AS stock FROM (
        SELECT q.product_id, l.warehouse_id,
               (q.quantity - q.reserved_quantity)::float8 AS stock
          FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
         WHERE l.usage = 'internal' AND l.warehouse_id IS NOT NULL
           AND q.company_id = %(company)s
        UNION ALL
        SELECT m.product_id, ld.warehouse_id, m.product_qty::float8
          FROM stock_move m
          JOIN stock_location ld ON ld.id = m.location_dest_id
          JOIN stock_location ls ON ls.id = m.location_id
         WHERE m.state IN ('waiting', 'confirmed', 'partially_available', 'assigned')
           AND m.company_id = %(company)s AND m.date <= %(horizon)s
           AND ld.usage = 'internal' AND ld.warehouse_id IS NOT NULL
           AND ls.warehouse_id IS DISTINCT FROM ld.warehouse_id
    ) f GROUP BY product_id, warehouse_id
),
rule AS (
    SELECT product_id, warehouse_id, MAX(product_min_qty)::float8 AS min_qty, MIN(id) AS id
      FROM stock_warehouse_orderpoint
     WHERE active AND company_id = %(company)s
  GROUP BY product_id, warehouse_id
),
short AS (
    -- services/stock_alerts.pick_threshold and decide: below the threshold
    SELECT * FROM (
        SELECT p.id AS product_id, w.id AS warehouse_id, r.id AS orderpoint_id,
               CASE WHEN r.min_qty IS NOT NULL THEN r.min_qty
                    WHEN p.threshold <> 0 THEN p.threshold
                    ELSE %(default)s END AS threshold,
               CASE WHEN r.min_qty IS NOT NULL THEN 'orderpoint'
                    WHEN p.threshold <> 0 THEN 'product'
                    WHEN %(default)s <> 0 THEN 'company' END AS source,
               COALESCE(f.stock, 0) AS forecast
          FROM product p CROSS JOIN warehouse w
     LEFT JOIN rule r ON r.product_id = p.id AND r.warehouse_id = w.id
     LEFT JOIN flow f ON f.product_id = p.id AND f.warehouse_id = w.id
    ) c
     WHERE source IS NOT NULL AND forecast < threshold
),
boundary AS (
    -- the deliveries of the first, partial day of the 30 days, from the
    -- moves (the stored pace holds whole days)
    SELECT m.product_id, ls.warehouse_id, SUM(m.product_qty::float8) AS qty
      FROM stock_move m
      JOIN stock_location ls ON ls.id = m.location_id
      JOIN stock_location ld ON ld.id = m.location_dest_id
     WHERE m.state = 'done' AND m.company_id = %(company)s
       AND m.date >= %(since)s AND m.date < %(since_day)s::date + 1
       AND ld.usage = 'customer' AND ls.warehouse_id IS NOT NULL
  GROUP BY m.product_id, ls.warehouse_id
),
sold AS (
    -- the last 30 days' deliveries of the products below only: the whole
    -- days from the stored pace (models/retail_stock_alert_pace.py, an
    -- index-only range of at most 30 rows each), the first day's from the
    -- moves
    SELECT s.*, COALESCE(p.qty, 0) + COALESCE(e.qty, 0) AS sold
      FROM short s
 LEFT JOIN LATERAL (
        SELECT SUM(t.qty)::float8 AS qty FROM retail_stock_pace_day t
         WHERE t.company_id = %(company)s AND t.product_id = s.product_id
           AND t.warehouse_id = s.warehouse_id AND t.day > %(since_day)s::date
    ) p ON TRUE
 LEFT JOIN boundary e ON e.product_id = s.product_id AND e.warehouse_id = s.warehouse_id
),
paced AS (
    SELECT b.*,
           -- services/forecast.daily_pace: this month's forecast over 30 days
           COALESCE(GREATEST(d.qty::float8, 0) / 30.0::float8, 0) AS forecast_daily
      FROM sold b
 LEFT JOIN retail_product_forecast d
        ON d.product_id = b.product_id AND d.warehouse_id = b.warehouse_id
       AND d.company_id = %(company)s AND d.month_index = 1
),
below AS MATERIALIZED (
    SELECT product_id, warehouse_id, orderpoint_id, threshold, source, forecast,
           sold / 30.0::float8 AS daily, forecast_daily,
           -- services/stock_alerts.days_of_cover: NULL when nothing sells
           CASE WHEN forecast_daily > 0 THEN GREATEST(forecast, 0) / forecast_daily
                WHEN sold > 0 THEN GREATEST(forecast, 0) / (sold / 30.0::float8)
           END AS cover
      FROM paced
),
customer AS (
    -- distinct customers of the last 90 days, for the products below only
    SELECT product_id, COUNT(DISTINCT partner) AS n FROM (
        SELECT sol.product_id, p.commercial_partner_id AS partner
          FROM sale_order_line sol JOIN sale_order so ON so.id = sol.order_id
          JOIN res_partner p ON p.id = so.partner_id
         WHERE so.state = 'sale' AND so.company_id = %(company)s
           AND so.date_order >= %(since90)s
           AND sol.product_id IN (SELECT product_id FROM below)
        UNION ALL
        SELECT pol.product_id, p.commercial_partner_id
          FROM pos_order_line pol JOIN pos_order po ON po.id = pol.order_id
          JOIN res_partner p ON p.id = po.partner_id
         WHERE po.state IN ('paid', 'done', 'invoiced') AND po.company_id = %(company)s
           AND po.date_order >= %(since90)s
           AND pol.product_id IN (SELECT product_id FROM below)
    ) s GROUP BY product_id
),
decided AS (
    SELECT b.*, COALESCE(c.n, 0)::int AS customers
      FROM below b LEFT JOIN customer c ON c.product_id = b.product_id
),
open_alert AS (
    SELECT id, product_id, warehouse_id, forecast_qty, threshold, threshold_source,
           daily_sales, forecast_daily, days_of_cover, regular_customer_count, orderpoint_id
      FROM retail_stock_alert
     WHERE company_id = %(company)s AND state = 'open'
)
SELECT a.id, d.product_id, COALESCE(d.warehouse_id, a.warehouse_id), d.forecast, d.threshold,
       d.source, d.daily, d.forecast_daily, d.cover, d.customers, d.orderpoint_id
  FROM decided d
  FULL JOIN open_alert a ON a.product_id = d.product_id AND a.warehouse_id = d.warehouse_id
 WHERE (d.product_id IS NULL AND EXISTS (SELECT FROM warehouse))
    OR a.id IS NULL
    OR (a.forecast_qty, a.threshold, a.threshold_source, a.daily_sales, a.forecast_daily,
        a.days_of_cover, a.regular_customer_count, a.orderpoint_id)
       IS DISTINCT FROM (d.forecast::numeric, d.threshold::numeric, d.source, d.daily,
                         d.forecast_daily, d.cover, d.customers, d.orderpoint_id)
""",
                company=company.id,
                company_key=str(company.id),
                default=float(company.retail_stock_alert_default or 0.0),
                horizon=now + timedelta(days=company.retail_stock_horizon_days),
                since=now - timedelta(days=30),
                since_day=(now - timedelta(days=30)).date(),
                since90=now - timedelta(days=90),
            )
        )
        return self.env.cr.fetchall()

    @api.model
    def _scan(self, company):
        """Open, update and close the low-stock alerts of ``company``."""
        changes = self._scan_changes(company)
        to_close = [row[0] for row in changes if row[1] is None]
        rows = [row for row in changes if row[1] is not None]
        now = fields.Datetime.now()
        cr = self.env.cr
        # close what is back above its threshold, update the others: one query each
        cr.execute(
            SQL(
                "UPDATE retail_stock_alert SET state = 'closed', closed_at = %s, write_date = %s, "
                "write_uid = %s WHERE id = ANY(%s)",
                now,
                now,
                self.env.uid,
                to_close,
            )
        )
        columns = list(zip(*rows, strict=True)) if rows else [[]] * 11
        arrays = SQL(
            """unnest(%s::int[], %s::int[], %s::int[], %s::float8[], %s::float8[],
                      %s::varchar[], %s::float8[], %s::float8[], %s::float8[], %s::int[],
                      %s::int[])
               AS v(id, product_id, warehouse_id, forecast, threshold, source, daily,
                    forecast_daily, cover, customers, orderpoint_id)""",
            *[list(column) for column in columns],
        )
        # update what changed and insert what is new in one statement: the
        # arrays are sent once (only the differences: none in a steady state)
        cr.execute(
            SQL(
                """WITH v AS MATERIALIZED (SELECT * FROM %s),
                   changed AS (
                       UPDATE retail_stock_alert a
                          SET forecast_qty = v.forecast, threshold = v.threshold,
                              threshold_source = v.source, daily_sales = v.daily,
                              forecast_daily = v.forecast_daily, days_of_cover = v.cover,
                              regular_customer_count = v.customers,
                              orderpoint_id = v.orderpoint_id, write_date = %s, write_uid = %s
                         FROM v
                        WHERE a.id = v.id
                   )
                   INSERT INTO retail_stock_alert (
                       product_id, product_tmpl_id, warehouse_id, company_id, state,
                       forecast_qty, threshold, threshold_source, daily_sales, forecast_daily,
                       days_of_cover, regular_customer_count, orderpoint_id, user_id, opened_at,
                       create_uid, create_date, write_uid, write_date)
                   SELECT v.product_id, pp.product_tmpl_id, v.warehouse_id, %s, 'open',
                          v.forecast, v.threshold, v.source, v.daily, v.forecast_daily, v.cover,
                          v.customers, v.orderpoint_id,
                          -- the product's responsible, else the warehouse's
                          COALESCE((pt.responsible_id ->> %s)::int, w.retail_responsible_id),
                          %s, %s, %s, %s, %s
                     FROM v JOIN product_product pp ON pp.id = v.product_id
                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     JOIN stock_warehouse w ON w.id = v.warehouse_id
                    WHERE v.id IS NULL
                RETURNING id, user_id""",
                arrays,
                now,
                self.env.uid,
                company.id,
                str(company.id),
                now,
                self.env.uid,
                now,
                self.env.uid,
                now,
            )
        )
        inserted = cr.fetchall()
        created = self.sudo().browse([row[0] for row in inserted])
        self.invalidate_model()
        # only the alerts with a responsible get an activity: reading the
        # others' responsible would cost a query per 1,000 alerts
        self.sudo().browse(
            [alert_id for alert_id, user_id in inserted if user_id]
        )._schedule_activities()
        self.env.flush_all()
        _logger.info(
            "Low-stock scan of %s: %s new, %s changed, %s closed",
            company.name,
            len(created),
            len(rows) - len(created),
            len(to_close),
        )
        return created
