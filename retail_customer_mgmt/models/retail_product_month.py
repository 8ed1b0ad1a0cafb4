import io
import logging

import numpy as np

from odoo import api, fields, models
from odoo.tools import SQL, create_index

from .retail_sql import rows_changed, statement_trigger, trigger_function

_logger = logging.getLogger(__name__)

DIRTY = "retail_product_month_dirty"
# the products whose months changed, per company, since its last forecast
FORECAST_DIRTY = "retail_product_forecast_dirty"
# per company, the month, settings and row count its last forecast left
FORECAST_STATE = "retail_product_forecast_state"
# The columns of each source table that the months read: a change of any
# other column (delivered quantities, invoice status...) changes no month.
LINE_COLUMNS = {
    "sale_order_line": "product_id, product_uom_qty, price_subtotal, order_id, display_type, "
    "is_downpayment, reward_id",
    "pos_order_line": "product_id, qty, price_subtotal, order_id, reward_id, is_reward_line",
}
ORDER_COLUMNS = {
    "sale_order": (
        "sale_order_line",
        "state, date_order, warehouse_id, company_id, partner_id, currency_rate",
    ),
    "pos_order": (
        "pos_order_line",
        "state, date_order, session_id, company_id, partner_id, currency_rate",
    ),
}


_id = SQL.identifier


def _copy_text(value):
    if value is None:
        return "\\N"
    if isinstance(value, float):
        return f"{value:.15g}"  # as PostgreSQL casts a float to numeric
    return str(value)


def copy_in(cr, table, rows):
    """COPY ``rows`` (tuples of numbers, strings without tabs, dates or
    None) into ``table``: much faster than the parameters of an INSERT for
    100,000s of rows."""
    buffer = io.StringIO()
    buffer.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    buffer.seek(0)
    cr.copy_expert(SQL("COPY %s FROM STDIN", _id(table)).code, buffer)


def copy_out(cr, query, width):
    """The rows of ``query`` (numbers only, none NULL) as a float array of
    ``width`` columns, copied out and parsed by NumPy."""
    buffer = io.StringIO()
    cr.copy_expert(f"COPY ({cr.mogrify(query.code, query.params).decode()}) TO STDOUT", buffer)
    return np.array(buffer.getvalue().split(), dtype=float).reshape(-1, width)


def months_sql(lines):
    """The month groups of ``lines`` (the rows of ``_lines_sql``): per
    company, warehouse, product and month, units, revenue, lines, customers,
    repeat customers (two documents or more that month) and last sale."""
    return SQL(
        """
        SELECT company_id, warehouse_id, product_id, month, SUM(qty) AS qty,
               SUM(revenue) AS revenue, SUM(lines) AS line_count,
               COUNT(partner_id) AS customer_count,
               COUNT(partner_id) FILTER (WHERE again) AS repeat_customer_count,
               MAX(last_sale) AS last_sale
          FROM (
            -- a buyer bought the product again that month when their
            -- lines of it are on two documents: MIN(doc) <> MAX(doc)
            SELECT l.company_id, l.warehouse_id, l.product_id,
                   date_trunc('month', l.d)::date AS month, l.partner_id,
                   COUNT(*) AS lines, MIN(l.doc_id) <> MAX(l.doc_id) AS again,
                   SUM(l.qty) AS qty, SUM(l.revenue) AS revenue, MAX(l.d) AS last_sale
              FROM (%s) l
          GROUP BY 1, 2, 3, 4, 5
          ) per_buyer
      GROUP BY 1, 2, 3, 4
        """,
        lines,
    )


class RetailProductMonth(models.Model):
    """The counted sale and POS lines of ``retail.product.analysis`` summed
    per company, warehouse (or shop), product and month: what the analysis
    and the demand forecast read instead of every line.

    Kept equal to its lines: database triggers on the order and line tables
    note the products whose lines or orders changed (a line added, changed
    or deleted; an order confirmed, cancelled, re-dated, moved to another
    warehouse, customer or company) in ``retail_product_month_dirty``; the
    nightly refresh recomputes every month of those products from their
    lines, and the analysis reads them from their lines until then (exact
    at any time). Built from scratch when empty. Not followed: a change of
    a shop's operation type (its warehouse) or of a contact's company,
    which apply at the next rebuild (``_rebuild``).
    """

    _name = "retail.product.month"
    _description = "Retail Product Sales per Month"
    _order = "company_id, warehouse_id, product_id, date"
    _rec_name = "product_id"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, index=True, ondelete="cascade"
    )
    date = fields.Date("Month", required=True, readonly=True)
    qty = fields.Float("Units", digits="Product Unit of Measure", readonly=True)
    revenue = fields.Float(readonly=True)
    line_count = fields.Integer("Order Lines", readonly=True)
    customer_count = fields.Integer("Customers", readonly=True)
    repeat_customer_count = fields.Integer("Repeat Customers", readonly=True)
    last_sale = fields.Datetime(readonly=True)

    # ------------------------------------------------------------------
    # The triggers that note the changed products
    # ------------------------------------------------------------------
    def init(self):
        cr = self.env.cr
        cr.execute(SQL("CREATE TABLE IF NOT EXISTS %s (product_id integer NOT NULL)", _id(DIRTY)))
        create_index(cr, f"{DIRTY}_product_index", DIRTY, ["product_id"])
        cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s
                   (company_id integer NOT NULL, product_id integer NOT NULL)""",
                _id(FORECAST_DIRTY),
            )
        )
        create_index(cr, f"{FORECAST_DIRTY}_company_index", FORECAST_DIRTY, ["company_id"])
        cr.execute(
            SQL(
                "CREATE TABLE IF NOT EXISTS %s (company_id integer PRIMARY KEY, state varchar)",
                _id(FORECAST_STATE),
            )
        )
        create_index(cr, "retail_pos_order_line_product_index", "pos_order_line", ["product_id"])
        create_index(
            cr, "retail_product_month_company_date_index", self._table, ["company_id", "date"]
        )
        for table, columns in LINE_COLUMNS.items():
            self._create_triggers(table, self._line_trigger_body(columns), ("INSERT", "DELETE"))
        for table, (lines, columns) in ORDER_COLUMNS.items():
            self._create_triggers(table, self._order_trigger_body(lines, columns), ())
        cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", _id(self._table)))
        if not cr.fetchone():
            self._rebuild()

    @staticmethod
    def _changed(columns):
        """Whether the comma-separated ``columns`` differ between the old and
        the new row (``o``, ``n``)."""
        return rows_changed(name.strip() for name in columns.split(","))

    @classmethod
    def _line_trigger_body(cls, columns):
        return SQL(
            """
            IF TG_OP = 'INSERT' THEN
                INSERT INTO %(dirty)s SELECT DISTINCT product_id FROM new_rows
                 WHERE product_id IS NOT NULL;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO %(dirty)s SELECT DISTINCT product_id FROM old_rows
                 WHERE product_id IS NOT NULL;
            ELSE
                INSERT INTO %(dirty)s
                SELECT DISTINCT p.product_id
                  FROM old_rows o JOIN new_rows n ON n.id = o.id,
                       LATERAL (VALUES (o.product_id), (n.product_id)) p(product_id)
                 WHERE p.product_id IS NOT NULL AND %(changed)s;
            END IF;""",
            dirty=_id(DIRTY),
            changed=cls._changed(columns),
        )

    @classmethod
    def _order_trigger_body(cls, lines, columns):
        return SQL(
            """
            INSERT INTO %(dirty)s
            SELECT DISTINCT l.product_id
              FROM old_rows o JOIN new_rows n ON n.id = o.id
              JOIN %(lines)s l ON l.order_id = n.id
             WHERE l.product_id IS NOT NULL AND %(changed)s;""",
            dirty=_id(DIRTY),
            lines=_id(lines),
            changed=cls._changed(columns),
        )

    def _create_triggers(self, table, body, other_events):
        """A statement trigger per event (PostgreSQL allows transition
        tables on one event only); the SQL is this module's constants."""
        cr = self.env.cr
        name = f"retail_product_month_{table}_changed"
        trigger_function(cr, name, body)
        for event in ("UPDATE", *other_events):
            statement_trigger(
                cr, f"retail_product_month_{table}_changed_{event.lower()}", table, event, name
            )

    @api.model
    def _drop_triggers(self):
        """Uninstall: the triggers, their functions and the lists of changes."""
        cr = self.env.cr
        for table in (*LINE_COLUMNS, *ORDER_COLUMNS):
            function = _id(f"retail_product_month_{table}_changed")
            cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", function))
        cr.execute(SQL("DROP TABLE IF EXISTS %s", _id(DIRTY)))
        cr.execute(SQL("DROP TABLE IF EXISTS %s", _id(FORECAST_DIRTY)))
        cr.execute(SQL("DROP TABLE IF EXISTS %s", _id(FORECAST_STATE)))

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    def _insert(self, lines):
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO retail_product_month (
                    company_id, warehouse_id, product_id, date, qty, revenue, line_count,
                    customer_count, repeat_customer_count, last_sale)
                %s
                """,
                months_sql(lines),
            )
        )

    @api.model
    def _rebuild(self):
        """Every month from every line (the first night, or on demand)."""
        Analysis = self.env["retail.product.analysis"]
        Analysis._flush_sources()
        self.env.cr.execute(SQL("DELETE FROM %s", _id(DIRTY)))
        self.env.cr.execute(SQL("DELETE FROM %s", SQL.identifier(self._table)))
        # every company's next forecast rewrites every pair
        self.env.cr.execute(SQL("DELETE FROM %s", _id(FORECAST_STATE)))
        self._insert(Analysis._lines_sql())
        rows = self.env.cr.rowcount
        self.env.cr.execute(SQL("ANALYZE %s", SQL.identifier(self._table)))
        self.invalidate_model()
        _logger.info("Retail product months rebuilt: %s rows", rows)
        self.env["retail.product.pair"]._rebuild_pairs()

    @api.model
    def _refresh_months(self):
        """Recompute the months of the products changed since the last
        refresh (three statements for any number of them), or rebuild when
        the table is empty."""
        cr = self.env.cr
        Analysis = self.env["retail.product.analysis"]
        Analysis._flush_sources()
        cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", SQL.identifier(self._table)))
        if not cr.fetchone():
            self._rebuild()
            return
        cr.execute(SQL("DELETE FROM %s RETURNING product_id", _id(DIRTY)))
        products = sorted({row[0] for row in cr.fetchall()})
        if products:
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE product_id = ANY(%s)",
                    SQL.identifier(self._table),
                    products,
                )
            )
            self._insert(Analysis._lines_sql(products=SQL("l.product_id = ANY(%s)", products)))
            # each company's next forecast rewrites these products' pairs
            cr.execute(
                SQL(
                    "INSERT INTO %s SELECT c.id, p FROM res_company c, unnest(%s::int[]) p",
                    SQL.identifier(FORECAST_DIRTY),
                    products,
                )
            )
            self.invalidate_model()
        # the window figures: moved to today's window, the products' again
        self.env["retail.product.pair"]._refresh_pairs(products)
