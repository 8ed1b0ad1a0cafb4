from collections import Counter

from odoo import fields, models


class SaleOrder(models.Model):
    _inherit = "sale.order"

    # Feedback tickets and exception orders are retail records: salespeople
    # without retail rights cannot read them, so the fields that show them are
    # restricted to the same group (a whole-order read() simply leaves them
    # out); the order form shows them in buttons with the same groups.
    retail_feedback_ids = fields.One2many(
        "retail.feedback",
        "sale_order_id",
        string="Feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_feedback_count = fields.Integer(
        compute="_compute_retail_feedback_count", groups="retail_customer_mgmt.group_retail_user"
    )

    def _compute_retail_feedback_count(self):
        data = dict(
            self.env["retail.feedback"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.retail_feedback_count = data.get(order, 0)

    def action_retail_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_feedback_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action

    retail_exception_ids = fields.One2many(
        "retail.order.exception",
        "sale_order_id",
        string="Exceptions",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_exception_count = fields.Integer(
        compute="_compute_retail_exception_count",
        groups="retail_customer_mgmt.group_retail_user",
    )

    def _compute_retail_exception_count(self):
        data = dict(
            self.env["retail.order.exception"]._read_group(
                [("sale_order_id", "in", self.ids)], ["sale_order_id"], ["__count"]
            )
        )
        for order in self:
            order.retail_exception_count = data.get(order, 0)

    def action_retail_view_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_order_exception_action"
        )
        action["domain"] = [("sale_order_id", "=", self.id)]
        action["context"] = {
            "default_sale_order_id": self.id,
            "default_partner_id": self.partner_id.id,
        }
        return action

    def action_confirm(self):
        res = super().action_confirm()
        self._retail_earn_points()
        # sudo: salespeople confirm orders; the exceptions are opened for them
        Exception_ = self.env["retail.order.exception"].sudo()
        Exception_._detect(self)
        Exception_._detect_abnormal(self)
        return res

    def _action_cancel(self):
        confirmed = self.filtered(lambda order: order.state == "sale")
        confirmed._retail_take_back_points()
        return super()._action_cancel()

    def _retail_amount_company_currency(self):
        self.ensure_one()
        return self.amount_total / (self.currency_rate or 1.0)

    def _retail_cancel_generations(self):
        """``Counter({order id: cancellations of its points})`` in one query."""
        History = self.env["loyalty.history"].sudo()
        return Counter(
            {
                order.id: count
                for order, count in History._read_group(
                    [("retail_sale_order_id", "in", self.ids), ("retail_kind", "=", "cancel")],
                    ["retail_sale_order_id"],
                    ["__count"],
                )
            }
        )

    def _retail_earn_points(self):
        """Credit the customer's retail card for confirmed orders (trigger 'confirm')."""
        if self.env.context.get("retail_no_points"):
            return
        orders = self.filtered(
            lambda o: o.state == "sale" and o.company_id.retail_points_trigger == "confirm"
        )
        if not orders:
            return
        # An order cancelled and confirmed again earns again: the key counts
        # the earnings already cancelled.
        cancelled = orders._retail_cancel_generations()
        Card = self.env["loyalty.card"]
        for company, company_orders in orders.grouped("company_id").items():
            Card._retail_earn(
                company,
                [
                    {
                        "partner": order.partner_id,
                        "key": f"earn:sale.order:{order.id}:{cancelled[order.id]}",
                        "amount": order._retail_amount_company_currency(),
                        "date": order.date_order,
                        "description": self.env._("Order %s", order.name),
                        "sale_order_id": order.id,
                    }
                    for order in company_orders
                ],
            )
            company_orders.partner_id._retail_update_tiers(company)

    def _retail_take_back_points(self):
        """Take back all the points of orders being cancelled."""
        if self.env.context.get("retail_no_points"):
            return
        Card = self.env["loyalty.card"]
        generation = self._retail_cancel_generations()
        Card._retail_take_back(
            [
                {
                    "earn_domain": [("retail_sale_order_id", "=", order.id)],
                    "amount": None,
                    "key": f"cancel:sale.order:{order.id}:{generation[order.id]}",
                    "kind": "cancel",
                    "description": self.env._("Order %s cancelled", order.name),
                    "sale_order_id": order.id,
                }
                for order in self
            ]
        )
