from odoo import fields, models, tools
from odoo.tools import SQL

from ..models.res_partner import PREFERRED_CHANNELS


class RetailCustomerAnalysis(models.Model):
    """Customers of each company with their tier, grade, channel and points,
    for the pivot and graph views of the dashboard.

    One row per graded customer and company: the purchase figures and RFM
    scores are those of the last regrade (nightly, or Regrade Now); tier,
    preferred channel and points are read live.
    """

    _name = "retail.customer.analysis"
    _description = "Retail Customer Analysis"
    _auto = False
    _rec_name = "partner_id"
    _order = "lifetime_spend desc, id"

    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    user_id = fields.Many2one("res.users", string="Salesperson", readonly=True)
    country_id = fields.Many2one("res.country", readonly=True)
    tier_id = fields.Many2one("retail.tier", readonly=True)
    segment_id = fields.Many2one("retail.segment", readonly=True)
    preferred_channel = fields.Selection(PREFERRED_CHANNELS, readonly=True)
    churn_risk = fields.Boolean(readonly=True)
    r_score = fields.Integer("R", readonly=True, aggregator="avg")
    f_score = fields.Integer("F", readonly=True, aggregator="avg")
    m_score = fields.Integer("M", readonly=True, aggregator="avg")
    rfm_code = fields.Char("RFM", readonly=True)
    order_count = fields.Integer("Orders", readonly=True)
    lifetime_spend = fields.Monetary(currency_field="currency_id", readonly=True)
    avg_basket = fields.Monetary(
        "Average Basket", currency_field="currency_id", readonly=True, aggregator="avg"
    )
    monetary = fields.Monetary(
        "Spend in Grading Window", currency_field="currency_id", readonly=True
    )
    recency_days = fields.Integer("Days Since Last Purchase", readonly=True, aggregator="avg")
    last_purchase = fields.Datetime(readonly=True)
    points = fields.Float(readonly=True)
    graded_on = fields.Date(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """
                CREATE OR REPLACE VIEW %s AS (
                    SELECT g.id, g.partner_id, g.company_id, c.currency_id, p.user_id,
                           p.country_id, t.id AS tier_id, g.segment_id,
                           p.retail_preferred_channel AS preferred_channel, g.churn_risk,
                           g.r_score, g.f_score, g.m_score, g.rfm_code, g.order_count,
                           g.lifetime_spend, g.avg_basket, g.monetary,
                           GREATEST(
                               DATE_PART('day', (NOW() AT TIME ZONE 'UTC') - g.last_purchase), 0
                           )::int AS recency_days,
                           g.last_purchase, COALESCE(card.points, 0) AS points, run.graded_on
                      FROM retail_customer_grade g
                      JOIN res_partner p ON p.id = g.partner_id
                      JOIN res_company c ON c.id = g.company_id
                 LEFT JOIN (
                        SELECT company_id, MAX(grading_date) AS graded_on
                          FROM retail_grade_run
                         WHERE state = 'done'
                      GROUP BY company_id
                    ) run ON run.company_id = g.company_id
                 LEFT JOIN retail_tier t
                        ON t.id = (p.retail_tier_id -> g.company_id::text ->> 0)::int4
                 LEFT JOIN LATERAL (
                        SELECT lc.points
                          FROM loyalty_card lc
                         WHERE lc.program_id = c.retail_loyalty_program_id
                           AND lc.partner_id = g.partner_id
                      ORDER BY lc.id
                         LIMIT 1
                    ) card ON TRUE
                )
                """,
                SQL.identifier(self._table),
            )
        )
