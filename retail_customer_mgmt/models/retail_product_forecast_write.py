from odoo import api, fields, models
from odoo.tools import SQL

from .retail_product_forecast import month_start
from .retail_product_month import FORECAST_DIRTY, FORECAST_STATE, copy_in


class RetailProductForecastWrite(models.Model):
    """How the nightly refresh writes the forecasts: the pairs of the
    products sold, cancelled or re-dated since the last night only, as long
    as the month and the settings are those of the last night and its rows
    are all there; otherwise every pair. The unchanged rows are neither
    written nor locked."""

    _inherit = "retail.product.forecast"

    @api.model
    def _changed_products(self, company, state):
        """The products whose months changed since ``company``'s last
        refresh, or None to compute and write every pair: when ``state``
        (month, horizon, reordering days) or the company's number of rows
        differ from those the last refresh left."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "DELETE FROM %s WHERE company_id = %s RETURNING product_id",
                SQL.identifier(FORECAST_DIRTY),
                company.id,
            )
        )
        changed = {row[0] for row in cr.fetchall()}
        cr.execute(
            SQL(
                "SELECT state FROM %s WHERE company_id = %s",
                SQL.identifier(FORECAST_STATE),
                company.id,
            )
        )
        recorded = cr.fetchone()
        if not recorded or recorded[0] != self._state_text(company, state):
            return None
        return changed

    @api.model
    def _state_text(self, company, state):
        self.flush_model()
        self.env.cr.execute(
            "SELECT COUNT(*) FROM retail_product_forecast WHERE company_id = %s", [company.id]
        )
        return ":".join(map(str, (*state, self.env.cr.fetchone()[0])))

    @api.model
    def _record_state(self, company, state):
        # a table of the nightly job's own, not a system parameter: setting
        # one clears every cache of the registry, in every worker
        self.env.cr.execute(
            SQL(
                """INSERT INTO %s (company_id, state) VALUES (%s, %s)
                   ON CONFLICT (company_id) DO UPDATE SET state = EXCLUDED.state""",
                SQL.identifier(FORECAST_STATE),
                company.id,
                self._state_text(company, state),
            )
        )

    @api.model
    def _write_orderpoints(self, company):
        """The current reordering rule of every proposal (one statement; the
        rules change without changing the sales)."""
        self.env["stock.warehouse.orderpoint"].flush_model()
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """
                UPDATE retail_product_forecast f
                   SET orderpoint_id = r.orderpoint_id, current_min_qty = r.min_qty,
                       current_max_qty = r.max_qty
                  FROM (
                    SELECT f2.id, o.orderpoint_id, COALESCE(o.min_qty, 0) AS min_qty,
                           COALESCE(o.max_qty, 0) AS max_qty
                      FROM retail_product_forecast f2
                 LEFT JOIN (
                        SELECT product_id, warehouse_id, MIN(id) AS orderpoint_id,
                               MAX(product_min_qty) AS min_qty, MAX(product_max_qty) AS max_qty
                          FROM stock_warehouse_orderpoint
                         WHERE active AND company_id = %(company)s
                      GROUP BY product_id, warehouse_id
                        ) o ON o.product_id = f2.product_id AND o.warehouse_id = f2.warehouse_id
                     WHERE f2.company_id = %(company)s AND f2.month_index = 1
                  ) r
                 WHERE f.id = r.id
                   AND (f.orderpoint_id, f.current_min_qty, f.current_max_qty)
                       IS DISTINCT FROM (r.orderpoint_id, r.min_qty, r.max_qty)
                """,
                company=company.id,
            )
        )
        self.invalidate_model()

    @api.model
    def _write_forecasts(self, company, columns, quantities, last_year, horizon, current, scope):
        """Write only what changed, of the products of ``scope`` (all when
        None): the new figures are staged in a
        temporary table, then the rows no longer forecast are deleted, the
        rows whose figures differ updated and the new ones inserted (a
        constant number of statements for any number of rows; the
        unchanged rows, most of them on a nightly refresh, are neither
        written nor locked, which ``INSERT ... ON CONFLICT DO UPDATE`` does;
        ``DO NOTHING`` inserts the new rows without locking the others)."""
        cr = self.env.cr
        self.flush_model()
        products, warehouses, methods, history, mins, maxs, ops, cur_min, cur_max = columns
        cr.execute("DROP TABLE IF EXISTS retail_forecast_staged")
        # the columns of the forecasts, of their types (numeric for the
        # quantities): the comparison below is then exact
        cr.execute(
            """CREATE TEMPORARY TABLE retail_forecast_staged ON COMMIT DROP AS
               SELECT product_id, warehouse_id, date, month_index, qty, last_year_qty, method,
                      history_months, orderpoint_id, current_min_qty, current_max_qty,
                      proposed_min_qty, proposed_max_qty, company_id
                 FROM retail_product_forecast WITH NO DATA"""
        )
        # one row per pair and month ahead, copied in (the fastest way in)
        days = [month_start(current + h) for h in range(horizon)]
        quantities = iter(quantities)
        last_year = iter(last_year)
        rows = (
            (product, warehouse, days[h], h + 1, next(quantities), next(last_year), method, months)
            + ((op, c_min, c_max, p_min, p_max) if h == 0 else (None,) * 5)
            + (company.id,)
            for product, warehouse, method, months, p_min, p_max, op, c_min, c_max in zip(
                products,
                warehouses,
                methods,
                history,
                mins,
                maxs,
                ops,
                cur_min,
                cur_max,
                strict=True,
            )
            for h in range(horizon)
        )
        copy_in(self.env.cr, "retail_forecast_staged", rows)
        # the plans of the three statements below join tables of 100,000s of
        # rows: both with fresh statistics (the forecasts' change each night)
        cr.execute("ANALYZE retail_forecast_staged")
        cr.execute("ANALYZE retail_product_forecast")
        same_key = SQL(
            "s.product_id = f.product_id AND s.warehouse_id = f.warehouse_id AND s.date = f.date"
        )
        cr.execute(
            SQL(
                """DELETE FROM retail_product_forecast f
                    WHERE f.company_id = %s %s
                      AND NOT EXISTS (SELECT 1 FROM retail_forecast_staged s WHERE %s)""",
                company.id,
                SQL() if scope is None else SQL("AND f.product_id = ANY(%s)", sorted(scope)),
                same_key,
            )
        )
        figures = [
            "month_index",
            "qty",
            "last_year_qty",
            "method",
            "history_months",
            "orderpoint_id",
            "current_min_qty",
            "current_max_qty",
            "proposed_min_qty",
            "proposed_max_qty",
            "company_id",
        ]
        now = fields.Datetime.now()
        cr.execute(
            SQL(
                """UPDATE retail_product_forecast f
                      SET (%(columns)s) = (%(staged)s), write_uid = %(uid)s, write_date = %(now)s
                     FROM retail_forecast_staged s
                    WHERE %(same_key)s AND (%(current)s) IS DISTINCT FROM (%(staged)s)""",
                columns=SQL(", ").join(SQL.identifier(name) for name in figures),
                staged=SQL(", ").join(SQL.identifier("s", name) for name in figures),
                current=SQL(", ").join(SQL.identifier("f", name) for name in figures),
                uid=self.env.uid,
                now=now,
                same_key=same_key,
            )
        )
        cr.execute(
            SQL(
                """INSERT INTO retail_product_forecast (
                        product_id, warehouse_id, date, %(columns)s,
                        create_uid, create_date, write_uid, write_date)
                   SELECT s.product_id, s.warehouse_id, s.date, %(staged)s,
                          %(uid)s, %(now)s, %(uid)s, %(now)s
                     FROM retail_forecast_staged s
                       ON CONFLICT (product_id, warehouse_id, date) DO NOTHING""",
                columns=SQL(", ").join(SQL.identifier(name) for name in figures),
                staged=SQL(", ").join(SQL.identifier("s", name) for name in figures),
                uid=self.env.uid,
                now=now,
            )
        )
        cr.execute("DROP TABLE retail_forecast_staged")
        self.invalidate_model()
