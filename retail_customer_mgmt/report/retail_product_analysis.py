from odoo import Command, api, fields, models, tools
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..models.retail_product_month import months_sql
from ..models.retail_product_pair import WINDOW_START, pair_key, pairs_sql, shift_filter, shift_sql
from ..models.retail_sql import no_jit
from ..services.product_analysis import HOT, NORMAL, SLOW

PROMOTION_DISCOUNT = 20.0
PRODUCT_CLASSES = [(HOT, "Hot"), (NORMAL, "Normal"), (SLOW, "Slow")]


def _company_filter(column, company_ids):
    """``AND column = ANY(company_ids)``, or nothing for every company."""
    if company_ids is None:
        return SQL()
    return SQL("AND %s = ANY(%s)", column, list(company_ids))


class RetailProductAnalysis(models.Model):
    """What sells and what does not: one row per product, warehouse (or
    shop) and month of the sales orders and POS orders counted as purchases
    (the states of ``retail.purchase``; anonymous POS orders count in units
    and revenue, not in customers), plus a row in the current month for the
    products in stock that did not sell this month.

    The stock figures (on hand, value, turnover, days of inventory,
    sell-through), the rank and the class are those of the product in the
    warehouse over the company's analysis window (Settings); they repeat on
    each month of the product and warehouse, so the views average them;
    on hand and stock value sit on the current month only, so they add up.
    Costs are the products' current cost (``standard_price``), as
    ``sale_margin`` prices a line that has no purchase price.

    The month figures come from the stored months (``retail.product.month``)
    for the products unchanged since its last refresh and from the lines for
    the others; the window figures (units, revenue, last sale) from the
    stored pairs (``retail.product.pair``) of the same products, moved to
    today's window by the lines dated between their window start and
    today's: exact at any time, without reading every line.
    """

    _name = "retail.product.analysis"
    _description = "Retail Product Analysis"
    _auto = False
    _rec_name = "product_id"
    _order = "date desc, revenue desc, id"

    product_id = fields.Many2one("product.product", readonly=True)
    product_tmpl_id = fields.Many2one("product.template", string="Product Template", readonly=True)
    categ_id = fields.Many2one("product.category", string="Product Category", readonly=True)
    warehouse_id = fields.Many2one("stock.warehouse", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    date = fields.Date("Month", readonly=True)
    is_current_month = fields.Boolean(readonly=True)
    qty = fields.Float("Units", digits="Product Unit of Measure", readonly=True)
    revenue = fields.Monetary(currency_field="currency_id", readonly=True)
    cost = fields.Monetary(currency_field="currency_id", readonly=True)
    margin = fields.Monetary(currency_field="currency_id", readonly=True)
    order_count = fields.Integer(
        "Order Lines",
        readonly=True,
        help="Sales order and POS order lines of the product (one per order, as a rule).",
    )
    customer_count = fields.Integer("Customers", readonly=True)
    repeat_customer_count = fields.Integer(
        "Repeat Customers",
        readonly=True,
        help="Customers who bought the product in two orders or more that month.",
    )
    repeat_rate = fields.Float(
        "Bought Again (%)",
        readonly=True,
        aggregator="avg",
        help="Repeat customers over customers of the month, in percent.",
    )
    product_class = fields.Selection(
        PRODUCT_CLASSES,
        string="Class",
        readonly=True,
        help="Hot: among the best sellers that make the first share of the warehouse's "
        "revenue over the analysis window. Slow: in stock and unsold for the slow-mover "
        "days. Normal: the others.",
    )
    revenue_rank = fields.Integer(
        "Rank",
        readonly=True,
        aggregator="min",
        help="Rank of the product by revenue in its warehouse over the analysis window.",
    )
    window_revenue = fields.Monetary(
        "Revenue in Window", currency_field="currency_id", readonly=True, aggregator="avg"
    )
    window_qty = fields.Float(
        "Units in Window", digits="Product Unit of Measure", readonly=True, aggregator="avg"
    )
    last_sale = fields.Datetime(readonly=True, aggregator="max")
    days_since_sale = fields.Integer(readonly=True, aggregator="min")
    on_hand_qty = fields.Float(
        "On Hand", digits="Product Unit of Measure", readonly=True, help="On the current month."
    )
    stock_value = fields.Monetary(
        currency_field="currency_id", readonly=True, help="On the current month."
    )
    turnover = fields.Float(
        "Stock Turnover",
        readonly=True,
        aggregator="avg",
        help="Cost of goods sold over the analysis window divided by the average stock "
        "value (opening and closing) of the window.",
    )
    days_of_inventory = fields.Float(
        readonly=True,
        aggregator="avg",
        help="Days of the analysis window divided by the stock turnover.",
    )
    sell_through = fields.Float(
        "Sell-Through (%)",
        readonly=True,
        aggregator="avg",
        help="Units sold over the analysis window divided by units sold plus units on hand.",
    )

    # ------------------------------------------------------------------
    # SQL, one source per kind of order (as sale/report/sale_report.py)
    # ------------------------------------------------------------------
    @api.model
    def _select_sale(self, company_ids=None, products=None, shift=False):
        """Counted lines of confirmed sales orders (the lines ``retail.purchase``
        reads: no reward, down-payment or note lines), company currency."""
        return SQL(
            """
            SELECT so.company_id, so.warehouse_id, l.product_id, so.date_order AS d,
                   p.commercial_partner_id AS partner_id, so.id AS doc_id,
                   l.product_uom_qty AS qty,
                   l.price_subtotal / COALESCE(NULLIF(so.currency_rate, 0), 1) AS revenue,
                   so.date_order >= %s AS in_window
              FROM sale_order_line l
              JOIN sale_order so ON so.id = l.order_id
              -- LEFT joins on required keys (same rows): the planner drops
              -- them when the reader does not use their columns (the forecast)
         LEFT JOIN res_company c ON c.id = so.company_id
         LEFT JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale' AND l.product_id IS NOT NULL AND l.display_type IS NULL
               AND NOT COALESCE(l.is_downpayment, FALSE) AND l.reward_id IS NULL
               %s %s %s
            """,
            WINDOW_START,
            _company_filter(SQL("so.company_id"), company_ids),
            SQL("AND %s", products) if products else SQL(),
            shift_filter(SQL("so.date_order"), company_ids) if shift else SQL(),
        )

    @api.model
    def _select_pos(self, company_ids=None, products=None, shift=False):
        """Lines of paid POS orders (refunds negative), in the warehouse of the
        shop's operation type; doc ids negative to keep them apart from sales."""
        return SQL(
            """
            SELECT po.company_id, spt.warehouse_id, l.product_id, po.date_order AS d,
                   p.commercial_partner_id AS partner_id, -po.id AS doc_id, l.qty,
                   l.price_subtotal / COALESCE(NULLIF(po.currency_rate, 0), 1) AS revenue,
                   po.date_order >= %s AS in_window
              FROM pos_order_line l
              JOIN pos_order po ON po.id = l.order_id
         LEFT JOIN res_company c ON c.id = po.company_id
              JOIN pos_session ps ON ps.id = po.session_id
              JOIN pos_config pc ON pc.id = ps.config_id
         LEFT JOIN stock_picking_type spt ON spt.id = pc.picking_type_id
         LEFT JOIN res_partner p ON p.id = po.partner_id
             WHERE po.state IN ('paid', 'done', 'invoiced')
               AND l.reward_id IS NULL AND NOT COALESCE(l.is_reward_line, FALSE)
               %s %s %s
            """,
            WINDOW_START,
            _company_filter(SQL("po.company_id"), company_ids),
            SQL("AND %s", products) if products else SQL(),
            shift_filter(SQL("po.date_order"), company_ids) if shift else SQL(),
        )

    @api.model
    def _lines_sql(self, company_ids=None, products=None, shift=False):
        """Every counted line: company_id, warehouse_id, product_id, d,
        partner_id (commercial, NULL for anonymous POS orders), doc_id, qty,
        revenue (company currency), in_window (dated in the company's
        analysis window); only those of ``company_ids`` when given (the
        filter sits on the orders, where the planner uses it), those that
        meet ``products`` (a condition on ``l.product_id``) when given, and
        those dated between the window start of the stored pairs
        (``retail.product.pair``) and today's when ``shift``."""
        return SQL(" UNION ALL ").join(
            [
                self._select_sale(company_ids, products, shift),
                self._select_pos(company_ids, products, shift),
            ]
        )

    @api.model
    def _flush_sources(self):
        for model in (
            "sale.order",
            "sale.order.line",
            "pos.order",
            "pos.order.line",
            "pos.session",
            "pos.config",
            "stock.quant",
            "stock.move",
            "product.product",
            "product.template",
            "res.company",
        ):
            self.env[model].flush_model()

    @api.model
    def _query(self, company_ids=None):
        return SQL(
            """
            WITH changed AS MATERIALIZED (
                -- the lines of the products changed since the last refresh
                %(changed_lines)s
            ),
            stored AS (
                -- the stored months of the products unchanged since the
                -- last refresh, the others' months from their lines
                SELECT company_id, warehouse_id, product_id, date AS month, qty, revenue,
                       line_count, customer_count, repeat_customer_count
                  FROM retail_product_month m
                 WHERE NOT EXISTS (SELECT 1 FROM retail_product_month_dirty d
                                    WHERE d.product_id = m.product_id) %(month_companies)s
                UNION ALL
                SELECT company_id, warehouse_id, product_id, month, qty, revenue,
                       line_count, customer_count, repeat_customer_count
                  FROM (%(changed_months)s) cm
            ),
            shift AS (
                -- the lines that entered or left the window since the
                -- stored pairs' window start
                SELECT %(key_shift)s AS pair_key, s.window_qty, s.window_revenue
                  FROM (%(shift)s) s
            ),
            sold AS (
                -- the stored window figures of the unchanged products, the
                -- others' from their lines
                SELECT %(key_pair)s AS pair_key, p.company_id,
                       COALESCE(p.warehouse_id, 0) AS warehouse_id, p.product_id,
                       p.window_qty + COALESCE(sh.window_qty, 0) AS window_qty,
                       p.window_revenue + COALESCE(sh.window_revenue, 0) AS window_revenue,
                       p.last_sale
                  FROM retail_product_pair p
             LEFT JOIN shift sh ON sh.pair_key = %(key_pair)s
                 WHERE NOT EXISTS (SELECT 1 FROM retail_product_month_dirty d
                                    WHERE d.product_id = p.product_id) %(pair_companies)s
                UNION ALL
                SELECT %(key_changed)s, cp.company_id, COALESCE(cp.warehouse_id, 0),
                       cp.product_id, cp.window_qty, cp.window_revenue, cp.last_sale
                  FROM (%(changed_pairs)s) cp
            ),
            stock AS (
                SELECT %(key_stock)s AS pair_key, q.company_id, sl.warehouse_id, q.product_id,
                       SUM(q.quantity) AS on_hand
                  FROM stock_quant q JOIN stock_location sl ON sl.id = q.location_id
                 WHERE sl.usage = 'internal' AND sl.warehouse_id IS NOT NULL %(stock_companies)s
              GROUP BY 1, 2, 3, 4
            ),
            flows AS (
                SELECT %(key_flows)s AS pair_key, SUM(net) AS net_in
                  FROM (
                    SELECT m.company_id, ld.warehouse_id, m.product_id, m.product_qty AS net,
                           m.date
                      FROM stock_move m JOIN stock_location ld ON ld.id = m.location_dest_id
                      JOIN stock_location ls ON ls.id = m.location_id
                     WHERE m.state = 'done' AND ld.warehouse_id IS NOT NULL
                       AND ld.usage = 'internal'
                       AND ls.warehouse_id IS DISTINCT FROM ld.warehouse_id
                    UNION ALL
                    SELECT m.company_id, ls.warehouse_id, m.product_id, -m.product_qty, m.date
                      FROM stock_move m JOIN stock_location ls ON ls.id = m.location_id
                      JOIN stock_location ld ON ld.id = m.location_dest_id
                     WHERE m.state = 'done' AND ls.warehouse_id IS NOT NULL
                       AND ls.usage = 'internal'
                       AND ld.warehouse_id IS DISTINCT FROM ls.warehouse_id
                  ) f JOIN res_company c ON c.id = f.company_id
                 WHERE f.date >= %(window_start)s %(flow_companies)s
              GROUP BY 1
            ),
            pair AS (
                SELECT COALESCE(s.pair_key, st.pair_key) AS pair_key,
                       COALESCE(s.company_id, st.company_id) AS company_id,
                       COALESCE(s.warehouse_id, st.warehouse_id) AS warehouse_id,
                       COALESCE(s.product_id, st.product_id) AS product_id,
                       GREATEST(COALESCE(s.window_revenue, 0), 0)::float8 AS window_revenue,
                       COALESCE(s.window_qty, 0) AS window_qty,
                       s.last_sale,
                       COALESCE(st.on_hand, 0) AS on_hand, st.on_hand IS NOT NULL AS stocked
                  FROM sold s
             FULL JOIN stock st ON st.pair_key = s.pair_key
            ),
            ranked AS (
                SELECT pair.*, pp.product_tmpl_id, pt.categ_id,
                       (pp.standard_price ->> pair.company_id::text)::float8 AS unit_cost,
                       COALESCE(fl.net_in, 0) AS net_in,
                       RANK() OVER w_order AS revenue_rank,
                       SUM(window_revenue) OVER w_order
                           - window_revenue * COUNT(*) OVER (
                                PARTITION BY pair.company_id, pair.warehouse_id, window_revenue)
                           AS revenue_above,
                       SUM(window_revenue) OVER (
                           PARTITION BY pair.company_id, pair.warehouse_id) AS revenue_total
                  FROM pair
                  JOIN product_product pp ON pp.id = pair.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
             LEFT JOIN flows fl ON fl.pair_key = pair.pair_key
                WINDOW w_order AS (
                    PARTITION BY pair.company_id, pair.warehouse_id
                    ORDER BY window_revenue DESC)
            ),
            figures AS (
                SELECT r.pair_key, r.company_id, r.warehouse_id, r.product_id, r.product_tmpl_id,
                       r.categ_id,
                       c.currency_id, r.on_hand, r.stocked,
                       r.window_revenue, r.window_qty, r.last_sale,
                       CASE WHEN r.window_revenue > 0 THEN r.revenue_rank END AS revenue_rank,
                       CASE
                           WHEN r.window_revenue > 0
                            AND r.revenue_above < r.revenue_total
                                * COALESCE(c.retail_product_hot_percent, 0) / 100.0
                               THEN 'hot'
                           WHEN r.on_hand > 0
                            AND (r.last_sale IS NULL OR r.last_sale <= %(slow_before)s)
                               THEN 'slow'
                           ELSE 'normal'
                       END AS product_class,
                       COALESCE(r.unit_cost, 0) AS unit_cost,
                       (GREATEST(r.on_hand, 0) + GREATEST(r.on_hand - r.net_in, 0)) / 2.0
                           AS avg_stock,
                       %(window_days)s AS window_days
                  FROM ranked r JOIN res_company c ON c.id = r.company_id
            ),
            months AS (
                SELECT %(key_monthly)s AS pair_key, s.company_id,
                       COALESCE(s.warehouse_id, 0) AS warehouse_id, s.product_id, s.month, s.qty,
                       s.revenue, s.line_count AS orders, s.customer_count AS customers,
                       s.repeat_customer_count AS repeat_customers
                  FROM stored s
                UNION ALL
                SELECT f.pair_key, f.company_id, f.warehouse_id, f.product_id,
                       date_trunc('month', NOW() AT TIME ZONE 'UTC')::date, 0, 0, 0, 0, 0
                  FROM figures f
                 WHERE f.stocked AND (f.last_sale IS NULL OR f.last_sale
                                      < date_trunc('month', NOW() AT TIME ZONE 'UTC'))
            )
            SELECT ((m.product_id::bigint * 1000 + MOD(m.warehouse_id, 1000)) * 1200
                    + (EXTRACT(YEAR FROM m.month)::int - 2000) * 12
                    + EXTRACT(MONTH FROM m.month)::int - 1) AS id,
                   m.product_id, f.product_tmpl_id, f.categ_id,
                   NULLIF(m.warehouse_id, 0) AS warehouse_id, m.company_id,
                   f.currency_id, m.month AS date,
                   m.month = date_trunc('month', NOW() AT TIME ZONE 'UTC')::date
                       AS is_current_month,
                   m.qty, m.revenue, m.qty * f.unit_cost AS cost,
                   m.revenue - m.qty * f.unit_cost AS margin,
                   m.orders AS order_count, m.customers AS customer_count,
                   m.repeat_customers AS repeat_customer_count,
                   CASE WHEN m.customers > 0
                        THEN 100.0 * m.repeat_customers / m.customers ELSE 0 END AS repeat_rate,
                   f.product_class, f.revenue_rank, f.window_revenue, f.window_qty,
                   f.last_sale,
                   (NOW() AT TIME ZONE 'UTC')::date - f.last_sale::date AS days_since_sale,
                   CASE WHEN m.month = date_trunc('month', NOW() AT TIME ZONE 'UTC')::date
                        THEN f.on_hand ELSE 0 END AS on_hand_qty,
                   CASE WHEN m.month = date_trunc('month', NOW() AT TIME ZONE 'UTC')::date
                        THEN f.on_hand * f.unit_cost ELSE 0 END AS stock_value,
                   CASE WHEN f.avg_stock > 0 THEN f.window_qty / f.avg_stock END AS turnover,
                   CASE WHEN f.avg_stock > 0 AND f.window_qty > 0
                        THEN f.window_days * f.avg_stock / f.window_qty END
                       AS days_of_inventory,
                   CASE WHEN GREATEST(f.window_qty, 0) + GREATEST(f.on_hand, 0) > 0
                        THEN 100.0 * GREATEST(f.window_qty, 0)
                             / (GREATEST(f.window_qty, 0) + GREATEST(f.on_hand, 0))
                        ELSE 0 END AS sell_through
              FROM months m
              -- one key column: the planner's estimate of a join on three
              -- columns of CTEs is one row, and it nests the loops
              JOIN figures f ON f.pair_key = m.pair_key
            """,
            changed_lines=self._lines_sql(
                company_ids,
                products=SQL("l.product_id IN (SELECT product_id FROM retail_product_month_dirty)"),
            ),
            changed_months=months_sql(SQL("SELECT * FROM changed")),
            changed_pairs=pairs_sql(SQL("SELECT * FROM changed")),
            month_companies=_company_filter(SQL("m.company_id"), company_ids),
            pair_companies=_company_filter(SQL("p.company_id"), company_ids),
            shift=shift_sql(self._lines_sql(company_ids, shift=True)),
            key_monthly=pair_key("s"),
            key_shift=pair_key("s"),
            key_pair=pair_key("p"),
            key_changed=pair_key("cp"),
            key_stock=SQL("(q.product_id::bigint * 10000 + sl.warehouse_id) * 1000 + q.company_id"),
            key_flows=SQL("(f.product_id::bigint * 10000 + f.warehouse_id) * 1000 + f.company_id"),
            stock_companies=_company_filter(SQL("q.company_id"), company_ids),
            flow_companies=_company_filter(SQL("f.company_id"), company_ids),
            window_days=SQL("GREATEST(c.retail_product_window_days, 1)"),
            window_start=WINDOW_START,
            slow_before=SQL(
                "(NOW() AT TIME ZONE 'UTC'"
                " - make_interval(days => GREATEST(c.retail_product_slow_days, 0)))"
            ),
        )

    @property
    def _table_query(self):
        """The rows of the companies of the environment only (those the
        multi-company rule lets the user read, or those of ``with_company``):
        a shop in a multi-company database does not pay for the others'
        lines, which a view could not filter before computing them.

        The transaction that reads it runs without JIT compilation
        (``no_jit``): the plan of a million month rows costs enough for
        PostgreSQL to compile it."""
        no_jit(self.env.cr)
        return self._query(self.env.companies.ids)

    def init(self):
        # a view of an earlier version, replaced by ``_table_query``
        tools.drop_view_if_exists(self.env.cr, self._table)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_create_promotion(self):
        """Start a promotion for the selected products: an Odoo promotion
        program (automatic, discount on those products), created archived
        so that it applies only once the user has reviewed and unarchived
        it, and opened in its form. Created with the user's own rights."""
        products = self.product_id
        if not products:
            raise UserError(self.env._("Select the products to put on promotion."))
        if len(self.company_id) > 1:
            raise UserError(
                self.env._("Start one promotion per company: the selection mixes companies.")
            )
        company = self.company_id or self.env.company
        program = (
            self.env["loyalty.program"]
            .with_company(company)
            .create(
                {
                    "name": self.env._(
                        "Slow movers %(date)s", date=fields.Date.context_today(self)
                    ),
                    "program_type": "promotion",
                    "company_id": company.id,
                    "trigger": "auto",
                    "applies_on": "current",
                    "active": False,
                    "rule_ids": [
                        Command.create(
                            {
                                "product_ids": [Command.set(products.ids)],
                                "minimum_qty": 1,
                                "minimum_amount": 0,
                                "reward_point_mode": "order",
                                "reward_point_amount": 1,
                            }
                        )
                    ],
                    "reward_ids": [
                        Command.create(
                            {
                                "reward_type": "discount",
                                "discount": PROMOTION_DISCOUNT,
                                "discount_mode": "percent",
                                "discount_applicability": "specific",
                                "discount_product_ids": [Command.set(products.ids)],
                                "required_points": 1,
                            }
                        )
                    ],
                }
            )
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "loyalty.program",
            "res_id": program.id,
            "view_mode": "form",
            "views": [[False, "form"]],
            "target": "current",
        }
