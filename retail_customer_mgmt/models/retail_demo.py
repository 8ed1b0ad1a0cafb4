from datetime import timedelta

from odoo import Command, api, fields, models


def _deliver(picking):
    """Deliver or receive everything of ``picking``, as a warehouse worker does."""
    for move in picking.move_ids:
        move.quantity = move.product_uom_qty
    picking.move_ids.picked = True
    picking.button_validate()


class RetailDemo(models.AbstractModel):
    """The demo story of the shop, played through the addon's own flows
    (called from demo/retail_story_demo.xml, as Odoo's addons call functions
    from their demo data): nothing here writes a computed figure or a points
    balance directly."""

    _name = "retail.demo"
    _description = "Retail Demo Story"

    def _ref(self, name):
        return self.env.ref(name if "." in name else f"retail_customer_mgmt.{name}")

    def _demo_order(self, partner, product, qty, **vals):
        """A sales order of the main shop, confirmed (which runs the
        exception checks of the confirmation)."""
        order = self.env["sale.order"].create(
            {
                "partner_id": self._ref(partner).id,
                "user_id": self._ref("base.user_admin").id,
                "order_line": [
                    Command.create({"product_id": self._ref(product).id, "product_uom_qty": qty})
                ],
                **vals,
            }
        )
        order.action_confirm()
        return order

    def _demo_exception(self, order, kind):
        """The exception of type ``kind`` the detection opened on ``order``."""
        return self.env["retail.order.exception"].search(
            [("sale_order_id", "=", order.id), ("exception_type", "=", kind)]
        )

    def _demo_resolve(self, exception, resolution, **values):
        """Resolve ``exception`` through its wizard, as the form's buttons do."""
        return (
            self.env["retail.order.exception.resolve"]
            .with_context(default_exception_id=exception.id, default_resolution=resolution)
            .create(values)
            .action_apply()
        )

    @api.model
    def _demo_stock(self, product, quantity):
        """Goods received into the main warehouse's stock."""
        self.env["stock.quant"]._update_available_quantity(
            self._ref(product), self._ref("stock.warehouse0").lot_stock_id, quantity
        )

    @api.model
    def _demo_deliver(self, order_xmlids):
        """The customers' past orders left the warehouse long ago."""
        orders = self.env["sale.order"].union(*[self._ref(xmlid) for xmlid in order_xmlids])
        for picking in orders.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")):
            _deliver(picking)

    # ------------------------------------------------------------------
    # Exception orders
    # ------------------------------------------------------------------
    @api.model
    def _demo_load_exceptions(self):
        Exception_ = self.env["retail.order.exception"]
        today = fields.Date.context_today(self)
        # the customers' history (demo/sale_order_demo.xml) was entered before
        # the shop tracked exceptions: tracking starts now
        self._ref("base.main_company").retail_exception_since = self.env.cr.now()

        of = self._demo_exception

        # Not enough stock: the jasmine tea gift box is sold out
        of(self._demo_order("res_partner_zhang_wei_demo", "product_jasmine_box_demo", 3), "stock")
        notified = of(
            self._demo_order("res_partner_chen_jing_demo", "product_jasmine_box_demo", 2), "stock"
        )
        notified.action_notify_customer()
        waiting = of(
            self._demo_order("res_partner_liam_smith_demo", "product_jasmine_box_demo", 2), "stock"
        )
        self._demo_resolve(waiting, "wait", promised_date=today + timedelta(days=10))
        # two celadon cup sets in stock for five ordered: two now, three later
        partial = of(
            self._demo_order("res_partner_sophie_martin_demo", "product_celadon_cups_demo", 5),
            "stock",
        )
        self._demo_resolve(partial, "partial", promised_date=today + timedelta(days=7))

        # Late deliveries: promised three days ago
        promised = fields.Datetime.now() - timedelta(days=3)
        late = self._demo_order(
            "res_partner_emma_johnson_demo", "product_teapot_demo", 1, commitment_date=promised
        )
        delivered_late = self._demo_order(
            "res_partner_olivia_brown_demo", "product_teapot_demo", 1, commitment_date=promised
        )
        compensated = self._demo_order(
            "res_partner_wang_fang_demo", "product_teapot_demo", 1, commitment_date=promised
        )
        Exception_._cron_retail_detect()
        _deliver(delivered_late.picking_ids)
        Exception_._cron_retail_detect()  # the late delivery left: closed by itself
        self._demo_resolve(
            of(compensated, "late"),
            "compensation",
            compensation_points=200,
            note="Sorry for the wait: 200 points on your card.",
        )
        _deliver(compensated.picking_ids)
        of(late, "late").action_notify_customer()

        # Missing address: a walk-in customer who left only a name
        self._demo_order("res_partner_wu_walkin_demo", "product_teapot_demo", 1)
        duplicate = self._demo_order("res_partner_wu_walkin_demo", "product_teapot_demo", 1)
        of(duplicate, "address").action_cancel()
        duplicate.with_context(disable_cancel_warning=True).action_cancel()

        # Abnormal amount: far above the customer's usual basket
        self._demo_order("res_partner_olivia_brown_demo", "product_teapot_demo", 6)
        refunded = self._demo_order("res_partner_emma_johnson_demo", "product_teapot_demo", 4)
        _deliver(refunded.picking_ids)
        refunded._create_invoices().action_post()
        self._demo_resolve(
            of(refunded, "abnormal"),
            "refund",
            refund_amount=388.0,
            note="One teapot too many was ordered by mistake: refunded.",
        )

        # Product problem: a cracked lid, exchanged (a return and a new delivery)
        cracked = self._demo_order("res_partner_olivia_brown_demo", "product_teapot_demo", 2)
        _deliver(cracked.picking_ids)
        exchange = Exception_.create(
            {
                "sale_order_id": cracked.id,
                "partner_id": cracked.partner_id.id,
                "exception_type": "product",
                "product_id": self._ref("product_teapot_demo").id,
                "quantity": 1.0,
                "detail": "The lid of one teapot arrived cracked.",
            }
        )
        self._demo_resolve(exchange, "exchange", note="Replaced the cracked teapot.")
        Exception_.create(
            {
                "sale_order_id": refunded.id,
                "partner_id": refunded.partner_id.id,
                "exception_type": "product",
                "product_id": self._ref("product_teapot_demo").id,
                "detail": "The customer reports the glaze of a teapot is scratched.",
            }
        ).write({"state": "in_progress"})
