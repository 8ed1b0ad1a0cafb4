from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.marketing import window_start


class RetailAudience(models.Model):
    """Customers who bought some products or categories within N days.

    A mailing targets an audience with the condition ``Audiences`` contains
    this audience on its res.partner filter; the buyers are found when the
    mailing is sent, with one SQL condition whatever their number.
    """

    _name = "retail.audience"
    _description = "Retail Purchase Audience"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        default=lambda self: self.env.company,
        index=True,
        help="Orders of this company count; leave empty to count the orders of the "
        "company the mailing is sent from.",
    )
    category_ids = fields.Many2many(
        "product.category",
        string="Bought in Categories",
        help="Subcategories included.",
    )
    product_ids = fields.Many2many("product.product", string="Bought Products", check_company=True)
    days = fields.Integer(
        "Bought Within (days)",
        default=90,
        required=True,
        help="Only purchases of the last N days, counted on the day the mailing is sent.",
    )
    program_id = fields.Many2one(
        "loyalty.program",
        string="Promotion",
        check_company=True,
        ondelete="set null",
        help="The promotion whose customers this audience notifies.",
    )
    customer_count = fields.Integer("Customers", compute="_compute_customer_count")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("category_ids", "product_ids", "days")
    @api.depends_context("company")
    def _compute_customer_count(self):
        Partner = self.env["res.partner"]
        for audience in self:
            if not audience.id:
                audience.customer_count = 0
                continue
            audience.customer_count = Partner.search_count(audience._retail_partner_domain())

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("days", "category_ids", "product_ids")
    def _check_days(self):
        for audience in self:
            if audience.days <= 0:
                raise ValidationError(
                    self.env._(
                        "Audience %s: the purchase window must be at least one day.",
                        audience.name,
                    )
                )
            if not audience.category_ids and not audience.product_ids:
                raise ValidationError(
                    self.env._(
                        "Audience %s: choose the products or categories its customers bought.",
                        audience.name,
                    )
                )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_view_customers(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Customers of %s", self.name),
            "res_model": "res.partner",
            "view_mode": "list,form",
            "domain": [("retail_audience_ids", "in", self.ids)],
            "context": {"create": False},
        }

    def action_retail_campaign_mail(self):
        self.ensure_one()
        self.env["res.partner"]._retail_check_campaign_rights()
        return self.env["res.partner"]._retail_open_campaign(
            "mail", [("retail_audience_ids", "in", self.ids)], self.name
        )

    def action_retail_campaign_sms(self):
        self.ensure_one()
        self.env["res.partner"]._retail_check_campaign_rights()
        return self.env["res.partner"]._retail_open_campaign(
            "sms", [("retail_audience_ids", "in", self.ids)], self.name
        )

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_buyers_sql(self):
        """Commercial partners who bought what the audience names, as SQL.

        Confirmed sales orders and paid POS orders of the audience's company
        (or the current one), dated within the window.
        """
        self.ensure_one()
        company = self.company_id or self.env.company
        since = window_start(fields.Datetime.now(), self.days)
        category_ids = self.category_ids.ids
        product_ids = self.product_ids.ids
        product_filter = SQL(
            """(pp.id = ANY(%(products)s) OR EXISTS (
                    SELECT 1 FROM product_template pt
                      JOIN product_category pc ON pc.id = pt.categ_id
                      JOIN product_category top ON top.id = ANY(%(categories)s)
                     WHERE pt.id = pp.product_tmpl_id
                       AND pc.parent_path LIKE top.parent_path || %(any)s))""",
            products=product_ids,
            categories=category_ids,
            any="%",
        )
        # what counts as a purchase, and its product lines: retail.purchase
        return SQL(
            """
            SELECT l.partner_id
              FROM (%(lines)s) l
              JOIN product_product pp ON pp.id = l.product_id
             WHERE l.qty > 0 AND %(products)s
            """,
            lines=self.env["retail.purchase"]._lines_sql(company, date_from=since),
            products=product_filter,
        )

    def _retail_partner_domain(self):
        """res.partner domain: the contacts of the buyers of any audience of
        ``self`` (one query for any number of customers)."""
        self.env["retail.purchase"]._flush()
        for model in ("product.product", "product.template", "product.category"):
            self.env[model].flush_model()
        if not self:
            return [("id", "in", [])]
        buyers = SQL(" UNION ").join(audience._retail_buyers_sql() for audience in self)
        # one query, whatever the number of customers; the ids (not a nested
        # subquery) let PostgreSQL plan the mailing's other conditions on the
        # real number of buyers (a misestimated nested subquery made it loop)
        self.env.cr.execute(
            SQL(
                "SELECT rp.id FROM res_partner rp WHERE rp.commercial_partner_id IN (%s)",
                buyers,
            )
        )
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]
