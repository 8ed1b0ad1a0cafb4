from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..services.purchase_stats import SourceRow, compare, merge_sources
from ..services.recommendations import pos_summary
from ..services.tiers import decide_tier

CONSENT_CHANNELS = ("email", "sms", "phone", "wechat")
PREFERRED_CHANNELS = [
    ("email", "Email"),
    ("sms", "SMS"),
    ("phone", "Phone"),
    ("wechat", "WeChat"),
]

# Personal data erased by "Forget this customer" (besides the name, replaced,
# and the barcode, one value per company). The country stays for statistics.
_FORGOTTEN_FIELDS = (
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "state_id",
    "vat",
    "company_registry",
    "website",
    "comment",
    "function",
    "title",
    "image_1920",
    "company_name",
    "partner_latitude",
    "partner_longitude",
    "retail_birthday",
    "retail_wechat_id",
    "retail_preferred_channel",
    "retail_consent_email",
    "retail_consent_sms",
    "retail_consent_phone",
    "retail_consent_wechat",
)

# Aggregates of the purchase figures, as SQL over the per-source rows of
# _retail_purchase_rows_sql(); the same definitions as services.purchase_stats.
_STAT_AGGREGATES = {
    "retail_lifetime_spend": ("SUM(amount)", 0.0),
    "retail_order_count": ("SUM(order_count)", 0),
    "retail_average_basket": ("COALESCE(SUM(amount) / NULLIF(SUM(order_count), 0), 0)", 0.0),
    "retail_first_purchase_date": ("MIN(first_date)", None),
    "retail_last_purchase_date": ("MAX(last_date)", None),
}


# cashiers and retail users
_POS_GROUPS = "point_of_sale.group_pos_user,retail_customer_mgmt.group_retail_user"


def _pos_status_field(field_type, **kwargs):
    """A field of what cashiers see of a customer (see _compute_retail_pos_status)."""
    return field_type(
        compute="_compute_retail_pos_status", compute_sudo=True, groups=_POS_GROUPS, **kwargs
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    retail_birthday = fields.Date(
        string="Birthday",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_preferred_channel = fields.Selection(
        selection=PREFERRED_CHANNELS,
        string="Preferred Channel",
        groups="retail_customer_mgmt.group_retail_user",
        help="How the customer prefers to be contacted.",
    )
    retail_wechat_id = fields.Char(
        string="WeChat ID", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_email = fields.Boolean(
        string="Email Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_email_date = fields.Date(
        string="Email Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_sms = fields.Boolean(
        string="SMS Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_sms_date = fields.Date(
        string="SMS Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_phone = fields.Boolean(
        string="Phone Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_phone_date = fields.Date(
        string="Phone Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )
    retail_consent_wechat = fields.Boolean(
        string="WeChat Marketing Consent",
        groups="retail_customer_mgmt.group_retail_user",
        tracking=True,
    )
    retail_consent_wechat_date = fields.Date(
        string="WeChat Consent Date", groups="retail_customer_mgmt.group_retail_user"
    )

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

    # Loyalty: tier per company, points on the company's retail card.
    retail_tier_id = fields.Many2one(
        "retail.tier",
        string="Tier",
        company_dependent=True,
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_tier_since = fields.Date(
        string="Tier Since", company_dependent=True, groups="retail_customer_mgmt.group_retail_user"
    )
    retail_tier_below_since = fields.Date(
        string="Below Tier Since",
        company_dependent=True,
        groups="retail_customer_mgmt.group_retail_user",
        help="Day the rolling spend fell below the tier threshold; the nightly review "
        "downgrades the customer once the grace period has passed.",
    )
    retail_loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Retail Card",
        compute="_compute_retail_points",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_points = fields.Float(
        string="Points",
        compute="_compute_retail_points",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_points_expiring = fields.Float(
        string="Points Expiring in 30 Days",
        compute="_compute_retail_points",
        groups="retail_customer_mgmt.group_retail_user",
    )

    # Grading of the current company (written by the regrade)
    retail_grade_id = fields.Many2one(
        "retail.customer.grade",
        string="Grade",
        compute="_compute_retail_grade",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_segment_id = fields.Many2one(
        "retail.segment",
        string="Segment",
        compute="_compute_retail_grade",
        search="_search_retail_segment_id",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_rfm_code = fields.Char(
        string="RFM",
        compute="_compute_retail_grade",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_churn_risk = fields.Boolean(
        string="Churn Risk",
        compute="_compute_retail_grade",
        search="_search_retail_churn_risk",
        groups="retail_customer_mgmt.group_retail_user",
    )

    # Service: feedback tickets of the customer (all companies the user sees)
    retail_feedback_ids = fields.One2many(
        "retail.feedback",
        "partner_id",
        string="Feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_feedback_count = fields.Integer(
        string="Tickets",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_open_ticket_count = fields.Integer(
        string="Open Tickets",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_complaint_count = fields.Integer(
        string="Complaints",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_open_exception_count = fields.Integer(
        string="Open Exceptions",
        compute="_compute_retail_open_exception_count",
        groups="retail_customer_mgmt.group_retail_user",
        help="Exception orders of the customer not resolved yet.",
    )
    retail_satisfaction = fields.Float(
        string="Average Satisfaction",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
        help="Average rating (1-5) the customer gave to closed tickets.",
    )

    # What cashiers see in the POS (no PII, no figures beyond the loyalty
    # status): computed as superuser for POS users without retail rights,
    # and readable by them and retail users only (other employees and portal
    # users read contacts too: these copies must not bypass the groups of
    # the tier, segment, churn and consent fields above).
    retail_pos_tier = _pos_status_field(fields.Char)
    retail_pos_tier_color = _pos_status_field(fields.Integer)
    retail_pos_points = _pos_status_field(fields.Float)
    retail_pos_points_expiring = _pos_status_field(fields.Float)
    retail_pos_segment = _pos_status_field(fields.Char)
    retail_pos_churn_risk = _pos_status_field(fields.Boolean)
    retail_pos_last_purchase = _pos_status_field(fields.Date)
    retail_pos_marketing_consent = _pos_status_field(
        fields.Boolean, help="The customer accepts marketing on at least one channel."
    )

    # Recommendations of the current company (rebuilt every night)
    retail_recommendation_ids = fields.Many2many(
        "retail.recommendation",
        string="Recommended Products",
        compute="_compute_retail_recommendations",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_pos_recommendations = fields.Char(
        compute="_compute_retail_pos_recommendations",
        compute_sudo=True,
        groups=_POS_GROUPS,
        help="The first recommended products available in the Point of Sale.",
    )

    # ------------------------------------------------------------------
    # Constraints and consent dates
    # ------------------------------------------------------------------
    @api.constrains("retail_birthday")
    def _check_retail_birthday(self):
        today = fields.Date.context_today(self)
        for partner in self:
            birthday = partner.retail_birthday
            if not birthday:
                continue
            if birthday > today:
                raise ValidationError(
                    self.env._(
                        "The birthday of %(customer)s (%(date)s) is in the future.",
                        customer=partner.display_name,
                        date=birthday,
                    )
                )
            if birthday.year < 1900:
                raise ValidationError(
                    self.env._(
                        "The birthday of %(customer)s (%(date)s) is before 1900; "
                        "please check the year.",
                        customer=partner.display_name,
                        date=birthday,
                    )
                )

    @api.constrains(
        *[f"retail_consent_{channel}" for channel in CONSENT_CHANNELS],
        *[f"retail_consent_{channel}_date" for channel in CONSENT_CHANNELS],
    )
    def _check_retail_consent_dates(self):
        labels = dict(self._fields["retail_preferred_channel"]._description_selection(self.env))
        today = fields.Date.context_today(self)
        for partner in self:
            for channel in CONSENT_CHANNELS:
                given = partner[f"retail_consent_{channel}"]
                date = partner[f"retail_consent_{channel}_date"]
                if date and not given:
                    raise ValidationError(
                        self.env._(
                            "%(customer)s has a %(channel)s consent date but no "
                            "%(channel)s consent: tick the consent or clear the date.",
                            customer=partner.display_name,
                            channel=labels[channel],
                        )
                    )
                if date and date > today:
                    raise ValidationError(
                        self.env._(
                            "The %(channel)s consent date of %(customer)s (%(date)s) "
                            "is in the future.",
                            customer=partner.display_name,
                            channel=labels[channel],
                            date=date,
                        )
                    )

    def _retail_fill_consent_dates(self, vals):
        """Date a consent when it is given, clear the date when it is withdrawn.

        An explicit date in ``vals`` is kept, so that consents collected on
        paper can be recorded with the day they were signed.
        """
        today = fields.Date.context_today(self)
        for channel in CONSENT_CHANNELS:
            flag, date = f"retail_consent_{channel}", f"retail_consent_{channel}_date"
            if flag in vals and date not in vals:
                vals[date] = today if vals[flag] else False
        return vals

    @api.onchange(*[f"retail_consent_{channel}" for channel in CONSENT_CHANNELS])
    def _onchange_retail_consent(self):
        today = fields.Date.context_today(self)
        for channel in CONSENT_CHANNELS:
            flag, date = f"retail_consent_{channel}", f"retail_consent_{channel}_date"
            if self[flag] and not self[date]:
                self[date] = today
            elif not self[flag]:
                self[date] = False

    def _retail_may_contact(self, channel):
        """The partners of ``self`` who may receive marketing on ``channel``.

        The one consent check of every outgoing marketing message (tier
        upgrade mail, satisfaction request, exception notification, birthday
        greeting, revisit calls): the partner is active, gave the consent of
        the channel and has an address for it (email; phone or mobile for
        phone and SMS; WeChat ID). One query for any number of partners.
        """
        if channel not in CONSENT_CHANNELS:
            raise ValueError(f"Unknown contact channel {channel!r}")
        if not self:
            return self
        number = SQL("(COALESCE(TRIM(phone), '') != '' OR COALESCE(TRIM(mobile), '') != '')")
        address = {
            "email": SQL("COALESCE(TRIM(email), '') != ''"),
            "sms": number,
            "phone": number,
            "wechat": SQL("COALESCE(TRIM(retail_wechat_id), '') != ''"),
        }[channel]
        self.flush_model(
            ["active", "email", "phone", "mobile", "retail_wechat_id", f"retail_consent_{channel}"]
        )
        self.env.cr.execute(
            SQL(
                "SELECT id FROM res_partner WHERE id = ANY(%s) AND active AND %s AND %s",
                self.ids,
                SQL.identifier(f"retail_consent_{channel}"),
                address,
            )
        )
        allowed = {row[0] for row in self.env.cr.fetchall()}
        return self.filtered(lambda partner: partner.id in allowed)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._retail_fill_consent_dates(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._retail_fill_consent_dates(vals)
        return super().write(vals)

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

    # ------------------------------------------------------------------
    # Loyalty: points and tiers
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_points(self):
        company = self.env.company
        program = company.retail_loyalty_program_id
        cards = {}
        expiring = {}
        if program and self.ids:
            Card = self.env["loyalty.card"]
            cards = Card._retail_cards_for(self.commercial_partner_id, program, create=False)
            if company.retail_points_expiry_months:
                expiring = Card._retail_expiring_points(
                    Card.union(*cards.values()) if cards else Card
                )
        for partner in self:
            card = cards.get(partner.commercial_partner_id)
            partner.retail_loyalty_card_id = card
            partner.retail_points = card.points if card else 0.0
            partner.retail_points_expiring = expiring.get(card.id, 0.0) if card else 0.0

    def _retail_rolling_spend(self, company, date_from):
        """``{commercial partner id: net spend since date_from}`` in one query."""
        self._retail_flush_purchase_sources()
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, SUM(amount) FROM (%s) s GROUP BY partner_id",
                self._retail_purchase_rows_sql(
                    company, set(self.commercial_partner_id.ids), date_from=date_from
                ),
            )
        )
        return dict(self.env.cr.fetchall())

    def _retail_update_tiers(self, company, review=False):
        """Apply the tier rule to the customers in ``self`` for ``company``.

        On a purchase (``review=False``) customers are only upgraded; the
        nightly review (``review=True``) also downgrades those whose spend
        stayed below their tier for the grace period.
        """
        partners = self.commercial_partner_id.with_company(company).sudo()
        tiers = self.env["retail.tier"].sudo().search([("company_id", "=", company.id)])
        if not partners or not tiers:
            return {}
        ladder = [(tier.id, tier.min_spend) for tier in tiers]
        base_tier = tiers.sorted("min_spend")[:1]
        date_from = fields.Datetime.now() - relativedelta(months=company.retail_tier_window_months)
        spends = partners._retail_rolling_spend(company, date_from)
        today = fields.Date.context_today(self)
        # same environment as the partners: superuser (cashiers update tiers
        # through their sales) and the company whose tier is decided
        writes = defaultdict(partners.browse)
        changes = {}
        for partner in partners:
            current = partner.retail_tier_id
            decision = decide_tier(
                ladder,
                current.id or None,
                spends.get(partner.id, 0.0),
                partner.retail_tier_below_since,
                today,
                company.retail_tier_grace_days,
                review=review,
            )
            if not decision.changed:
                continue
            if decision.tier_id != (current.id or None):
                writes[(decision.tier_id or False, today, False)] |= partner
                changes[partner] = (
                    current,
                    tiers.browse(decision.tier_id),
                    decision.direction,
                    spends.get(partner.id, 0.0),
                )
            else:
                writes[(current.id, partner.retail_tier_since, decision.below_since or False)] |= (
                    partner
                )
        for (tier_id, since, below), group in writes.items():
            group.write(
                {
                    "retail_tier_id": tier_id,
                    "retail_tier_since": since,
                    "retail_tier_below_since": below,
                }
            )
        if changes:
            self._retail_apply_tier_changes(company, changes, base_tier)
        return changes

    def _retail_apply_tier_changes(self, company, changes, base_tier):
        template = self.env.ref(
            "retail_customer_mgmt.mail_template_tier_upgrade", raise_if_not_found=False
        )
        # the consent check of marketing messages, once for all the changes
        may_mail = self.browse([partner.id for partner in changes])._retail_may_contact("email")
        for partner, (old, new, direction, spend) in changes.items():
            # the tier's pricelist follows the customer; a pricelist given by
            # the previous tier is taken away
            if new.pricelist_id:
                partner.specific_property_product_pricelist = new.pricelist_id
            elif (
                old.pricelist_id and partner.specific_property_product_pricelist == old.pricelist_id
            ):
                partner.specific_property_product_pricelist = False
            body = self.env._(
                "Tier in %(company)s: %(old)s → %(new)s (spend of the last %(months)s months: "
                "%(spend)s).",
                company=company.name,
                old=old.name or self.env._("none"),
                new=new.name or self.env._("none"),
                months=company.retail_tier_window_months,
                spend=company.currency_id.format(spend),
            )
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
            upgraded = direction == "up" or (direction == "new" and new and new != base_tier)
            if upgraded and template and partner in may_mail:
                # sudo: the cashier or salesperson whose sale upgraded the customer
                # may not read mail templates; the mail only shows the new tier.
                template.sudo().with_company(company).send_mail(
                    partner.id, email_layout_xmlid="mail.mail_notification_light"
                )

    @api.model
    def _cron_retail_review_tiers(self):
        """Nightly tier review: upgrades missed by events, downgrades after grace."""
        for company in self.env["res.company"].search([]):
            if not self.env["retail.tier"].sudo().search_count([("company_id", "=", company.id)]):
                continue
            holders = self.sudo().with_company(company).search([("retail_tier_id", "!=", False)])
            date_from = fields.Datetime.now() - relativedelta(
                months=company.retail_tier_window_months
            )
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT partner_id FROM (%s) s",
                    self._retail_purchase_rows_sql(company, date_from=date_from),
                )
            )
            buyers = self.browse([row[0] for row in self.env.cr.fetchall()])
            (holders | buyers)._retail_update_tiers(company, review=True)

    def action_retail_adjust_points(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust Points"),
            "res_model": "retail.points.adjust",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_retail_view_points_history(self):
        self.ensure_one()
        card = self.retail_loyalty_card_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Points History"),
            "res_model": "loyalty.history",
            "view_mode": "list",
            "domain": [("card_id", "=", card.id)],
            "context": {"create": False},
        }

    # ------------------------------------------------------------------
    # Grading
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_grade(self):
        grades = (
            self.env["retail.customer.grade"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        by_partner = {grade.partner_id.id: grade for grade in grades}
        for partner in self:
            grade = by_partner.get(partner.commercial_partner_id.id)
            partner.retail_grade_id = grade
            partner.retail_segment_id = grade.segment_id if grade else False
            partner.retail_rfm_code = grade.rfm_code if grade else False
            partner.retail_churn_risk = bool(grade and grade.churn_risk)

    def _retail_grade_domain(self, condition):
        query = (
            self.env["retail.customer.grade"]
            .sudo()
            ._search([("company_id", "=", self.env.company.id), *condition])
        )
        return [
            (
                "id",
                "in",
                SQL(
                    "(SELECT rp.id FROM res_partner rp WHERE rp.commercial_partner_id IN (%s))",
                    query.subselect("partner_id"),
                ),
            )
        ]

    def _search_retail_segment_id(self, operator, value):
        return self._retail_grade_domain([("segment_id", operator, value)])

    def _search_retail_churn_risk(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Search churn risk with = or !=."))
        positive = (operator == "=") == bool(value)
        domain = self._retail_grade_domain([("churn_risk", "=", True)])
        if not positive:
            domain = ["!", *domain]
        return domain

    @api.model
    def action_retail_regrade_now(self):
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can regrade customers."))
        # sudo: the regrade writes grades and activities for every customer of
        # the company; managers may not hold rights on all the order models.
        run = self.env["retail.grade.run"].sudo()._regrade(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Customers regraded"),
                "message": self.env._("%s customers graded.", run.done),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }

    @api.model
    def _retail_plan_activities(self, company, grades, segments):
        """Churn warnings and revisit activities for graded customers.

        :param grades: ``{partner id: (segment id, churn risk)}``
        A customer never gets a second open activity of the same type; revisits
        skip customers who may not be called (``_retail_may_contact("phone")``).
        A constant number of queries.
        """
        if not grades:
            return
        churn_type = self.env.ref("retail_customer_mgmt.mail_activity_type_churn")
        revisit_type = self.env.ref("retail_customer_mgmt.mail_activity_type_revisit")
        types = (
            churn_type
            | revisit_type
            | self.env["retail.segment"].union(*segments.values()).activity_type_id
        )
        Activity = self.env["mail.activity"].sudo()
        # plain reads of a few columns for thousands of customers at once
        Activity.flush_model(["res_model", "res_id", "activity_type_id"])
        self.env.cr.execute(
            SQL(
                """SELECT res_id, activity_type_id FROM mail_activity
                WHERE res_model = 'res.partner' AND res_id = ANY(%s)
                  AND activity_type_id = ANY(%s)""",
                list(grades),
                types.ids,
            )
        )
        existing = set(self.env.cr.fetchall())
        self.flush_model(["user_id", "name"])
        self.env.cr.execute(
            SQL("SELECT id, user_id, name FROM res_partner WHERE id = ANY(%s)", list(grades))
        )
        partners = {
            pid: {"user_id": user_id, "name": name} for pid, user_id, name in self.env.cr.fetchall()
        }
        # revisits are calls: the consent check of marketing contacts, for
        # the customers who would get one
        revisit_candidates = [
            pid
            for pid, (segment_id, _risk) in grades.items()
            if segment_id in segments
            and segments[segment_id].revisit_days
            and (partners.get(pid, {}).get("user_id") or company.retail_followup_user_id)
            and (pid, (segments[segment_id].activity_type_id or revisit_type).id) not in existing
        ]
        may_call = set(self.browse(revisit_candidates)._retail_may_contact("phone").ids)
        today = fields.Date.context_today(self)
        default_user = company.retail_followup_user_id
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for partner_id, (segment_id, risk) in grades.items():
            partner = partners.get(partner_id)
            if not partner:
                continue
            user_id = partner["user_id"] or default_user.id
            if not user_id:
                continue
            base = {"res_model_id": model_id, "res_id": partner_id, "user_id": user_id}
            if risk and (partner_id, churn_type.id) not in existing:
                vals_list.append(
                    {
                        **base,
                        "activity_type_id": churn_type.id,
                        "summary": self.env._("Churn risk: call %s back", partner["name"]),
                        "date_deadline": today,
                    }
                )
            segment = segments.get(segment_id)
            if segment and segment.revisit_days and partner_id in may_call:
                activity_type = segment.activity_type_id or revisit_type
                if (partner_id, activity_type.id) not in existing:
                    vals_list.append(
                        {
                            **base,
                            "activity_type_id": activity_type.id,
                            "summary": self.env._("Revisit (%s)", segment.name),
                            "date_deadline": today + relativedelta(days=segment.revisit_days),
                        }
                    )
        if vals_list:
            Activity.with_context(mail_activity_quick_update=True).create(vals_list)

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------
    def _compute_retail_feedback(self):
        Feedback = self.env["retail.feedback"]
        partners = self.commercial_partner_id
        domain = [("partner_id", "child_of", partners.ids)]
        counts = {}
        for partner, closed, ftype, count in Feedback._read_group(
            domain,
            ["partner_id", "is_closed", "feedback_type"],
            ["__count"],
        ):
            key = partner.commercial_partner_id.id
            data = counts.setdefault(key, {"all": 0, "open": 0, "complaints": 0})
            data["all"] += count
            data["open"] += 0 if closed else count
            data["complaints"] += count if ftype == "complaint" else 0
        ratings = {}
        for partner, total, count in Feedback._read_group(
            [*domain, ("rating_last_value", ">", 0)],
            ["partner_id"],
            ["rating_last_value:sum", "__count"],
        ):
            key = partner.commercial_partner_id.id
            old_total, old_count = ratings.get(key, (0.0, 0))
            ratings[key] = (old_total + total, old_count + count)
        for partner in self:
            key = partner.commercial_partner_id.id
            data = counts.get(key, {"all": 0, "open": 0, "complaints": 0})
            partner.retail_feedback_count = data["all"]
            partner.retail_open_ticket_count = data["open"]
            partner.retail_complaint_count = data["complaints"]
            total, count = ratings.get(key, (0.0, 0))
            partner.retail_satisfaction = total / count if count else 0.0

    def _compute_retail_open_exception_count(self):
        counts = {}
        for partner, count in self.env["retail.order.exception"]._read_group(
            [
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("state", "in", ("new", "notified", "in_progress")),
            ],
            ["partner_id"],
            ["__count"],
        ):
            key = partner.commercial_partner_id.id
            counts[key] = counts.get(key, 0) + count
        for partner in self:
            partner.retail_open_exception_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_retail_view_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_order_exception_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_open": 1}
        return action

    def action_retail_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_feedback_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Point of Sale
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_pos_status(self):
        for partner in self:
            tier = partner.commercial_partner_id.retail_tier_id
            partner.retail_pos_tier = tier.name or False
            partner.retail_pos_tier_color = tier.color
            partner.retail_pos_points = partner.retail_points
            partner.retail_pos_points_expiring = partner.retail_points_expiring
            partner.retail_pos_segment = partner.retail_segment_id.name or False
            partner.retail_pos_churn_risk = partner.retail_churn_risk
            last = partner.retail_last_purchase_date
            partner.retail_pos_last_purchase = (
                fields.Datetime.context_timestamp(partner, last).date() if last else False
            )
            partner.retail_pos_marketing_consent = any(
                partner[f"retail_consent_{channel}"] for channel in CONSENT_CHANNELS
            )

    @api.model
    def _load_pos_data_fields(self, config_id):
        # loaded with the customers Odoo already limits for large databases
        return super()._load_pos_data_fields(config_id) + [
            "retail_pos_tier",
            "retail_pos_tier_color",
            "retail_pos_points",
            "retail_pos_points_expiring",
            "retail_pos_segment",
            "retail_pos_churn_risk",
            "retail_pos_recommendations",
            "retail_pos_last_purchase",
            "retail_pos_marketing_consent",
        ]

    # ------------------------------------------------------------------
    # Recommendations
    # ------------------------------------------------------------------
    def _retail_recommendations(self):
        """Recommendations of the commercial partners of ``self`` in the
        current company, by rank (one query)."""
        return self.env["retail.recommendation"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ],
            order="partner_id, rank",
        )

    @api.depends_context("company")
    def _compute_retail_recommendations(self):
        by_partner = defaultdict(list)
        for reco in self._retail_recommendations():
            by_partner[reco.partner_id.id].append(reco.id)
        for partner in self:
            partner.retail_recommendation_ids = by_partner.get(partner.commercial_partner_id.id, [])

    @api.depends_context("company")
    def _compute_retail_pos_recommendations(self):
        names = defaultdict(list)
        for reco in self._retail_recommendations():
            if reco.product_id.available_in_pos:
                names[reco.partner_id.id].append(reco.product_id.display_name)
        for partner in self:
            partner.retail_pos_recommendations = pos_summary(
                names.get(partner.commercial_partner_id.id, [])
            )

    # ------------------------------------------------------------------
    # Privacy: forget a customer
    # ------------------------------------------------------------------
    def action_retail_forget(self):
        self.ensure_one()
        self._retail_check_forget_rights()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Forget this Customer"),
            "res_model": "retail.customer.forget",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.id},
        }

    def _retail_check_forget_rights(self):
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can forget a customer."))

    def _retail_forget_family(self):
        """The partners of ``self`` and all their contacts and addresses,
        archived ones included."""
        # sudo: contacts of the customer in every company the manager may not see
        return (
            self.env["res.partner"]
            .sudo()
            .with_context(active_test=False)
            .search([("id", "child_of", self.ids)])
        )

    def _retail_forget_blockers(self):
        """What prevents forgetting the customers of ``self``: a list of
        sentences, one per open document, in every company.

        Open means: a quotation (draft or sent); a confirmed sales order still
        to invoice; a POS order not paid; a transfer (delivery, return) neither
        done nor cancelled; a customer invoice or credit note in draft, or
        posted and not fully paid or reversed.
        """
        family = self._retail_forget_family()
        # sudo: the manager may hold no rights on sales, POS, stock or
        # accounting documents; they must all be closed whoever sees them.
        env = self.sudo().with_context(active_test=False).env
        blockers = []
        for order in env["sale.order"].search(
            [("partner_id", "in", family.ids), ("state", "in", ("draft", "sent"))]
        ):
            blockers.append(self.env._("quotation %s", order.name))
        for order in env["sale.order"].search(
            [
                ("partner_id", "in", family.ids),
                ("state", "=", "sale"),
                ("invoice_status", "=", "to invoice"),
            ]
        ):
            blockers.append(self.env._("sales order %s (not fully invoiced)", order.name))
        for order in env["pos.order"].search(
            [("partner_id", "in", family.ids), ("state", "=", "draft")]
        ):
            blockers.append(self.env._("POS order %s (not paid)", order.name))
        for picking in env["stock.picking"].search(
            [("partner_id", "in", family.ids), ("state", "not in", ("done", "cancel"))]
        ):
            blockers.append(self.env._("transfer %s (not done)", picking.name))
        for move in env["account.move"].search(
            [
                ("partner_id", "in", family.ids),
                ("move_type", "in", ("out_invoice", "out_refund")),
                "|",
                ("state", "=", "draft"),
                "&",
                ("state", "=", "posted"),
                ("payment_state", "in", ("not_paid", "partial")),
            ]
        ):
            blockers.append(
                self.env._("invoice %s (not paid)", move.name)
                if move.state == "posted"
                else self.env._("draft invoice %s", move.display_name)
            )
        return blockers

    def _retail_forget(self):
        """Anonymise the customers of ``self`` (and their contacts and
        addresses): personal data erased, consents withdrawn, contact archived;
        orders, purchase figures, grades and the points ledger kept. Logged in
        Privacy Logs.

        Raises a UserError, writing nothing, when documents are still open.
        """
        self._retail_check_forget_rights()
        customers = self
        family = self._retail_forget_family()
        blockers = family._retail_forget_blockers()
        if blockers:
            raise UserError(
                self.env._(
                    "%(customer)s cannot be forgotten while documents are open: %(documents)s. "
                    "Finish or cancel them first.",
                    customer=", ".join(customers.mapped("display_name")),
                    documents=", ".join(blockers),
                )
            )
        users = family.with_context(active_test=False).user_ids
        if users:
            raise UserError(
                self.env._(
                    "%(customer)s has a user account (%(logins)s): an administrator must "
                    "delete it before the customer can be forgotten.",
                    customer=", ".join(customers.mapped("display_name")),
                    logins=", ".join(users.mapped("login")),
                )
            )
        env = family.env  # sudo, see _retail_forget_family
        log_vals = [
            {
                "anonymized_name": customer.name or str(customer.id),
                "anonymized_email": customer.email,
                "execution_details": self._retail_forget_details(customer, family),
                "records_description": self._retail_forget_kept(customer, family),
                "additional_note": self.env._(
                    "Forget this customer (Retail): personal data erased, consents withdrawn, "
                    "contact archived; orders, purchase figures and points ledger kept."
                ),
            }
            for customer in customers.sudo()
        ]
        # what other documents copied from the contact
        env["pos.order"].search([("partner_id", "in", family.ids)]).write(
            {"email": False, "mobile": False}
        )
        env["retail.feedback"].search([("partner_id", "in", family.ids)]).write(
            {"partner_email": False, "email_cc": False}
        )
        env["mail.message"].search([("author_id", "in", family.ids)]).write({"email_from": False})
        # no further contact
        env["mail.followers"].search([("partner_id", "in", family.ids)]).unlink()
        env["mail.activity"].search(
            [("res_model", "=", "res.partner"), ("res_id", "in", family.ids)]
        ).unlink()
        env["mail.mail"].search(
            [("recipient_ids", "in", family.ids), ("state", "in", ("outgoing", "exception"))]
        ).unlink()
        env["retail.recommendation"].search([("partner_id", "in", family.ids)]).unlink()
        # the contact's own chatter holds its former values (tracking)
        env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "in", family.ids)]
        ).unlink()
        for partner in family:
            partner.with_context(tracking_disable=True).write(
                {
                    "name": self.env._("Forgotten Customer %s", partner.id),
                    **dict.fromkeys(_FORGOTTEN_FIELDS, False),
                    "active": False,
                }
            )
        family.flush_recordset()
        # company-dependent: one value per company
        self.env.cr.execute(
            SQL("UPDATE res_partner SET barcode = NULL WHERE id = ANY(%s)", family.ids)
        )
        family.invalidate_recordset(["barcode"])
        logs = env["privacy.log"].create(
            [{**vals, "anonymized_email": vals["anonymized_email"] or "-@-"} for vals in log_vals]
        )
        for log, vals in zip(logs, log_vals, strict=True):
            if not vals["anonymized_email"]:
                log.anonymized_email = self.env._("(no email)")
        for customer, log in zip(customers.sudo(), logs, strict=True):
            customer.message_post(
                body=self.env._(
                    "Personal data erased by %(user)s (privacy log %(log)s).",
                    user=self.env.user.name,
                    log=log.id,
                ),
                subtype_xmlid="mail.mt_note",
            )
        return logs

    def _retail_forget_details(self, customer, family):
        contacts = family.search([("id", "child_of", customer.id)])
        return "\n".join(
            [self.env._("Anonymised and archived: Contact #%s", partner.id) for partner in contacts]
            + [
                self.env._(
                    "Consents withdrawn; followers, activities, queued mails, "
                    "recommendations and the contact's chatter removed."
                )
            ]
        )

    def _retail_forget_kept(self, customer, family):
        contacts = family.search([("id", "child_of", customer.id)])
        env = family.env
        counts = [
            (self.env._("Sales Orders"), env["sale.order"], "partner_id"),
            (self.env._("POS Orders"), env["pos.order"], "partner_id"),
            (self.env._("Invoices"), env["account.move"], "partner_id"),
            (self.env._("Loyalty Cards"), env["loyalty.card"], "partner_id"),
        ]
        return "\n".join(
            self.env._(
                "%(documents)s kept: %(count)s",
                documents=label,
                count=model.with_context(active_test=False).search_count(
                    [(fname, "in", contacts.ids)]
                ),
            )
            for label, model, fname in counts
        )
