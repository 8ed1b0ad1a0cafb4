import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.tools import SQL

from ..services.recommendations import CO_PURCHASE, REPEAT, SCORE_DIGITS, Params

_logger = logging.getLogger(__name__)


class RetailRecommendation(models.Model):
    """Products recommended to a customer in a company, rebuilt every night.

    The rules are those of ``services.recommendations``; the refresh runs
    them in SQL, one statement per company, whatever the number of
    customers and orders.
    """

    _name = "retail.recommendation"
    _description = "Recommended Product"
    _order = "company_id, partner_id, rank"
    _check_company_auto = True

    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        readonly=True,
        ondelete="cascade",
    )
    product_id = fields.Many2one(
        "product.product", required=True, readonly=True, ondelete="cascade"
    )
    rank = fields.Integer(readonly=True)
    reason = fields.Selection(
        [(REPEAT, "Buys it again"), (CO_PURCHASE, "Bought together")],
        required=True,
        readonly=True,
        help="Buys it again: the customer bought the product in several orders. "
        "Bought together: customers who bought the same products also bought it.",
    )
    score = fields.Float(
        readonly=True,
        digits=(16, 3),
        help="Buys it again: number of orders of the product. Bought together: sum "
        "of the similarities with the customer's recent products (1 = always bought "
        "by the same customers).",
    )
    available_in_pos = fields.Boolean(related="product_id.available_in_pos")

    _sql_constraints = [
        (
            "partner_product_unique",
            "UNIQUE (company_id, partner_id, product_id)",
            "A product is recommended once per customer and company.",
        ),
    ]

    # ------------------------------------------------------------------
    # Refresh
    # ------------------------------------------------------------------
    @api.model
    def _retail_params(self, company):
        return Params(top_n=max(company.retail_reco_count, 1))

    @api.model
    def _retail_exclude_since(self, company):
        return fields.Datetime.now() - relativedelta(days=company.retail_reco_exclude_days)

    @api.model
    def _retail_recommendable_sql(self, company):
        """Products that may be proposed: active, sold, of the company or shared."""
        return SQL(
            """
            SELECT pp.id
              FROM product_product pp
              JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE pp.active AND pt.active AND pt.sale_ok
               AND (pt.company_id IS NULL OR pt.company_id = %s)
            """,
            company.id,
        )

    @api.model
    def _retail_refresh_sql(self, company, params, exclude_since):
        """One statement computing and inserting the recommendations of ``company``."""
        return SQL(
            """
            WITH lines AS MATERIALIZED (%(lines)s),
            recommendable AS MATERIALIZED (%(recommendable)s),
            held AS MATERIALIZED (
                SELECT partner_id, product_id,
                       COUNT(DISTINCT (source, doc_id)) FILTER (WHERE qty > 0) AS orders,
                       SUM(qty) AS net_qty,
                       MAX(d) FILTER (WHERE qty > 0) AS last_date
                  FROM lines
              GROUP BY partner_id, product_id
            ),
            basket AS MATERIALIZED (
                SELECT partner_id, product_id
                  FROM (SELECT partner_id, product_id,
                               ROW_NUMBER() OVER (PARTITION BY partner_id
                                                  ORDER BY last_date DESC, product_id) AS pos
                          FROM held
                         WHERE net_qty > 0 AND orders > 0) b
                 WHERE pos <= %(basket_cap)s
            ),
            buyers AS (
                SELECT product_id, COUNT(*) AS n FROM basket GROUP BY product_id
            ),
            neighbours AS MATERIALIZED (
                SELECT i, j, sim
                  FROM (SELECT s.i, s.j, s.sim,
                               ROW_NUMBER() OVER (PARTITION BY s.i ORDER BY s.sim DESC, s.j) AS pos
                          FROM (SELECT a.product_id AS i, b.product_id AS j,
                                       COUNT(*) / SQRT(ba.n * bb.n) AS sim
                                  FROM basket a
                                  JOIN basket b ON b.partner_id = a.partner_id
                                               AND b.product_id <> a.product_id
                                  JOIN recommendable r ON r.id = b.product_id
                                  JOIN buyers ba ON ba.product_id = a.product_id
                                  JOIN buyers bb ON bb.product_id = b.product_id
                              GROUP BY a.product_id, b.product_id, ba.n, bb.n) s) n
                 WHERE pos <= %(neighbours)s
            ),
            co_purchase AS (
                SELECT b.partner_id, n.j AS product_id,
                       ROUND(SUM(n.sim)::numeric, %(digits)s) AS score
                  FROM basket b
                  JOIN neighbours n ON n.i = b.product_id
                 WHERE NOT EXISTS (SELECT 1 FROM held h
                                    WHERE h.partner_id = b.partner_id
                                      AND h.product_id = n.j AND h.orders > 0)
              GROUP BY b.partner_id, n.j
            ),
            own_repeat AS (
                SELECT h.partner_id, h.product_id, h.orders::numeric AS score
                  FROM held h
                  JOIN recommendable r ON r.id = h.product_id
                 WHERE h.net_qty > 0 AND h.orders >= %(min_repeat)s
                   AND h.last_date < %(exclude_since)s
            ),
            ranked AS (
                SELECT partner_id, product_id, %(repeat)s AS reason, score, 0 AS prio,
                       ROW_NUMBER() OVER (PARTITION BY partner_id
                                          ORDER BY score DESC, product_id) AS pos
                  FROM own_repeat
                UNION ALL
                SELECT partner_id, product_id, %(co_purchase)s, score, 1,
                       ROW_NUMBER() OVER (PARTITION BY partner_id
                                          ORDER BY score DESC, product_id)
                  FROM co_purchase
            ),
            merged AS (
                SELECT partner_id, product_id, reason, score,
                       ROW_NUMBER() OVER (PARTITION BY partner_id ORDER BY pos, prio) AS rank
                  FROM ranked
                 WHERE pos <= %(top_n)s
            )
            INSERT INTO retail_recommendation (company_id, partner_id, product_id, rank, reason,
                                               score, create_uid, create_date, write_uid,
                                               write_date)
            SELECT %(company)s, m.partner_id, m.product_id, m.rank, m.reason, m.score,
                   %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
              FROM merged m
              JOIN res_partner p ON p.id = m.partner_id
             WHERE m.rank <= %(top_n)s AND p.active
            """,
            lines=self.env["retail.purchase"]._lines_sql(company),
            recommendable=self._retail_recommendable_sql(company),
            basket_cap=params.basket_cap,
            neighbours=params.neighbours,
            min_repeat=params.min_repeat_orders,
            top_n=params.top_n,
            digits=SCORE_DIGITS,
            exclude_since=exclude_since,
            repeat=REPEAT,
            co_purchase=CO_PURCHASE,
            company=company.id,
            uid=self.env.uid,
        )

    @api.model
    def _retail_refresh(self, company):
        """Rebuild the recommendations of ``company``: two statements."""
        self.env["retail.purchase"]._flush()
        for model in ("product.product", "product.template"):
            self.env[model].flush_model()
        self.flush_model()
        self.env.cr.execute(
            SQL("DELETE FROM retail_recommendation WHERE company_id = %s", company.id)
        )
        self.env.cr.execute(
            self._retail_refresh_sql(
                company, self._retail_params(company), self._retail_exclude_since(company)
            )
        )
        count = self.env.cr.rowcount
        self.invalidate_model()
        return count

    @api.model
    def _cron_retail_refresh(self):
        for company in self.env["res.company"].search([]):
            count = self._retail_refresh(company)
            _logger.info("Recommendations of %s: %s rows", company.name, count)

    @api.model
    def action_retail_refresh_now(self):
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can refresh recommendations."))
        # sudo: the refresh reads every order of the company and rewrites the
        # table; managers may not hold rights on all the order models.
        count = self.sudo()._retail_refresh(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Recommendations refreshed"),
                "message": self.env._("%s products recommended.", count),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
