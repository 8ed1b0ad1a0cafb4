from datetime import timedelta

from odoo import api, fields, models

from .retail_demo import _deliver


class RetailDemo(models.AbstractModel):
    """The rest of the exception orders of the story, so that each type is
    seen in each state: every one opened by the detection of a confirmed
    order (or entered from the form, for product problems) and moved on by
    the buttons of the form (notify, resolve wizard, discard)."""

    _inherit = "retail.demo"

    def _demo_discard(self, exception, reason):
        """The form's Discard button, with the reason in the chatter."""
        exception.message_post(body=reason)
        exception.action_cancel()

    def _demo_delivery_contact(self, partner, name):
        """A delivery address the customer gave without street nor phone."""
        return self.env["res.partner"].create(
            {"parent_id": self._ref(partner).id, "type": "delivery", "name": name}
        )

    @api.model
    def _demo_load_exception_states(self):
        self._demo_stock_cancelled()
        self._demo_late_states()
        self._demo_address_states()
        self._demo_abnormal_states()
        self._demo_product_states()

    def _demo_stock_cancelled(self):
        """Zhao Min chose the celadon cups instead of the sold-out gift box:
        the exception is discarded and her order cancelled."""
        order = self._demo_order("res_partner_zhao_min_demo", "product_jasmine_box_demo", 1)
        self._demo_discard(
            self._demo_exception(order, "stock"),
            "The customer chose another gift instead; the order is cancelled.",
        )
        order.with_context(disable_cancel_warning=True).action_cancel()

    def _demo_late_states(self):
        """Three more teapots promised days ago: one just found late, one the
        customer agreed to wait for, one the customer asked to hold."""
        Exception_ = self.env["retail.order.exception"]
        now = fields.Datetime.now()
        today = fields.Date.context_today(self)
        orders = {
            partner: self._demo_order(
                partner, "product_teapot_demo", 1, commitment_date=now - timedelta(days=days)
            )
            for partner, days in (
                ("res_partner_zhang_wei_demo", 2),
                ("res_partner_yang_lei_demo", 4),
                ("res_partner_noah_williams_demo", 5),
            )
        }
        Exception_._detect(self.env["sale.order"].union(*orders.values()))
        self._demo_resolve(
            self._demo_exception(orders["res_partner_yang_lei_demo"], "late"),
            "wait",
            promised_date=today + timedelta(days=3),
            note="The customer agreed to a new date.",
        )
        held = orders["res_partner_noah_williams_demo"]
        self._demo_discard(
            self._demo_exception(held, "late"),
            "Not late for the customer: he had asked us to deliver after his trip.",
        )
        _deliver(held.picking_ids)

    def _demo_address_states(self):
        """Orders to be delivered to relatives whose address the customers
        forgot to give: one customer is asked by mail, one delivery waits for
        the address, one closes by itself once the address is entered."""
        Exception_ = self.env["retail.order.exception"]
        today = fields.Date.context_today(self)
        cases = {}
        for partner, relative in (
            ("res_partner_emma_johnson_demo", "Emma's son (student flat)"),
            ("res_partner_li_na_demo", "李娜的妹妹"),
            ("res_partner_zhou_xin_demo", "周欣的母亲"),
        ):
            contact = self._demo_delivery_contact(partner, relative)
            order = self._demo_order(
                partner, "product_teapot_demo", 1, partner_shipping_id=contact.id
            )
            cases[partner] = (order, contact)
        emma_order = cases["res_partner_emma_johnson_demo"][0]
        self._demo_exception(emma_order, "address").action_notify_customer()
        self._demo_resolve(
            self._demo_exception(cases["res_partner_li_na_demo"][0], "address"),
            "wait",
            promised_date=today + timedelta(days=5),
            note="Delivery held until the customer sends her sister's address.",
        )
        order, contact = cases["res_partner_zhou_xin_demo"]
        contact.write({"street": "9 Wuyi Road", "city": "福州", "mobile": "+86 139 0591 0000"})
        Exception_._detect(order)  # the hourly scan: the cause disappeared

    def _demo_abnormal_states(self):
        """Tea cakes bought far above the customers' usual baskets: one
        customer is asked to confirm by mail, one delivery is held until the
        customer calls back, one order is genuine (a company gift)."""
        today = fields.Date.context_today(self)
        notified = self._demo_order("res_partner_chen_jing_demo", "product_puerh_cake_demo", 6)
        self._demo_exception(notified, "abnormal").action_notify_customer()
        held = self._demo_order("res_partner_sophie_martin_demo", "product_puerh_cake_demo", 6)
        self._demo_resolve(
            self._demo_exception(held, "abnormal"),
            "wait",
            promised_date=today + timedelta(days=2),
            note="Delivery held until the customer confirms the quantity by phone.",
        )
        genuine = self._demo_order("res_partner_yang_lei_demo", "product_puerh_cake_demo", 2)
        self._demo_discard(
            self._demo_exception(genuine, "abnormal"),
            "The customer confirmed by phone: gifts for his colleagues.",
        )

    def _demo_product_states(self):
        """Product problems the customers reported after delivery, entered
        from the form: one new, one the customer is asked about by mail, one
        discarded."""
        for partner, detail in (
            ("res_partner_noah_williams_demo", "The spout of the teapot drips when pouring."),
            ("res_partner_olivia_brown_demo", "The customer says the teapot's clay smells."),
            ("res_partner_wang_fang_demo", "The tea scoop was missing from the box."),
        ):
            order = self.env["sale.order"].search(
                [
                    ("partner_id", "=", self._ref(partner).id),
                    ("order_line.product_id", "=", self._ref("product_teapot_demo").id),
                    ("picking_ids.state", "=", "done"),
                ],
                order="id desc",
                limit=1,
            )
            exception = self._demo_product_problem(order, "product_teapot_demo", detail)
            if partner == "res_partner_olivia_brown_demo":
                exception.action_notify_customer()
            elif partner == "res_partner_wang_fang_demo":
                self._demo_discard(
                    exception, "The customer found the tea scoop under the box's paper lining."
                )

    def _demo_product_problem(self, order, product, detail):
        return self.env["retail.order.exception"].create(
            {
                "sale_order_id": order.id,
                "partner_id": order.partner_id.id,
                "exception_type": "product",
                "product_id": self._ref(product).id,
                "quantity": 1.0,
                "detail": detail,
            }
        )
