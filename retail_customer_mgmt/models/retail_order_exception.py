import logging
import math

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..services.service_level import ticket_priority
from .retail_feedback import FEEDBACK_PRIORITIES

_logger = logging.getLogger(__name__)

EXCEPTION_TYPES = [
    ("stock", "Not Enough Stock"),
    ("late", "Late Delivery"),
    ("abnormal", "Abnormal Order"),
    ("address", "Missing Address or Contact"),
    ("product", "Product Problem"),
    ("points", "Points Overdraft"),
]
OPEN_STATES = ("new", "notified", "in_progress")
# exceptions whose cause the scan can see disappear
AUTO_CLOSING = ("stock", "late", "address")


class RetailOrderException(models.Model):
    _name = "retail.order.exception"
    _description = "Exception Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_rank, priority desc, deadline, id desc"
    _check_company_auto = True

    name = fields.Char(required=True, readonly=True, copy=False, default="/")
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one("res.partner", string="Customer", index=True, check_company=True)
    sale_order_id = fields.Many2one("sale.order", index="btree_not_null", check_company=True)
    pos_order_id = fields.Many2one(
        "pos.order", string="POS Order", index="btree_not_null", check_company=True
    )
    picking_id = fields.Many2one("stock.picking", string="Delivery", check_company=True)
    product_id = fields.Many2one(
        "product.product",
        string="Affected Product",
        help="Limit a refund or an exchange to this product; empty = the whole order.",
    )
    quantity = fields.Float(
        "Affected Quantity",
        digits="Product Unit of Measure",
        help="Quantity of the affected product to refund or exchange; 0 = all of it.",
    )
    exception_type = fields.Selection(EXCEPTION_TYPES, string="Type", required=True, tracking=True)
    priority = fields.Selection(
        FEEDBACK_PRIORITIES,
        default="0",
        tracking=True,
        help="Raised to the service priority of the customer's tier or segment.",
    )
    detail = fields.Text(readonly=True)
    detected_on = fields.Datetime(default=fields.Datetime.now, readonly=True)
    deadline = fields.Date(
        default=lambda self: fields.Date.add(fields.Date.context_today(self), days=2)
    )
    user_id = fields.Many2one(
        "res.users", string="Responsible", tracking=True, default=lambda self: self.env.user
    )
    state = fields.Selection(
        [
            ("new", "New"),
            ("notified", "Customer Notified"),
            ("in_progress", "In Progress"),
            ("resolved", "Resolved"),
            ("cancelled", "Cancelled"),
        ],
        default="new",
        required=True,
        tracking=True,
        index=True,
    )
    state_rank = fields.Integer(compute="_compute_state_rank", store=True)
    notified_on = fields.Datetime(readonly=True)
    resolution = fields.Selection(
        [
            ("wait", "Wait for Restock"),
            ("partial", "Partial Delivery"),
            ("refund", "Refund"),
            ("exchange", "Exchange"),
            ("cancel", "Cancel Order"),
            ("compensation", "Compensation Points"),
            ("auto", "Cause Disappeared"),
        ],
        readonly=True,
        tracking=True,
    )
    resolution_note = fields.Text()
    policy_override_reason = fields.Text(
        readonly=True, help="Why a manager refunded or exchanged outside the return window."
    )
    promised_date = fields.Date("New Promised Date")
    compensation_points = fields.Float()
    currency_id = fields.Many2one(related="sale_order_id.currency_id")
    refund_amount = fields.Monetary(currency_field="currency_id")
    refund_move_id = fields.Many2one(
        "account.move", string="Credit Note", readonly=True, copy=False
    )
    refund_pos_order_id = fields.Many2one(
        "pos.order", string="POS Refund", readonly=True, copy=False
    )
    return_picking_id = fields.Many2one("stock.picking", string="Return", readonly=True, copy=False)
    replacement_picking_ids = fields.Many2many(
        "stock.picking",
        "retail_order_exception_replacement_rel",
        string="Replacement Deliveries",
        readonly=True,
        copy=False,
    )
    backorder_picking_ids = fields.Many2many(
        "stock.picking",
        "retail_order_exception_backorder_rel",
        string="Backorders",
        readonly=True,
        copy=False,
    )

    def init(self):
        # never two open exceptions of the same type for the same order
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS retail_order_exception_open_unique "
                "ON retail_order_exception (sale_order_id, exception_type) "
                "WHERE state IN ('new', 'notified', 'in_progress')"
            )
        )

    @api.depends("state")
    def _compute_state_rank(self):
        ranks = {"new": 0, "notified": 1, "in_progress": 2, "resolved": 3, "cancelled": 4}
        for exception in self:
            exception.state_rank = ranks[exception.state]

    @api.model_create_multi
    def create(self, vals_list):
        unnamed = [vals for vals in vals_list if vals.get("name", "/") == "/"]
        for vals, name in zip(unnamed, self._next_names(len(unnamed)), strict=True):
            vals["name"] = name
        exceptions = super().create(vals_list)
        exceptions._apply_service_level()
        return exceptions

    def _apply_service_level(self):
        """Exceptions of VIP customers: the priority of their tier or segment,
        and the deadline of its own SLA when that is sooner."""
        for company, exceptions in self.grouped("company_id").items():
            levels = exceptions.partner_id._retail_service_levels(company)
            for exception in exceptions.filtered("partner_id"):
                level = levels.get(exception.partner_id.commercial_partner_id.id)
                if not level:
                    continue
                vals = {}
                priority = ticket_priority(exception.priority, level)
                if priority != exception.priority:
                    vals["priority"] = priority
                if level.sla_hours:
                    due = fields.Date.add(
                        fields.Date.context_today(self), days=math.ceil(level.sla_hours / 24)
                    )
                    if not exception.deadline or due < exception.deadline:
                        vals["deadline"] = due
                if vals:
                    exception.write(vals)

    def _next_names(self, count):
        """``count`` numbers of the exception sequence, in one query when the
        sequence allows gaps (the scan may open many exceptions at once)."""
        sequence = self.env["ir.sequence"].search(
            [
                ("code", "=", "retail.order.exception"),
                ("company_id", "in", [self.env.company.id, False]),
            ],
            order="company_id",
            limit=1,
        )
        if not count or not sequence:
            return ["/"] * count
        if sequence.implementation != "standard" or sequence.use_date_range:
            return [sequence.next_by_id() for _i in range(count)]
        self.env.cr.execute(
            SQL(
                "SELECT nextval(%s) FROM generate_series(1, %s)",
                f"ir_sequence_{sequence.id:03d}",
                count,
            )
        )
        return [sequence.get_next_char(number) for (number,) in self.env.cr.fetchall()]

    # ------------------------------------------------------------------
    # Customer notification
    # ------------------------------------------------------------------
    def action_notify_customer(self):
        template = self.env.ref("retail_customer_mgmt.mail_template_order_exception")
        for exception in self:
            exception._check_open()
            partner = exception.partner_id
            if not partner._retail_may_contact("email"):
                exception.message_post(
                    body=self.env._(
                        "Customer not notified by email: no email consent or no email address. "
                        "Call the customer instead."
                    )
                )
                continue
            exception.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )
            exception.write({"state": "notified", "notified_on": fields.Datetime.now()})

    # ------------------------------------------------------------------
    # Resolutions: each creates the real document, once
    # ------------------------------------------------------------------
    def _check_open(self):
        for exception in self:
            if exception.state not in OPEN_STATES:
                raise UserError(
                    self.env._(
                        "%(exception)s is %(state)s: it cannot be changed any more.",
                        exception=exception.name,
                        state=dict(self._fields["state"]._description_selection(self.env))[
                            exception.state
                        ],
                    )
                )

    def action_resolve(self):
        """Open the resolution wizard (the button's context names the resolution)."""
        self.ensure_one()
        self._check_open()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Resolve %s", self.name),
            "res_model": "retail.order.exception.resolve",
            "view_mode": "form",
            "target": "new",
            "context": {
                "default_exception_id": self.id,
                "default_resolution": self.env.context.get("retail_resolution", "wait"),
            },
        }

    def action_cancel(self):
        self._check_open()
        self.write({"state": "cancelled"})

    def _resolve(self, resolution):
        self.write({"state": "resolved", "resolution": resolution})
