from collections import defaultdict

from odoo import models

from .loyalty_history import points_enabled


class AccountMove(models.Model):
    _inherit = "account.move"

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        if not points_enabled():
            return posted
        # sudo: whoever posts the credit note (an accountant) updates the
        # customer's points, which needs reading the orders it refunds
        posted.filtered(lambda m: m.move_type == "out_refund").sudo()._retail_take_back_points()
        return posted

    def _invoice_paid_hook(self):
        res = super()._invoice_paid_hook()
        if not points_enabled():
            return res
        # sudo: the payment may be registered by an accountant without sales rights
        self.filtered(
            lambda m: m.move_type == "out_invoice" and m.company_id.retail_points_trigger == "paid"
        ).sudo()._retail_earn_points()
        # a referred customer's first paid invoice credits the referral
        invoices = self.filtered(lambda m: m.move_type == "out_invoice").sudo()
        for company, moves in invoices.grouped("company_id").items():
            moves.commercial_partner_id._retail_credit_referrals(company, moves=moves)
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

    def _retail_pos_amounts(self):
        """``{pos.order: amount}`` of a credit note made in Accounting for an
        invoiced POS order (a POS refund's own credit note is not: the POS
        refund took the points back when it was paid)."""
        self.ensure_one()
        if self.pos_order_ids:
            return {}
        orders = self.reversed_entry_id.pos_order_ids
        total = abs(self.amount_total_signed)
        invoiced = sum(abs(o._retail_amount_company_currency(o.amount_total)) for o in orders)
        if not orders or not invoiced:
            return {}
        return {
            order: total * abs(order._retail_amount_company_currency(order.amount_total)) / invoiced
            for order in orders
        }

    def _retail_earn_points(self):
        """Trigger 'paid': an invoice earns for each of its orders when it is
        paid; credit notes posted before the payment are then applied."""
        Card = self.env["loyalty.card"]
        for company, moves in self.grouped("company_id").items():
            entries = [
                {
                    "partner": move.commercial_partner_id,
                    "key": f"earn:account.move:{move.id}:{order.id}",
                    "amount": amount,
                    "date": move.write_date,
                    "description": self.env._("Invoice %s paid", move.name),
                    "sale_order_id": order.id,
                    "move_id": move.id,
                }
                for move in moves
                for order, amount in move._retail_sale_amounts().items()
            ]
            Card._retail_earn(company, entries)
            orders = self.env["sale.order"].browse({e["sale_order_id"] for e in entries})
            self.search(
                [
                    ("move_type", "=", "out_refund"),
                    ("state", "=", "posted"),
                    ("invoice_line_ids.sale_line_ids.order_id", "in", orders.ids),
                ]
            )._retail_take_back_points()
            moves.commercial_partner_id._retail_update_tiers(company)

    def _retail_take_back_points(self):
        """A credit note of sales or POS orders takes back what the refunded
        part earned (idempotent: a credit note takes back once)."""
        requests = []
        for move in self:
            targets = [
                ("retail_sale_order_id", "sale_order_id", order, amount)
                for order, amount in move._retail_sale_amounts().items()
            ] + [
                ("retail_pos_order_id", "pos_order_id", order, amount)
                for order, amount in move._retail_pos_amounts().items()
            ]
            for field, doc_key, order, amount in targets:
                requests.append(
                    {
                        "earn_domain": [(field, "=", order.id)],
                        "amount": amount,
                        "key": f"refund:account.move:{move.id}:{order._name}:{order.id}",
                        "kind": "refund",
                        "description": self.env._(
                            "Credit note %(move)s for %(order)s", move=move.name, order=order.name
                        ),
                        "move_id": move.id,
                        doc_key: order.id,
                    }
                )
        self.env["loyalty.history"]._retail_take_back(requests)
