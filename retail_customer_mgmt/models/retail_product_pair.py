import logging

from odoo import api, fields, models
from odoo.tools import SQL, create_index, sql

_logger = logging.getLogger(__name__)

# per company, the start of the analysis window the stored figures count from
PAIR_STATE = "retail_product_pair_state"
# start of the analysis window of the company ``c``
WINDOW_START = SQL(
    "(NOW() AT TIME ZONE 'UTC' - make_interval(days => GREATEST(c.retail_product_window_days, 1)))"
)

_id = SQL.identifier


def pair_key(alias):
    """The one bigint key of a company, warehouse (or none) and product."""
    return SQL(
        "(%s::bigint * 10000 + COALESCE(%s, 0)) * 1000 + %s",
        SQL.identifier(alias, "product_id"),
        SQL.identifier(alias, "warehouse_id"),
        SQL.identifier(alias, "company_id"),
    )


def pairs_sql(lines):
    """The pair groups of ``lines`` (the rows of ``_lines_sql``): per
    company, warehouse and product, units and revenue in the analysis
    window (``in_window``) and last sale."""
    return SQL(
        """
        SELECT l.company_id, l.warehouse_id, l.product_id,
               COALESCE(SUM(l.qty) FILTER (WHERE l.in_window), 0) AS window_qty,
               COALESCE(SUM(l.revenue) FILTER (WHERE l.in_window), 0) AS window_revenue,
               MAX(l.d) AS last_sale
          FROM (%s) l
      GROUP BY 1, 2, 3
        """,
        lines,
    )


def shift_sql(lines):
    """Per pair, what ``lines`` (those between the stored window start and
    today's, see ``shift_filter``) add to the stored window figures: the
    lines now in the window count, the others (left the window) subtract."""
    return SQL(
        """
        SELECT l.company_id, l.warehouse_id, l.product_id,
               SUM(CASE WHEN l.in_window THEN l.qty ELSE -l.qty END) AS window_qty,
               SUM(CASE WHEN l.in_window THEN l.revenue ELSE -l.revenue END) AS window_revenue
          FROM (%s) l
      GROUP BY 1, 2, 3
        """,
        lines,
    )


def shift_filter(column, company_ids):
    """The lines dated between the window start the stored pairs count from
    and today's window start (``c`` is the company of the line): a day's
    lines after a nightly refresh. The bounds of every company come first as
    one constant range, so that the orders are found by their date index;
    none for a company without stored pairs."""
    companies = SQL("AND c2.id = ANY(%s)", list(company_ids)) if company_ids is not None else SQL()
    start = SQL(
        "(NOW() AT TIME ZONE 'UTC'"
        " - make_interval(days => GREATEST(c2.retail_product_window_days, 1)))"
    )
    stored = SQL("(SELECT st.window_start FROM %s st WHERE st.company_id = c.id)", _id(PAIR_STATE))
    return SQL(
        """AND %(column)s >= (SELECT MIN(LEAST(st2.window_start, %(start)s))
                                FROM res_company c2 JOIN %(state)s st2 ON st2.company_id = c2.id
                               WHERE TRUE %(companies)s)
           AND %(column)s < (SELECT MAX(GREATEST(st2.window_start, %(start)s))
                               FROM res_company c2 JOIN %(state)s st2 ON st2.company_id = c2.id
                              WHERE TRUE %(companies)s)
           AND %(column)s >= LEAST(%(window_start)s, %(stored)s)
           AND %(column)s < GREATEST(%(window_start)s, %(stored)s)""",
        column=column,
        start=start,
        state=_id(PAIR_STATE),
        companies=companies,
        window_start=WINDOW_START,
        stored=stored,
    )


class RetailProductPair(models.Model):
    """The counted sale and POS lines of ``retail.product.analysis`` summed
    per company, warehouse (or shop) and product: units and revenue in the
    company's analysis window, last sale. What the analysis reads instead of
    regrouping every month of every product.

    The window is relative to the time: the figures count the lines from
    the window start of the last refresh (kept per company in
    ``retail_product_pair_state``); the analysis adds the lines dated
    between that start and its own (those that entered the window) and
    takes off those that left it, a day's lines after a nightly refresh.
    Refreshed with the months (``retail.product.month._refresh_months``, the
    same changed products, the same transaction), rebuilt with them; the
    analysis reads the changed products from their lines until then.
    """

    _name = "retail.product.pair"
    _description = "Retail Product Sales in the Analysis Window"
    _order = "company_id, warehouse_id, product_id"
    _rec_name = "product_id"
    _log_access = False

    company_id = fields.Many2one("res.company", required=True, readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, index=True, ondelete="cascade"
    )
    # numeric: the figures moved each night stay those of a rebuild
    window_qty = fields.Float("Units in Window", digits="Product Unit of Measure", readonly=True)
    window_revenue = fields.Float("Revenue in Window", digits=(16, 6), readonly=True)
    last_sale = fields.Datetime(readonly=True)

    def init(self):
        cr = self.env.cr
        cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s
                   (company_id integer PRIMARY KEY, window_start timestamp NOT NULL)""",
                _id(PAIR_STATE),
            )
        )
        create_index(cr, "retail_product_pair_company_index", self._table, ["company_id"])
        # a database whose months predate the pairs: build them once (the
        # months' own first build builds them too)
        cr.execute(SQL("SELECT 1 FROM %s LIMIT 1", _id(self._table)))
        if not cr.fetchone() and sql.table_exists(cr, "retail_product_month"):
            self._rebuild_pairs()

    @api.model
    def _drop_state(self):
        """Uninstall: the table of the window starts."""
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", _id(PAIR_STATE)))

    def _save_window_start(self):
        """Every company's stored figures now count from today's window."""
        self.env.cr.execute(
            SQL(
                """INSERT INTO %s (company_id, window_start)
                   SELECT c.id, %s FROM res_company c
                   ON CONFLICT (company_id) DO UPDATE SET window_start = EXCLUDED.window_start""",
                _id(PAIR_STATE),
                WINDOW_START,
            )
        )

    def _insert(self, lines):
        self.env.cr.execute(
            SQL(
                """INSERT INTO %s (company_id, warehouse_id, product_id, window_qty,
                                   window_revenue, last_sale)
                   %s""",
                _id(self._table),
                pairs_sql(lines),
            )
        )

    @api.model
    def _rebuild_pairs(self):
        """Every pair from every line (with the months' rebuild)."""
        if not sql.table_exists(self.env.cr, self._table):
            return  # the install builds the months first; this init, the pairs
        Analysis = self.env["retail.product.analysis"]
        self.env.cr.execute(SQL("DELETE FROM %s", _id(self._table)))
        self._insert(Analysis._lines_sql())
        rows = self.env.cr.rowcount
        self._save_window_start()
        self.env.cr.execute(SQL("ANALYZE %s", _id(self._table)))
        self.invalidate_model()
        _logger.info("Retail product pairs rebuilt: %s rows", rows)

    @api.model
    def _refresh_pairs(self, products):
        """The nightly refresh, with the months: the stored figures move to
        today's window (the lines between the two starts), then the pairs
        of the changed ``products`` are computed again from their lines.
        Four statements for any number of products."""
        cr = self.env.cr
        Analysis = self.env["retail.product.analysis"]
        shift = shift_sql(Analysis._lines_sql(shift=True))
        cr.execute(
            SQL(
                """UPDATE %(table)s p
                      SET window_qty = p.window_qty + s.window_qty,
                          window_revenue = p.window_revenue + s.window_revenue
                     FROM (%(shift)s) s
                    WHERE p.company_id = s.company_id AND p.product_id = s.product_id
                      AND COALESCE(p.warehouse_id, 0) = COALESCE(s.warehouse_id, 0)""",
                table=_id(self._table),
                shift=shift,
            )
        )
        if products:
            cr.execute(
                SQL("DELETE FROM %s WHERE product_id = ANY(%s)", _id(self._table), list(products))
            )
            self._insert(
                Analysis._lines_sql(products=SQL("l.product_id = ANY(%s)", list(products)))
            )
        self._save_window_start()
        self.invalidate_model()
