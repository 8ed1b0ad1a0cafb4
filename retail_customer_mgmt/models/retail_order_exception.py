import logging

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

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


def _open_deliveries(orders):
    """Outgoing deliveries of ``orders`` that are neither done nor cancelled."""
    return orders.picking_ids.filtered(
        lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
    )


class RetailOrderException(models.Model):
    _name = "retail.order.exception"
    _description = "Exception Order"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state_rank, deadline, id desc"
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
        return super().create(vals_list)

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
    # Detection
    # ------------------------------------------------------------------
    @api.model
    def _detect(self, orders):
        """Open the exceptions of ``orders`` (confirmed sales orders) that are
        not open yet, and close those whose cause disappeared. Works on all the
        orders at once (batched reads, one create), never order by order."""
        orders = orders.filtered(lambda o: o.state == "sale")
        if not orders:
            return self.browse()
        causes = {}  # (order id, type) -> (detail, picking)
        pickings = _open_deliveries(orders)
        now = fields.Datetime.now()
        moves = pickings.move_ids.filtered(lambda m: m.state not in ("done", "cancel"))
        # the forecast is not stored: read it fresh, stock may have moved
        moves.invalidate_recordset(["forecast_availability", "forecast_expected_date"])
        for move in moves:
            if move.product_id.is_storable and move.forecast_availability < move.product_qty:
                key = (move.picking_id.sale_id.id, "stock")
                detail = causes.get(key, ("", move.picking_id))[0]
                causes[key] = (
                    detail
                    + self.env._(
                        "%(product)s: %(qty)s ordered, %(available)s available.\n",
                        product=move.product_id.display_name,
                        qty=move.product_qty,
                        available=max(move.forecast_availability, 0.0),
                    ),
                    move.picking_id,
                )
        for picking in pickings:
            due = (
                min(d for d in (picking.scheduled_date, picking.date_deadline) if d)
                if picking.scheduled_date or picking.date_deadline
                else None
            )
            if due and due < now:
                causes[(picking.sale_id.id, "late")] = (
                    self.env._(
                        "Delivery %(picking)s was due on %(date)s.", picking=picking.name, date=due
                    ),
                    picking,
                )
            address = picking.partner_id
            if not (address.street and address.city) or not (
                address.phone or address.mobile or address.email
            ):
                causes[(picking.sale_id.id, "address")] = (
                    self.env._(
                        "Delivery %s has no complete address or no way to reach the customer.",
                        picking.name,
                    ),
                    picking,
                )
        return self._sync_causes(orders, causes, AUTO_CLOSING)

    def _sync_causes(self, orders, causes, closable_types):
        open_exceptions = self.search(
            [("sale_order_id", "in", orders.ids), ("state", "in", OPEN_STATES)]
        )
        existing = {(e.sale_order_id.id, e.exception_type): e for e in open_exceptions}
        gone = open_exceptions.filtered(
            lambda e: (
                e.exception_type in closable_types
                and (e.sale_order_id.id, e.exception_type) not in causes
            )
        )
        for exception in gone:
            exception.message_post(body=self.env._("Closed automatically: the cause disappeared."))
        gone.write({"state": "resolved", "resolution": "auto"})
        orders_by_id = {order.id: order for order in orders}
        new = [
            {
                "sale_order_id": order_id,
                "partner_id": orders_by_id[order_id].partner_id.id,
                "company_id": orders_by_id[order_id].company_id.id,
                "picking_id": picking.id if picking else False,
                "exception_type": kind,
                "detail": detail.strip(),
                "user_id": orders_by_id[order_id].user_id.id or self.env.uid,
            }
            for (order_id, kind), (detail, picking) in causes.items()
            if (order_id, kind) not in existing and order_id in orders_by_id
        ]
        return self.create(new)

    @api.model
    def _retail_open_overdrafts(self, overdrawn):
        """A paid POS order spent more points than its customer's card held (two
        offline tills, a tampered client) or spent points without a customer:
        the order is kept and charged; a manager owns the difference.

        :param overdrawn: ``[(pos.order, points spent, card or None)]``
        """
        orders = self.env["pos.order"].union(*[order for order, _c, _card in overdrawn])
        # sudo: the cashier's sync opens the exception for the manager
        Exception_ = self.sudo()
        known = Exception_.search(
            [("pos_order_id", "in", orders.ids), ("exception_type", "=", "points")]
        ).pos_order_id
        vals_list = []
        for order, cost, card in overdrawn:
            if order in known:
                continue
            company = order.company_id
            if card:
                detail = self.env._(
                    "%(order)s spent %(cost)s points; the card %(card)s of %(customer)s now "
                    "stands at %(balance)s. It cannot pay rewards until it is back above zero.",
                    order=order.name,
                    cost=cost,
                    card=card.code,
                    customer=card.partner_id.display_name,
                    balance=card.sudo().points,
                )
            else:
                detail = self.env._(
                    "%(order)s got a points discount worth %(cost)s points without a customer "
                    "whose card could pay it.",
                    order=order.name,
                    cost=cost,
                )
            vals_list.append(
                {
                    "pos_order_id": order.id,
                    "partner_id": order.partner_id.id,
                    "company_id": company.id,
                    "exception_type": "points",
                    "detail": detail,
                    "user_id": (
                        company.retail_feedback_manager_id
                        or company.retail_followup_user_id
                        or order.session_id.user_id
                    ).id,
                }
            )
        return Exception_.create(vals_list)

    @api.model
    def _detect_abnormal(self, orders):
        """Orders far above the customer's usual basket (factor in Settings).

        Called on confirmation, for a handful of orders: one statistics query
        per order."""
        causes = {}
        for order in orders.filtered(lambda o: o.state == "sale"):
            factor = order.company_id.retail_exception_amount_factor
            partner = order.partner_id.commercial_partner_id.with_company(order.company_id)
            stats = partner._retail_get_purchase_stats(order.company_id).get(partner.id)
            if not factor or not stats or stats.order_count < 2:
                continue
            amount = order._retail_amount_company_currency()
            usual = (stats.lifetime_spend - amount) / (stats.order_count - 1)
            if usual > 0 and amount > factor * usual:
                causes[(order.id, "abnormal")] = (
                    self.env._(
                        "%(amount)s is more than %(factor)s times the customer's usual basket "
                        "(%(usual)s).",
                        amount=order.currency_id.format(amount),
                        factor=factor,
                        usual=order.currency_id.format(usual),
                    ),
                    False,
                )
        return self._sync_causes(orders, causes, ())

    @api.model
    def _cron_retail_detect(self):
        orders = self.env["sale.order"].search(
            [
                ("state", "=", "sale"),
                ("picking_ids.state", "not in", ("done", "cancel")),
            ]
        )
        # orders delivered since the last scan: close their exceptions
        orders |= self.search([("state", "in", OPEN_STATES)]).sale_order_id
        created = self._detect(orders)
        _logger.info("Exception scan: %s orders, %s new exceptions", len(orders), len(created))

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

    def action_resolve_compensation(self):
        """Give the customer compensation points on their retail card, once."""
        self.ensure_one()
        self._check_open()
        if self.compensation_points <= 0:
            raise UserError(self.env._("Enter the number of compensation points to give."))
        company = self.company_id
        limit = company.retail_compensation_limit
        if self.compensation_points > limit and not self.env.user.has_group(
            "retail_customer_mgmt.group_retail_manager"
        ):
            raise AccessError(
                self.env._(
                    "Compensations above %(limit)s points need a retail manager; ask one to "
                    "resolve %(exception)s.",
                    limit=limit,
                    exception=self.name,
                )
            )
        program = company._retail_get_program()
        Card = self.env["loyalty.card"]
        partner = self.partner_id.commercial_partner_id
        card = Card._retail_cards_for(partner, program)[partner]
        months = company.retail_points_expiry_months
        now = fields.Datetime.now()
        self.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": self.env._("Compensation for %s", self.name),
                    "issued": self.compensation_points,
                    "retail_kind": "compensation",
                    "retail_key": f"compensation:retail.order.exception:{self.id}",
                    "retail_date": now,
                    "retail_expiry_date": fields.Date.add(now.date(), months=months)
                    if months
                    else None,
                    "retail_sale_order_id": self.sale_order_id.id or None,
                }
            ]
        )
        self._resolve("compensation")

    def action_resolve_refund(self):
        """Refund part of the order with a credit note of its invoice, scaled to
        the refund amount (taxes included); the points it earned are taken
        back by the credit note."""
        self.ensure_one()
        self._check_open()
        if self.pos_order_id and not self.sale_order_id:
            return self._resolve_refund_pos()
        order = self.sale_order_id
        if not order:
            raise UserError(self.env._("Link the sales order or POS order to refund."))
        invoices = order.invoice_ids.filtered(
            lambda m: m.move_type == "out_invoice" and m.state == "posted"
        )
        if not invoices:
            raise UserError(self.env._("Invoice the order %s before refunding it.", order.name))
        refunded = sum(
            order.invoice_ids.filtered(
                lambda m: m.move_type == "out_refund" and m.state == "posted"
            ).mapped("amount_total")
        )
        refundable = sum(invoices.mapped("amount_total")) - refunded
        if (
            self.refund_amount <= 0
            or order.currency_id.compare_amounts(self.refund_amount, refundable) > 0
        ):
            raise UserError(
                self.env._(
                    "The refund must be more than zero and at most %(max)s, what is left to "
                    "refund on %(order)s.",
                    max=order.currency_id.format(refundable),
                    order=order.name,
                )
            )
        invoice = invoices[-1:]
        credit_note = invoice._reverse_moves(
            [
                {
                    "ref": self.env._("Refund for %s", self.name),
                    "invoice_date": fields.Date.context_today(self),
                }
            ]
        )
        factor = self.refund_amount / invoice.amount_total
        for line in credit_note.invoice_line_ids:
            line.price_unit = line.price_unit * factor
        credit_note.action_post()
        self.refund_move_id = credit_note
        self._resolve("refund")

    def action_resolve_cancel(self):
        """Cancel the sales order, with the reason given in the resolution note."""
        self.ensure_one()
        self._check_open()
        if not (self.resolution_note or "").strip():
            raise UserError(self.env._("Write why the order is cancelled in the resolution note."))
        order = self.sale_order_id
        if order.state != "cancel":
            order.with_context(disable_cancel_warning=True).action_cancel()
        order.message_post(
            body=self.env._(
                "Cancelled (%(exception)s): %(reason)s",
                exception=self.name,
                reason=self.resolution_note,
            )
        )
        self._resolve("cancel")

    def _check_promised_date(self, required):
        if (required and not self.promised_date) or (
            self.promised_date and self.promised_date < fields.Date.context_today(self)
        ):
            raise UserError(self.env._("Give the new promised date (today or later)."))

    def action_resolve_wait(self):
        """Keep the order and its delivery, promise a new date to the customer."""
        self.ensure_one()
        self._check_open()
        self._check_promised_date(required=True)
        pickings = _open_deliveries(self.sale_order_id)
        pickings.write({"scheduled_date": fields.Datetime.to_datetime(self.promised_date)})
        self.sale_order_id.commitment_date = fields.Datetime.to_datetime(self.promised_date)
        self.write({"state": "in_progress", "resolution": "wait"})
        self.message_post(
            body=self.env._(
                "The customer waits for restock; new promised date: %s.", self.promised_date
            )
        )

    def _resolve_refund_pos(self):
        """Refund the POS order (or the affected product's quantity) with a
        POS refund in the shop's open session, paid back with the order's
        payment method; the points it earned are taken back with it."""
        order = self.pos_order_id
        wanted = self._affected_quantities(
            {line: line.qty - line.refunded_qty for line in order.lines if line.qty > 0},
            lambda line: line.product_id,
            order.name,
        )
        method = order.payment_ids.payment_method_id[:1]
        if not method:
            raise UserError(self.env._("%s has no payment to refund.", order.name))
        refund = order._refund()  # raises when no session of the shop is open
        for line in refund.lines:
            qty = wanted.get(line.refunded_orderline_id, 0.0)
            if qty:
                line.qty = -qty
                line._onchange_amount_line_all()
            else:
                line.unlink()
        refund._compute_prices()
        context = {"active_ids": refund.ids, "active_id": refund.id}
        self.env["pos.make.payment"].with_context(**context).create(
            {"amount": refund.amount_total, "payment_method_id": method.id}
        ).with_context(**context).check()
        self.refund_pos_order_id = refund
        self.message_post(body=self.env._("POS refund %s paid back.", refund.name))
        self._resolve("refund")

    def _affected_quantities(self, available, product_of, document):
        """``{line: quantity}`` to refund or exchange: the affected product's
        quantity (all of it when no quantity is given), or every line.

        :param available: ``{line: quantity still refundable or returnable}``
        """
        available = {line: qty for line, qty in available.items() if qty > 0}
        if self.product_id:
            available = {
                line: qty for line, qty in available.items() if product_of(line) == self.product_id
            }
        total = sum(available.values())
        if not total:
            raise UserError(
                self.env._(
                    "Nothing of %(product)s is left to take back on %(document)s.",
                    product=self.product_id.display_name or self.env._("the order"),
                    document=document,
                )
            )
        if self.quantity < 0 or (self.product_id and self.quantity > total):
            raise UserError(
                self.env._(
                    "The quantity must be between 0 and %(max)s, what is left of %(product)s "
                    "on %(document)s.",
                    max=total,
                    product=self.product_id.display_name,
                    document=document,
                )
            )
        if not (self.product_id and self.quantity):
            return available
        wanted, left = {}, self.quantity
        for line, qty in available.items():
            wanted[line] = min(qty, left)
            left -= wanted[line]
        return {line: qty for line, qty in wanted.items() if qty}

    def action_resolve_exchange(self):
        """Take the goods back and send replacements, as Odoo's "Return for
        exchange" does: a return of the delivered goods and a new delivery of
        the same products, both on the sales order."""
        self.ensure_one()
        self._check_open()
        order = self.sale_order_id
        if not order:
            raise UserError(
                self.env._(
                    "Exchanges are made on sales orders. For a shop purchase, refund it in the "
                    "POS and sell the replacement."
                )
            )
        delivered = order.picking_ids.filtered(
            lambda p: p.picking_type_code == "outgoing" and p.state == "done"
        )
        delivery = self.picking_id if self.picking_id in delivered else delivered[-1:]
        if not delivery:
            raise UserError(
                self.env._(
                    "%s is not delivered yet: there is nothing to exchange. Wait for restock, "
                    "deliver partially or cancel instead.",
                    order.name,
                )
            )
        wizard = (
            self.env["stock.return.picking"]
            .with_context(active_id=delivery.id, active_model="stock.picking")
            .create({"picking_id": delivery.id})
        )
        returnable = {
            line: line.move_id.quantity
            - sum(m.product_uom_qty for m in line.move_id.returned_move_ids if m.state != "cancel")
            for line in wizard.product_return_moves
        }
        wanted = self._affected_quantities(returnable, lambda line: line.product_id, delivery.name)
        for line in wizard.product_return_moves:
            line.quantity = wanted.get(line, 0.0)
        before = order.picking_ids
        action = wizard.action_create_exchanges()
        return_picking = self.env["stock.picking"].browse(action["res_id"])
        replacements = order.picking_ids - before - return_picking
        self.write(
            {
                "return_picking_id": return_picking.id,
                "replacement_picking_ids": [Command.set(replacements.ids)],
            }
        )
        self.message_post(
            body=self.env._(
                "Exchange: return %(returned)s, replacement %(replacement)s.",
                returned=return_picking.name,
                replacement=", ".join(replacements.mapped("name")) or "-",
            )
        )
        self._resolve("exchange")

    def action_resolve_partial(self):
        """Deliver now what is in stock; the rest stays on a backorder, with the
        new promised date when one is given."""
        self.ensure_one()
        self._check_open()
        order = self.sale_order_id
        pickings = _open_deliveries(order)
        if not pickings:
            raise UserError(self.env._("%s has no delivery waiting.", order.name or self.name))
        self._check_promised_date(required=False)
        pickings.action_assign()
        ready = pickings.filtered(lambda p: any(m.quantity > 0 for m in p.move_ids))
        if not ready:
            raise UserError(
                self.env._("Nothing of %s is in stock yet: wait for restock instead.", order.name)
            )
        for move in ready.move_ids:
            move.picked = move.quantity > 0
        before = order.picking_ids
        ready.with_context(skip_backorder=True, skip_sms=True).button_validate()
        backorders = order.picking_ids - before
        if self.promised_date:
            backorders.write({"scheduled_date": fields.Datetime.to_datetime(self.promised_date)})
        self.backorder_picking_ids = [Command.set(backorders.ids)]
        self.message_post(
            body=self.env._(
                "Partial delivery: %(done)s delivered, the rest on %(backorders)s.",
                done=", ".join(ready.mapped("name")),
                backorders=", ".join(backorders.mapped("name")) or "-",
            )
        )
        self._resolve("partial")

    def action_cancel(self):
        self._check_open()
        self.write({"state": "cancelled"})

    def _resolve(self, resolution):
        self.write({"state": "resolved", "resolution": resolution})
