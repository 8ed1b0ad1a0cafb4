from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.purchase_stats import SourceRow, compare, merge_sources

# Aggregates of the purchase figures, as SQL over the per-source rows of
# retail.purchase's _aggregates_sql(); the same definitions as
# services.purchase_stats.
_STAT_AGGREGATES = {
    "retail_lifetime_spend": ("SUM(amount)", 0.0),
    "retail_order_count": ("SUM(order_count)", 0),
    "retail_average_basket": ("COALESCE(SUM(amount) / NULLIF(SUM(order_count), 0), 0)", 0.0),
    "retail_first_purchase_date": ("MIN(first_date)", None),
    "retail_last_purchase_date": ("MAX(last_date)", None),
}


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Purchase figures of the current company, computed set-based on read.
    retail_currency_id = fields.Many2one("res.currency", compute="_compute_retail_currency_id")
    retail_lifetime_spend = fields.Monetary(
        string="Lifetime Spend",
        currency_field="retail_currency_id",
        compute="_compute_retail_purchase_stats",
        search="_search_retail_lifetime_spend",
        groups="retail_customer_mgmt.group_retail_user",
        help="Confirmed sales orders and paid POS orders, net of refunds, "
        "in the currency of the current company.",
    )
    retail_order_count = fields.Integer(
        string="Orders",
        compute="_compute_retail_purchase_stats",
        search="_search_retail_order_count",
        groups="retail_customer_mgmt.group_retail_user",
        help="Confirmed sales orders and paid POS orders (refunds excluded) "
        "in the current company.",
    )
    retail_average_basket = fields.Monetary(
        string="Average Basket",
        currency_field="retail_currency_id",
        compute="_compute_retail_purchase_stats",
        search="_search_retail_average_basket",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_first_purchase_date = fields.Datetime(
        string="First Purchase",
        compute="_compute_retail_purchase_stats",
        search="_search_retail_first_purchase_date",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_last_purchase_date = fields.Datetime(
        string="Last Purchase",
        compute="_compute_retail_purchase_stats",
        search="_search_retail_last_purchase_date",
        groups="retail_customer_mgmt.group_retail_user",
    )

    # ------------------------------------------------------------------
    # Purchase statistics
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_currency_id(self):
        self.retail_currency_id = self.env.company.currency_id

    def _retail_get_purchase_stats(self, company=None):
        """Return ``{commercial partner id: PurchaseStats}`` for ``self``.

        One query (a grouped query per source, UNION ALL) for any number of
        partners.
        """
        company = company or self.env.company
        commercial_ids = set(self.commercial_partner_id.ids)
        if not commercial_ids:
            return {}
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        self.env.cr.execute(Purchase._aggregates_sql(company, commercial_ids))
        sources = {}
        for source, partner_id, amount, count, first, last in self.env.cr.fetchall():
            sources.setdefault(source, []).append(
                SourceRow(partner_id, amount or 0.0, count or 0, first, last)
            )
        return merge_sources(sources, rounding=company.currency_id.decimal_places)

    @api.depends_context("company")
    def _compute_retail_purchase_stats(self):
        stats_by_partner = self._retail_get_purchase_stats()
        for partner in self:
            stats = stats_by_partner.get(partner.commercial_partner_id.id)
            partner.retail_lifetime_spend = stats.lifetime_spend if stats else 0.0
            partner.retail_order_count = stats.order_count if stats else 0
            partner.retail_average_basket = stats.average_basket if stats else 0.0
            partner.retail_first_purchase_date = stats.first_purchase if stats else False
            partner.retail_last_purchase_date = stats.last_purchase if stats else False

    def _retail_search_stat(self, fname, operator, value):
        """Search on a purchase figure with one aggregated query."""
        if operator not in ("=", "!=", "<", "<=", ">", ">="):
            raise ValidationError(
                self.env._(
                    "Searching on %(field)s with '%(operator)s' is not supported.",
                    field=self._fields[fname].string,
                    operator=operator,
                )
            )
        aggregate, neutral = _STAT_AGGREGATES[fname]
        aggregate = SQL(aggregate)
        if self._fields[fname].type == "datetime":
            if value is False or value is None:
                # "is not set" / "is set": customers without / with a purchase.
                if operator == "=":
                    return self._retail_stat_domain(SQL("%s IS NULL", aggregate), True)
                if operator == "!=":
                    return self._retail_stat_domain(SQL("%s IS NOT NULL", aggregate), False)
                raise ValidationError(
                    self.env._(
                        "Compare %(field)s with a date, not with an empty value.",
                        field=self._fields[fname].string,
                    )
                )
            value = fields.Datetime.to_datetime(value)
        else:
            value = float(value or 0)
        having = SQL(f"%s {operator} %s", aggregate, value)
        neutral_matches = neutral is not None and compare(neutral, operator, value)
        return self._retail_stat_domain(having, neutral_matches)

    def _retail_stat_domain(self, having, neutral_matches):
        """Domain on the commercial partner from a HAVING clause on the figures.

        When customers without any purchase satisfy the condition too (e.g.
        "fewer than 3 orders"), exclude those whose figures contradict it
        instead of listing those who satisfy it.
        """
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        rows = Purchase._aggregates_sql(self.env.company)
        if neutral_matches:
            having = SQL("NOT COALESCE(%s, FALSE)", having)
        # NOT EXISTS over the grouped figures, not NOT IN: PostgreSQL turns it
        # into one anti-join instead of probing a subquery per contact
        subquery = SQL(
            """(SELECT rp.id FROM res_partner rp WHERE %s EXISTS (
                    SELECT 1 FROM (SELECT partner_id FROM (%s) s
                                    GROUP BY partner_id HAVING %s) f
                     WHERE f.partner_id = rp.commercial_partner_id))""",
            SQL("NOT") if neutral_matches else SQL(""),
            rows,
            having,
        )
        return [("id", "in", subquery)]

    def _search_retail_lifetime_spend(self, operator, value):
        return self._retail_search_stat("retail_lifetime_spend", operator, value)

    def _search_retail_order_count(self, operator, value):
        return self._retail_search_stat("retail_order_count", operator, value)

    def _search_retail_average_basket(self, operator, value):
        return self._retail_search_stat("retail_average_basket", operator, value)

    def _search_retail_first_purchase_date(self, operator, value):
        return self._retail_search_stat("retail_first_purchase_date", operator, value)

    def _search_retail_last_purchase_date(self, operator, value):
        return self._retail_search_stat("retail_last_purchase_date", operator, value)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retail_view_orders(self):
        """Sales orders of the customer (and its contacts) in the current company."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("sale.action_orders")
        action["domain"] = [
            ("partner_id", "child_of", self.commercial_partner_id.id),
            ("state", "=", "sale"),
        ]
        action["context"] = {"create": False}
        return action

    def action_retail_view_pos_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("point_of_sale.action_pos_pos_form")
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"create": False}
        return action
