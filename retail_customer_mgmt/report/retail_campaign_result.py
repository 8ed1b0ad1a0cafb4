from odoo import api, fields, models
from odoo.tools import SQL

TRACE_REACHED = ("pending", "sent", "open", "reply")
# fields of sales and POS orders the purchase rows read
ORDER_FIELDS = ["state", "company_id", "partner_id", "date_order", "amount_total", "currency_rate"]


class RetailCampaignResult(models.Model):
    """What each campaign (mailing on contacts) brought back, in the current
    company: customers reached, opened and clicked (Odoo's mailing traces),
    and the orders and revenue of the reached customers within the
    mailing's results window after it reached them.

    One SQL query for all campaigns (``_table_query``): traces grouped per
    mailing and customer, joined with the purchase rows the whole addon
    counts (``retail.purchase._rows_sql``: confirmed sales orders,
    paid POS orders, refunds netted out) on customer and date. An order in
    the window of two campaigns counts for both.
    """

    _name = "retail.campaign.result"
    _description = "Retail Campaign Result"
    _auto = False
    _rec_name = "subject"
    _order = "sent_date desc, id desc"
    _depends = {
        "mailing.trace": [
            "mass_mailing_id",
            "model",
            "res_id",
            "trace_status",
            "sent_datetime",
            "open_datetime",
            "links_click_datetime",
        ],
        "mailing.mailing": [
            "subject",
            "mailing_type",
            "campaign_id",
            "sent_date",
            "retail_result_days",
        ],
        "sale.order": ORDER_FIELDS,
        "pos.order": ORDER_FIELDS,
        "account.move": [
            "state",
            "move_type",
            "company_id",
            "commercial_partner_id",
            "date",
            "amount_total_signed",
        ],
        "res.partner": ["commercial_partner_id"],
    }

    mailing_id = fields.Many2one("mailing.mailing", readonly=True)
    subject = fields.Char("Campaign", readonly=True)
    mailing_type = fields.Selection(
        [("mail", "Email"), ("sms", "SMS")], string="Channel", readonly=True
    )
    campaign_id = fields.Many2one("utm.campaign", string="Marketing Campaign", readonly=True)
    sent_date = fields.Datetime(readonly=True)
    result_days = fields.Integer("Window (days)", readonly=True, aggregator="max")
    company_id = fields.Many2one("res.company", readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    recipient_count = fields.Integer("Recipients", readonly=True)
    reached_count = fields.Integer("Reached", readonly=True)
    opened_count = fields.Integer("Opened", readonly=True)
    clicked_count = fields.Integer("Clicked", readonly=True)
    buyer_count = fields.Integer("Buyers", readonly=True)
    order_count = fields.Integer("Orders", readonly=True)
    revenue = fields.Monetary(currency_field="currency_id", readonly=True)
    open_rate = fields.Float("Opened (%)", readonly=True, aggregator="avg")
    click_rate = fields.Float("Clicked (%)", readonly=True, aggregator="avg")
    conversion_rate = fields.Float("Bought (%)", readonly=True, aggregator="avg")

    @property
    def _table_query(self):
        return self._retail_query(self.env.company)

    @api.model
    def _retail_query(self, company):
        orders = self.env["retail.purchase"]._rows_sql(company)
        return SQL(
            """
            WITH recipients AS (
                SELECT t.mass_mailing_id AS mailing_id,
                       p.commercial_partner_id AS partner_id,
                       MIN(COALESCE(t.sent_datetime, t.create_date)) AS sent_at,
                       BOOL_OR(t.trace_status IN %(reached)s) AS reached,
                       BOOL_OR(t.open_datetime IS NOT NULL
                               OR t.trace_status IN ('open', 'reply')) AS opened,
                       BOOL_OR(t.links_click_datetime IS NOT NULL) AS clicked
                  FROM mailing_trace t
                  JOIN res_partner p ON p.id = t.res_id
                 WHERE t.model = 'res.partner' AND t.mass_mailing_id IS NOT NULL
              GROUP BY t.mass_mailing_id, p.commercial_partner_id
            ), per_recipient AS (
                SELECT r.mailing_id, r.partner_id, r.reached, r.opened, r.clicked,
                       COUNT(o.doc_id) FILTER (WHERE o.is_order = 1) AS order_count,
                       COALESCE(SUM(o.amount), 0) AS revenue
                  FROM recipients r
                  JOIN mailing_mailing m ON m.id = r.mailing_id
             LEFT JOIN (%(orders)s) o
                    ON r.reached AND o.partner_id = r.partner_id
                   AND o.d >= r.sent_at
                   AND o.d < r.sent_at + make_interval(days => GREATEST(m.retail_result_days, 0))
              GROUP BY r.mailing_id, r.partner_id, r.reached, r.opened, r.clicked
            )
            SELECT m.id AS id,
                   m.id AS mailing_id,
                   m.subject,
                   m.mailing_type,
                   m.campaign_id,
                   m.sent_date,
                   m.retail_result_days AS result_days,
                   %(company)s AS company_id,
                   %(currency)s AS currency_id,
                   COUNT(*) AS recipient_count,
                   COUNT(*) FILTER (WHERE pr.reached) AS reached_count,
                   COUNT(*) FILTER (WHERE pr.opened) AS opened_count,
                   COUNT(*) FILTER (WHERE pr.clicked) AS clicked_count,
                   COUNT(*) FILTER (WHERE pr.order_count > 0) AS buyer_count,
                   COALESCE(SUM(pr.order_count), 0)::int AS order_count,
                   COALESCE(SUM(pr.revenue), 0) AS revenue,
                   ROUND(100.0 * COUNT(*) FILTER (WHERE pr.opened)
                         / NULLIF(COUNT(*) FILTER (WHERE pr.reached), 0), 1) AS open_rate,
                   ROUND(100.0 * COUNT(*) FILTER (WHERE pr.clicked)
                         / NULLIF(COUNT(*) FILTER (WHERE pr.reached), 0), 1) AS click_rate,
                   ROUND(100.0 * COUNT(*) FILTER (WHERE pr.order_count > 0)
                         / NULLIF(COUNT(*) FILTER (WHERE pr.reached), 0), 1) AS conversion_rate
              FROM per_recipient pr
              JOIN mailing_mailing m ON m.id = pr.mailing_id
          GROUP BY m.id
            """,
            reached=TRACE_REACHED,
            orders=orders,
            company=company.id,
            currency=company.currency_id.id,
        )
