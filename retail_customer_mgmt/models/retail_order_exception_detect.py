import logging

from odoo import api, fields, models
from odoo.osv import expression

from ..services.notices import delivery_is_late
from .retail_order_exception import AUTO_CLOSING, OPEN_STATES

_logger = logging.getLogger(__name__)


def _in_detection_scope(orders):
    """Orders entered since their company's "Detect Exceptions Since" date
    (the addon's install): older orders never open an exception."""
    return orders.filtered(
        lambda o: (
            not o.company_id.retail_exception_since
            or o.create_date >= o.company_id.retail_exception_since
        )
    )


def _open_deliveries(orders):
    """Outgoing deliveries of ``orders`` that are neither done nor cancelled."""
    return orders.picking_ids.filtered(
        lambda p: p.picking_type_code == "outgoing" and p.state not in ("done", "cancel")
    )


class RetailOrderException(models.Model):
    """How exception orders are found: the scan of open orders (stock, late
    delivery, address), the abnormal amount at confirmation, the points
    overdraft, and the closing of those whose cause disappeared."""

    _inherit = "retail.order.exception"

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
            if due and delivery_is_late(due, now, picking.company_id.partner_id.tz):
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
        orders_by_id = {order.id: order for order in _in_detection_scope(orders)}
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
        scope = expression.OR(
            [("company_id", "=", company.id)]
            + ([("create_date", ">=", since)] if (since := company.retail_exception_since) else [])
            for company in self.env["res.company"].search([])
        )
        orders = self.env["sale.order"].search(
            expression.AND(
                [
                    [("state", "=", "sale"), ("picking_ids.state", "not in", ("done", "cancel"))],
                    scope,
                ]
            )
        )
        # orders delivered since the last scan: close their exceptions
        orders |= self.search([("state", "in", OPEN_STATES)]).sale_order_id
        created = self._detect(orders)
        _logger.info("Exception scan: %s orders, %s new exceptions", len(orders), len(created))
