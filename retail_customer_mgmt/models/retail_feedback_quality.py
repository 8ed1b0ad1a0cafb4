from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import html_escape

# ticket types that report a problem (praise and suggestions do not cluster)
ISSUE_TYPES = ("complaint", "return")


class RetailFeedback(models.Model):
    """Quality side of the tickets: category and root cause, the product and
    order line concerned, its vendor, recurring-issue alerts."""

    _inherit = "retail.feedback"

    category_id = fields.Many2one(
        "retail.feedback.category",
        tracking=True,
        index="btree_not_null",
        domain="[('company_id', 'in', [company_id, False])]",
    )
    cause_id = fields.Many2one(
        "retail.feedback.cause",
        string="Root Cause",
        tracking=True,
        index="btree_not_null",
        domain="['|', ('category_id', '=', False), ('category_id', '=', category_id)]",
    )
    sale_line_id = fields.Many2one(
        "sale.order.line",
        string="Sales Order Line",
        domain="[('order_id', '=', sale_order_id), ('display_type', '=', False)]",
        index="btree_not_null",
    )
    pos_line_id = fields.Many2one(
        "pos.order.line",
        string="POS Order Line",
        domain="[('order_id', '=', pos_order_id)]",
        index="btree_not_null",
    )
    vendor_id = fields.Many2one(
        "res.partner",
        compute="_compute_vendor_id",
        store=True,
        index="btree_not_null",
        help="The product's main vendor (its first vendor price line in this company).",
    )
    supplier_activity_id = fields.Many2one(
        "mail.activity", string="Vendor Follow-up", readonly=True, copy=False
    )
    supplier_followup_date = fields.Date("Vendor Follow-up Since", readonly=True, copy=False)
    alert_ids = fields.Many2many(
        "retail.feedback.alert",
        "retail_feedback_alert_ticket_rel",
        "ticket_id",
        "alert_id",
        string="Recurring Issue Alerts",
        readonly=True,
        copy=False,
    )

    @api.depends("product_id", "company_id")
    def _compute_vendor_id(self):
        for ticket in self:
            sellers = ticket.product_id.seller_ids.filtered(
                lambda s, t=ticket: (
                    s.company_id in (t.company_id, s.env["res.company"])
                    and (not s.product_id or s.product_id == t.product_id)
                )
            )
            ticket.vendor_id = sellers.sorted("sequence")[:1].partner_id

    @api.constrains("sale_line_id", "sale_order_id", "pos_line_id", "pos_order_id")
    def _check_order_lines(self):
        for ticket in self:
            if ticket.sale_line_id and ticket.sale_line_id.order_id != ticket.sale_order_id:
                raise ValidationError(
                    self.env._(
                        "The order line of ticket %s is not a line of its sales order.",
                        ticket.name,
                    )
                )
            if ticket.pos_line_id and ticket.pos_line_id.order_id != ticket.pos_order_id:
                raise ValidationError(
                    self.env._(
                        "The order line of ticket %s is not a line of its POS order.", ticket.name
                    )
                )

    @api.onchange("sale_line_id")
    def _onchange_sale_line_id(self):
        if self.sale_line_id.product_id:
            self.product_id = self.sale_line_id.product_id

    @api.onchange("pos_line_id")
    def _onchange_pos_line_id(self):
        if self.pos_line_id.product_id:
            self.product_id = self.pos_line_id.product_id

    @api.onchange("category_id")
    def _onchange_category_id(self):
        if self.cause_id.category_id and self.cause_id.category_id != self.category_id:
            self.cause_id = False

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            line = None
            if vals.get("sale_line_id") and not vals.get("product_id"):
                line = self.env["sale.order.line"].browse(vals["sale_line_id"])
            elif vals.get("pos_line_id") and not vals.get("product_id"):
                line = self.env["pos.order.line"].browse(vals["pos_line_id"])
            if line is not None and line.product_id:
                vals["product_id"] = line.product_id.id
        tickets = super().create(vals_list)
        tickets._retail_check_recurring()
        return tickets

    def write(self, vals):
        res = super().write(vals)
        if {"category_id", "product_id", "feedback_type"} & set(vals):
            self._retail_check_recurring()
        return res

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retail_supplier_followup(self):
        """Schedule a follow-up with the product's vendor about this ticket."""
        self.ensure_one()
        self.check_access("write")
        if not self.product_id:
            raise UserError(
                self.env._("Ticket %s names no product: choose the product first.", self.name)
            )
        if not self.vendor_id:
            raise UserError(
                self.env._(
                    "%(product)s has no vendor: add one on the product's Purchase tab "
                    "(vendor prices) first.",
                    product=self.product_id.display_name,
                )
            )
        if self.supplier_activity_id:
            raise UserError(
                self.env._(
                    "A follow-up with %(vendor)s is already planned for ticket %(ticket)s.",
                    vendor=self.vendor_id.display_name,
                    ticket=self.name,
                )
            )
        summary = self.env._(
            "Quality problem: %(product)s (%(ticket)s)",
            product=self.product_id.display_name,
            ticket=self.name,
        )
        note = self.env._(
            "Customer ticket %(ticket)s: %(subject)s. Root cause: %(cause)s.",
            ticket=self.name,
            subject=self.subject,
            cause=self.cause_id.name or self.env._("not found yet"),
        )
        # on the vendor's contact, where purchasing looks: the user may follow
        # the ticket up without the right to edit contacts
        activity = self.vendor_id.sudo().activity_schedule(
            act_type_xmlid="retail_customer_mgmt.mail_activity_type_supplier_followup",
            user_id=self.env.user.id,
            summary=summary,
            note=html_escape(note),
            date_deadline=fields.Date.context_today(self) + timedelta(days=3),
        )
        self.write(
            {
                "supplier_activity_id": activity.id,
                "supplier_followup_date": fields.Date.context_today(self),
            }
        )
        self.message_post(
            body=self.env._(
                "Follow-up with vendor %(vendor)s planned: %(summary)s",
                vendor=self.vendor_id.display_name,
                summary=summary,
            )
        )
        return True

    # ------------------------------------------------------------------
    # Recurring issues
    # ------------------------------------------------------------------
    def _retail_check_recurring(self):
        """Open (or extend) one alert per category or product with at least
        the company's number of issue tickets within its number of days."""
        issues = self.filtered(lambda t: t.feedback_type in ISSUE_TYPES)
        Alert = self.env["retail.feedback.alert"].sudo()
        for company in issues.company_id:
            count = company.retail_recurring_ticket_count
            days = company.retail_recurring_days
            if count < 2 or days < 1:
                continue
            mine = issues.filtered(lambda t, c=company: t.company_id == c)
            since = fields.Datetime.now() - timedelta(days=days)
            for kind, fname in (("category", "category_id"), ("product", "product_id")):
                keys = mine[fname]
                if not keys:
                    continue
                groups = self.sudo()._read_group(
                    [
                        ("company_id", "=", company.id),
                        ("feedback_type", "in", ISSUE_TYPES),
                        ("opened_at", ">=", since),
                        (fname, "in", keys.ids),
                        # tickets of a handled alert have been looked at
                        ("alert_ids", "not any", [("state", "=", "done"), ("kind", "=", kind)]),
                    ],
                    [fname],
                    ["id:array_agg"],
                )
                for key, ticket_ids in groups:
                    if len(ticket_ids) >= count:
                        Alert._retail_raise(company, kind, key, self.browse(ticket_ids))
