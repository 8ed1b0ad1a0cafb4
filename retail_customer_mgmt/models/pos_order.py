from collections import defaultdict

from odoo import models


class PosOrder(models.Model):
    _inherit = "pos.order"

    def action_pos_order_paid(self):
        res = super().action_pos_order_paid()
        self._retail_points_on_paid()
        return res

    def _retail_order_key(self):
        """The order's identity across syncs: the uuid the POS gives it (orders
        created on the server without a uuid fall back to their id)."""
        self.ensure_one()
        return self.uuid or f"id-{self.id}"

    def _retail_amount_company_currency(self, amount):
        self.ensure_one()
        return amount / (self.currency_rate or 1.0)

    def _retail_points_on_paid(self):
        """Points of paid POS orders, computed here on the server.

        A sale earns once per order uuid, whatever the client sent and
        however often it is synced; a refund takes back what the refunded
        lines earned.
        """
        if self.env.context.get("retail_no_points"):
            return
        orders = self.filtered(lambda o: o.state in ("paid", "done", "invoiced") and o.partner_id)
        Card = self.env["loyalty.card"]
        for company, company_orders in orders.grouped("company_id").items():
            sales = company_orders.filtered(lambda o: o.amount_total >= 0)
            Card._retail_earn(
                company,
                [
                    {
                        "partner": order.partner_id,
                        "key": f"earn:pos.order:{order._retail_order_key()}",
                        "amount": order._retail_amount_company_currency(order.amount_total),
                        "date": order.date_order,
                        "description": self.env._("Shop order %s", order.name),
                        "pos_order_id": order.id,
                    }
                    for order in sales
                ],
            )
            requests = []
            for refund in company_orders - sales:
                refunded = defaultdict(float)
                for line in refund.lines.filtered("refunded_orderline_id"):
                    refunded[line.refunded_orderline_id.order_id] -= line.price_subtotal_incl
                for original, amount in refunded.items():
                    requests.append(
                        {
                            "earn_domain": [("retail_pos_order_id", "=", original.id)],
                            "amount": refund._retail_amount_company_currency(amount),
                            "key": f"refund:pos.order:{refund._retail_order_key()}:{original.id}",
                            "kind": "refund",
                            "description": self.env._(
                                "Shop refund %(refund)s of %(order)s",
                                refund=refund.name,
                                order=original.name,
                            ),
                            "pos_order_id": refund.id,
                        }
                    )
            Card._retail_take_back(requests)
            company_orders.partner_id._retail_update_tiers(company)
