from collections import defaultdict

from odoo import models


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if self.env.context.get("retail_no_points"):
            return posted
        # sudo: whoever posts the credit note (an accountant) updates the
        # customer's points, which needs reading the sales orders it refunds
        posted.filtered(lambda m: m.move_type == "out_refund").sudo()._retail_take_back_points()
        return posted

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        if self.env.context.get("retail_no_points"):
            return res
        # sudo: the payment may be registered by an accountant without sales rights
        self.filtered(
            lambda m: m.move_type == "out_invoice" and m.company_id.retail_points_trigger == "paid"
        ).sudo()._retail_earn_points()
        return res

    def _retail_sale_amounts(self):
        """``{sale.order: amount of this move for it, in company currency}``.

        The move total is shared among its orders in proportion of the lines
        linked to each; lines not linked to an order do not count.
        """
        self.ensure_one()
        lines = self.invoice_line_ids.filtered(lambda line: line.display_type == "product")
        total_weight = sum(abs(line.balance) for line in lines)
        if not total_weight:
            return {}
        weights = defaultdict(float)
        for line in lines:
            orders = line.sale_line_ids.order_id
            for order in orders:
                weights[order] += abs(line.balance) / len(orders)
        total = abs(self.amount_total_signed)
        return {order: total * weight / total_weight for order, weight in weights.items()}

    def _retail_earn_points(self):
        """Trigger 'paid': an invoice of sales orders earns when it is paid."""
        Card = self.env["loyalty.card"]
        for company, moves in self.grouped("company_id").items():
            entries = []
            for move in moves:
                orders = move.invoice_line_ids.sale_line_ids.order_id
                if not orders:
                    continue
                entries.append(
                    {
                        "partner": move.commercial_partner_id,
                        "key": f"earn:account.move:{move.id}",
                        "amount": abs(move.amount_total_signed),
                        "date": move.write_date,
                        "description": self.env._("Invoice %s paid", move.name),
                        "sale_order_id": orders[:1].id,
                        "move_id": move.id,
                    }
                )
            Card._retail_earn(company, entries)
            moves.commercial_partner_id._retail_update_tiers(company)

    def _retail_take_back_points(self):
        """A credit note of sales orders takes back what the refunded part earned."""
        requests = []
        for move in self:
            for order, amount in move._retail_sale_amounts().items():
                requests.append(
                    {
                        "earn_domain": [("retail_sale_order_id", "=", order.id)],
                        "amount": amount,
                        "key": f"refund:account.move:{move.id}:{order.id}",
                        "kind": "refund",
                        "description": self.env._(
                            "Credit note %(move)s for %(order)s", move=move.name, order=order.name
                        ),
                        "move_id": move.id,
                        "sale_order_id": order.id,
                    }
                )
        self.env["loyalty.card"]._retail_take_back(requests)
