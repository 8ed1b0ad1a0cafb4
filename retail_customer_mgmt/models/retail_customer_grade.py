from odoo import api, fields, models

from ..services.rfm import recency_days


class RetailCustomerGrade(models.Model):
    """RFM grade of a customer in a company, written in bulk by the regrade."""

    _name = "retail.customer.grade"
    _description = "Retail Customer Grade"
    _order = "company_id, rfm_total desc, partner_id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    # recency moves every day: computed from the stored last purchase so that
    # the nightly regrade only writes the grades whose scores changed
    recency_days = fields.Integer("Days Since Last Purchase", compute="_compute_recency_days")
    frequency = fields.Integer("Orders in Window", readonly=True)
    # plain floats (double precision): written 10,000 at a time by the regrade
    monetary = fields.Float("Spend in Window", readonly=True)
    order_count = fields.Integer("Orders", readonly=True)
    lifetime_spend = fields.Float(readonly=True)
    avg_basket = fields.Float("Average Basket", readonly=True)
    median_interval = fields.Float("Usual Interval (days)", readonly=True)
    last_purchase = fields.Datetime(readonly=True)
    r_score = fields.Integer("R", readonly=True, aggregator="avg")
    f_score = fields.Integer("F", readonly=True, aggregator="avg")
    m_score = fields.Integer("M", readonly=True, aggregator="avg")
    rfm_total = fields.Integer("RFM Total", readonly=True, aggregator="avg")
    rfm_code = fields.Char("RFM", readonly=True)
    segment_id = fields.Many2one("retail.segment", readonly=True, index=True, ondelete="set null")
    churn_risk = fields.Boolean(readonly=True)
    graded_on = fields.Date(
        compute="_compute_graded_on", help="Date of the last regrade of the company."
    )
    changed_on = fields.Date("Grade Changed On", readonly=True)

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE (partner_id, company_id)",
            "A customer has one grade per company.",
        ),
    ]

    @api.depends("last_purchase")
    def _compute_recency_days(self):
        now = fields.Datetime.now()
        for grade in self:
            grade.recency_days = (
                recency_days(now, grade.last_purchase) if grade.last_purchase else 0
            )

    def _compute_graded_on(self):
        runs = self.env["retail.grade.run"]
        last = {}
        for company in self.company_id:
            last[company.id] = runs.search(
                [("company_id", "=", company.id), ("state", "=", "done")],
                order="id desc",
                limit=1,
            ).grading_date
        for grade in self:
            grade.graded_on = last.get(grade.company_id.id)
