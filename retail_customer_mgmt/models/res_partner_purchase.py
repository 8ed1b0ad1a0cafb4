from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.purchase_stats import SourceRow, compare, merge_sources

# Aggregates of the purchase figures, as SQL over the per-source rows of
# _retail_purchase_rows_sql(); the same definitions as services.purchase_stats.
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

    def _retail_order_rows_sql(self, company, partner_filter=None, date_from=None):
        """What counts as a purchase, as SQL: one row per counted document.

        Columns: ``source``, ``partner_id`` (the commercial partner, so orders
        of a contact person count for their company or household), ``d``
        (date), ``amount`` (company currency, with the rate stored on the
        order; negative for refunds) and ``is_order`` (1 for a purchase, 0 for
        a POS refund or a credit note of sales orders, which only net out the
        spend) and ``doc_id`` (the sale.order, pos.order or account.move id, to
        reach the product lines). Purchase figures, tiers, grading and
        recommendations all read these rows; a new source also belongs in
        ``_retail_changed_buyers_sql``.

        :param partner_filter: SQL condition on ``p.commercial_partner_id``
        """
        partner_filter = partner_filter or SQL("TRUE")
        sale_date = pos_date = refund_date = SQL("TRUE")
        if date_from is not None:
            sale_date = SQL("so.date_order >= %s", date_from)
            pos_date = SQL("po.date_order >= %s", date_from)
            refund_date = SQL("am.date >= %s", date_from.date())
        return SQL(
            """
            SELECT 'sale' AS source,
                   p.commercial_partner_id AS partner_id,
                   so.date_order AS d,
                   so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount,
                   1 AS is_order,
                   so.id AS doc_id
              FROM sale_order so
              JOIN res_partner p ON p.id = so.partner_id
             WHERE so.state = 'sale' AND so.company_id = %(company)s AND %(partner_filter)s
               AND %(sale_date)s
            UNION ALL
            SELECT 'pos', p.commercial_partner_id, po.date_order,
                   po.amount_total / COALESCE(NULLIF(po.currency_rate, 0), 1),
                   CASE WHEN po.amount_total >= 0 THEN 1 ELSE 0 END,
                   po.id
              FROM pos_order po
              JOIN res_partner p ON p.id = po.partner_id
             WHERE po.state IN ('paid', 'done', 'invoiced')
               AND po.company_id = %(company)s AND %(partner_filter)s AND %(pos_date)s
            UNION ALL
            SELECT 'sale_refund', p.commercial_partner_id, am.date::timestamp,
                   am.amount_total_signed, 0, am.id
              FROM account_move am
              JOIN res_partner p ON p.id = am.commercial_partner_id
             WHERE am.move_type = 'out_refund' AND am.state = 'posted'
               AND am.company_id = %(company)s AND %(partner_filter)s AND %(refund_date)s
               AND EXISTS (
                    SELECT 1
                      FROM account_move_line aml
                      JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                     WHERE aml.move_id = am.id)
            """,
            company=company.id,
            partner_filter=partner_filter,
            sale_date=sale_date,
            pos_date=pos_date,
            refund_date=refund_date,
        )

    def _retail_changed_buyers_sql(self, company, since, old_window_start, window_start):
        """Commercial partners whose purchase rows (``_retail_order_rows_sql``,
        whose sources this must follow) may have changed since ``since``: an
        order, POS order or credit note written since then (new, paid,
        cancelled, refunded...), one dated between ``old_window_start`` and
        ``window_start`` (it left an analysis window), or a contact written
        since then (it may have moved to another company)."""
        return SQL(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM (
                    SELECT partner_id FROM sale_order
                     WHERE company_id = %(company)s
                       AND (write_date >= %(since)s
                            OR (date_order >= %(old)s AND date_order < %(new)s))
                    UNION ALL
                    SELECT partner_id FROM pos_order
                     WHERE company_id = %(company)s
                       AND (write_date >= %(since)s
                            OR (date_order >= %(old)s AND date_order < %(new)s))
                    UNION ALL
                    SELECT commercial_partner_id FROM account_move
                     WHERE company_id = %(company)s AND move_type = 'out_refund'
                       AND (write_date >= %(since)s
                            OR (date >= %(old)s::date AND date < %(new)s::date))
                    UNION ALL
                    SELECT id FROM res_partner WHERE write_date >= %(since)s
                   ) t
              JOIN res_partner p ON p.id = t.partner_id
            """,
            company=company.id,
            since=since,
            old=old_window_start,
            new=window_start,
        )

    def _retail_purchase_rows_sql(self, company, partner_ids=None, date_from=None):
        """Per-source aggregates (one row per source and customer) as SQL."""
        partner_filter = None
        if partner_ids is not None:
            partner_filter = SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids))
        return SQL(
            """
            SELECT source, partner_id,
                   SUM(amount) AS amount,
                   COUNT(*) FILTER (WHERE is_order = 1) AS order_count,
                   MIN(d) FILTER (WHERE is_order = 1) AS first_date,
                   MAX(d) FILTER (WHERE is_order = 1) AS last_date
              FROM (%s) o
          GROUP BY source, partner_id
            """,
            self._retail_order_rows_sql(company, partner_filter, date_from),
        )

    def _retail_flush_purchase_sources(self):
        for model in ("sale.order", "pos.order", "account.move", "account.move.line"):
            self.env[model].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    def _retail_get_purchase_stats(self, company=None):
        """Return ``{commercial partner id: PurchaseStats}`` for ``self``.

        One query (a grouped query per source, UNION ALL) for any number of
        partners.
        """
        company = company or self.env.company
        commercial_ids = set(self.commercial_partner_id.ids)
        if not commercial_ids:
            return {}
        self._retail_flush_purchase_sources()
        self.env.cr.execute(self._retail_purchase_rows_sql(company, commercial_ids))
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
        self._retail_flush_purchase_sources()
        rows = self._retail_purchase_rows_sql(self.env.company)
        if neutral_matches:
            having = SQL("NOT COALESCE(%s, FALSE)", having)
        subquery = SQL(
            """(SELECT rp.id FROM res_partner rp WHERE rp.commercial_partner_id IN (
                    SELECT partner_id FROM (%s) s GROUP BY partner_id HAVING %s))""",
            rows,
            having,
        )
        return [("id", "not in" if neutral_matches else "in", subquery)]

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
