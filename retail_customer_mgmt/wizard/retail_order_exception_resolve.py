from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..models.retail_order_exception_detect import _open_deliveries

RESOLUTIONS = [
    ("wait", "Wait for Restock"),
    ("partial", "Partial Delivery"),
    ("refund", "Refund"),
    ("exchange", "Exchange"),
    ("cancel", "Cancel Order"),
    ("compensation", "Compensation Points"),
]


class RetailOrderExceptionResolve(models.TransientModel):
    """Resolve an exception order: each resolution creates the real Odoo
    documents (credit note, POS refund, return and replacement, backorder,
    cancellation, ledger line), once; the exception keeps its state and the
    links to them."""

    _name = "retail.order.exception.resolve"
    _description = "Resolve an Exception Order"

    exception_id = fields.Many2one("retail.order.exception", required=True, ondelete="cascade")
    resolution = fields.Selection(RESOLUTIONS, required=True, default="wait")
    sale_order_id = fields.Many2one(related="exception_id.sale_order_id")
    pos_order_id = fields.Many2one(related="exception_id.pos_order_id")
    currency_id = fields.Many2one(related="exception_id.currency_id")
    promised_date = fields.Date("New Promised Date")
    compensation_points = fields.Float()
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
    refund_amount = fields.Monetary(currency_field="currency_id")
    note = fields.Text(help="Reason, agreement with the customer...")
    policy_override_reason = fields.Text(
        help="Why a retail manager refunds or exchanges outside the return window."
    )

    @api.model
    def default_get(self, fields_list):
        values = super().default_get(fields_list)
        exception = self.env["retail.order.exception"].browse(values.get("exception_id"))
        if exception:
            # what the exception says is affected, as a start
            values.setdefault("product_id", exception.product_id.id)
            values.setdefault("quantity", exception.quantity)
        return values

    def action_apply(self):
        self.ensure_one()
        exception = self.exception_id
        exception._check_open()
        override = self._check_return_window()
        getattr(self, f"_resolve_{self.resolution}")()
        if override:
            exception.policy_override_reason = self.policy_override_reason
            exception.message_post(body=override)
        # what was decided, on the exception (its record)
        exception.write(
            {
                key: value
                for key, value in {
                    "resolution_note": self.note,
                    "promised_date": self.promised_date,
                    "compensation_points": self.compensation_points,
                    "refund_amount": self.refund_amount,
                }.items()
                if value
            }
        )
        return {"type": "ir.actions.act_window_close"}

    def _check_return_window(self):
        """Refunds and exchanges follow the return policy of the products'
        categories; a retail manager may override it with a reason."""
        if self.resolution not in ("refund", "exchange"):
            return ""
        exception = self.exception_id
        order = exception.sale_order_id or exception.pos_order_id
        if not order:
            return ""
        products = (
            order.order_line.product_id if exception.sale_order_id else order.lines.product_id
        )
        return self.env["product.category"]._retail_check_return_window(
            order, self.product_id or products, self.policy_override_reason
        )

    def _resolve_compensation(self):
        """Give the customer compensation points on their retail card, once."""
        exception = self.exception_id
        if self.compensation_points <= 0:
            raise UserError(self.env._("Enter the number of compensation points to give."))
        company = exception.company_id
        limit = company.retail_compensation_limit
        if self.compensation_points > limit and not self.env.user.has_group(
            "retail_customer_mgmt.group_retail_manager"
        ):
            raise AccessError(
                self.env._(
                    "Compensations above %(limit)s points need a retail manager; ask one to "
                    "resolve %(exception)s.",
                    limit=limit,
                    exception=exception.name,
                )
            )
        program = company._retail_get_program()
        Card = self.env["loyalty.card"]
        partner = exception.partner_id.commercial_partner_id
        card = Card._retail_cards_for(partner, program)[partner]
        months = company.retail_points_expiry_months
        now = fields.Datetime.now()
        self.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": self.env._("Compensation for %s", exception.name),
                    "issued": self.compensation_points,
                    "retail_kind": "compensation",
                    "retail_key": f"compensation:retail.order.exception:{exception.id}",
                    "retail_date": now,
                    "retail_expiry_date": fields.Date.add(now.date(), months=months)
                    if months
                    else None,
                    "retail_sale_order_id": exception.sale_order_id.id or None,
                }
            ]
        )
        exception._resolve("compensation")

    def _resolve_refund(self):
        """Refund part of the order with a credit note of its invoice, scaled to
        the refund amount (taxes included); the points it earned are taken
        back by the credit note."""
        exception = self.exception_id
        if exception.pos_order_id and not exception.sale_order_id:
            return self._resolve_refund_pos()
        order = exception.sale_order_id
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
                    "ref": self.env._("Refund for %s", exception.name),
                    "invoice_date": fields.Date.context_today(self),
                }
            ]
        )
        factor = self.refund_amount / invoice.amount_total
        for line in credit_note.invoice_line_ids:
            line.price_unit = line.price_unit * factor
        credit_note.action_post()
        exception.refund_move_id = credit_note
        exception._resolve("refund")

    def _resolve_cancel(self):
        """Cancel the sales order, with the reason given in the note."""
        exception = self.exception_id
        if not (self.note or "").strip():
            raise UserError(self.env._("Write why the order is cancelled in the resolution note."))
        order = exception.sale_order_id
        if order.state != "cancel":
            order.with_context(disable_cancel_warning=True).action_cancel()
        order.message_post(
            body=self.env._(
                "Cancelled (%(exception)s): %(reason)s",
                exception=exception.name,
                reason=self.note,
            )
        )
        exception._resolve("cancel")

    def _check_promised_date(self, required):
        if (required and not self.promised_date) or (
            self.promised_date and self.promised_date < fields.Date.context_today(self)
        ):
            raise UserError(self.env._("Give the new promised date (today or later)."))

    def _resolve_wait(self):
        """Keep the order and its delivery, promise a new date to the customer."""
        exception = self.exception_id
        self._check_promised_date(required=True)
        pickings = _open_deliveries(exception.sale_order_id)
        pickings.write({"scheduled_date": fields.Datetime.to_datetime(self.promised_date)})
        exception.sale_order_id.commitment_date = fields.Datetime.to_datetime(self.promised_date)
        exception.write({"state": "in_progress", "resolution": "wait"})
        exception.message_post(
            body=self.env._(
                "The customer waits for restock; new promised date: %s.", self.promised_date
            )
        )

    def _resolve_refund_pos(self):
        """Refund the POS order (or the affected product's quantity) with a
        POS refund in the shop's open session, paid back with the order's
        payment method; the points it earned are taken back with it."""
        exception = self.exception_id
        order = exception.pos_order_id
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
        exception.refund_pos_order_id = refund
        exception.message_post(body=self.env._("POS refund %s paid back.", refund.name))
        exception._resolve("refund")

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

    def _resolve_exchange(self):
        """Take the goods back and send replacements, as Odoo's "Return for
        exchange" does: a return of the delivered goods and a new delivery of
        the same products, both on the sales order."""
        exception = self.exception_id
        order = exception.sale_order_id
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
        delivery = exception.picking_id if exception.picking_id in delivered else delivered[-1:]
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
        exception.write(
            {
                "return_picking_id": return_picking.id,
                "replacement_picking_ids": [Command.set(replacements.ids)],
            }
        )
        exception.message_post(
            body=self.env._(
                "Exchange: return %(returned)s, replacement %(replacement)s.",
                returned=return_picking.name,
                replacement=", ".join(replacements.mapped("name")) or "-",
            )
        )
        exception._resolve("exchange")

    def _resolve_partial(self):
        """Deliver now what is in stock; the rest stays on a backorder, with the
        new promised date when one is given."""
        exception = self.exception_id
        order = exception.sale_order_id
        pickings = _open_deliveries(order)
        if not pickings:
            raise UserError(self.env._("%s has no delivery waiting.", order.name or exception.name))
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
        exception.backorder_picking_ids = [Command.set(backorders.ids)]
        exception.message_post(
            body=self.env._(
                "Partial delivery: %(done)s delivered, the rest on %(backorders)s.",
                done=", ".join(ready.mapped("name")),
                backorders=", ".join(backorders.mapped("name")) or "-",
            )
        )
        exception._resolve("partial")
