from collections import defaultdict

from odoo import api, fields, models
from odoo.tools import float_compare, float_round

# What the POS shows of an order's retail points: read from the server's
# ledger, returned to the POS with the synced order (pos.order loads all its
# fields), never computed from what the client sent.
_RETAIL_SUMMARY_FIELDS = (
    "retail_points_earned",
    "retail_points_spent",
    "retail_points_taken_back",
    "retail_points_balance",
    "retail_tier_name",
    "retail_tier_color",
)


class PosOrder(models.Model):
    _inherit = "pos.order"

    # computed as superuser: cashiers read the ledger lines of their orders
    # through these figures only, not the loyalty history itself
    retail_points_earned = fields.Float(
        compute="_compute_retail_points_summary",
        compute_sudo=True,
        help="Retail points this order earned, as written in the ledger by the server.",
    )
    retail_points_spent = fields.Float(
        compute="_compute_retail_points_summary",
        compute_sudo=True,
        help="Retail points this order spent on rewards.",
    )
    retail_points_taken_back = fields.Float(
        compute="_compute_retail_points_summary",
        compute_sudo=True,
        help="Retail points this refund took back from the refunded orders.",
    )
    retail_points_balance = fields.Float(
        compute="_compute_retail_points_summary",
        compute_sudo=True,
        help="Current points balance of the customer's retail card.",
    )
    retail_tier_name = fields.Char(compute="_compute_retail_points_summary", compute_sudo=True)
    retail_tier_color = fields.Integer(compute="_compute_retail_points_summary", compute_sudo=True)

    def _compute_retail_points_summary(self):
        """Ledger figures of the orders, their customers' balances and tiers:
        one grouped query for the ledger, one for the cards per company."""
        order_ids = [order_id for order_id in self.ids if isinstance(order_id, int)]
        sums = defaultdict(lambda: {"earn": 0.0, "spent": 0.0, "back": 0.0})
        if order_ids:
            for order, kind, issued, used in (
                self.env["loyalty.history"]
                .sudo()
                ._read_group(
                    [("retail_pos_order_id", "in", order_ids)],
                    ["retail_pos_order_id", "retail_kind"],
                    ["issued:sum", "used:sum"],
                )
            ):
                if kind == "earn":
                    sums[order.id]["earn"] += issued
                elif kind in ("refund", "cancel"):
                    sums[order.id]["back"] += used - issued
                elif not kind:  # rewards paid with points (see _retail_redeem)
                    sums[order.id]["spent"] += used - issued
        Card = self.env["loyalty.card"]
        for company, orders in self.grouped("company_id").items():
            partners = orders.partner_id.commercial_partner_id.with_company(company)
            program = company.retail_loyalty_program_id
            cards = (
                Card._retail_cards_for(partners, program, create=False)
                if program and partners
                else {}
            )
            for order in orders:
                partner = order.partner_id.commercial_partner_id.with_company(company)
                figures = sums[order.id]
                card = cards.get(partner)
                tier = partner.retail_tier_id
                order.retail_points_earned = figures["earn"]
                order.retail_points_spent = figures["spent"]
                order.retail_points_taken_back = figures["back"]
                order.retail_points_balance = card.points if card else 0.0
                order.retail_tier_name = tier.name or False
                order.retail_tier_color = tier.color

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
        self.invalidate_recordset(_RETAIL_SUMMARY_FIELDS)

    # ------------------------------------------------------------------
    # Redemption of retail points from the POS: computed on the server
    # ------------------------------------------------------------------
    def _retail_programs(self):
        return self.env["res.company"].sudo().search([]).retail_loyalty_program_id

    def confirm_coupon_programs(self, coupon_data):
        """The POS client sends the points it computed for each card. For the
        retail program the client is not trusted: earning is done on payment
        by the server, and the points spent are the cost of the reward lines
        of this order, written once per order and card in the retail ledger.
        """
        retail_programs = self._retail_programs()
        coupon_data = {int(k): v for k, v in coupon_data.items()}
        retail = {
            k: v for k, v in coupon_data.items() if v.get("program_id") in retail_programs.ids
        }
        others = {k: v for k, v in coupon_data.items() if k not in retail}
        result = (
            super().confirm_coupon_programs(others)
            if others
            else {
                "coupon_updates": [],
                "program_updates": [],
                "new_coupon_info": [],
                "coupon_report": {},
            }
        )
        if retail:
            result["coupon_updates"] += self._retail_redeem(retail)
            self.invalidate_recordset(_RETAIL_SUMMARY_FIELDS)
        return result

    def _retail_redeem(self, retail_data):
        self.ensure_one()
        Card = self.env["loyalty.card"]
        updates = []
        vals_list = []
        for card_key, values in retail_data.items():
            card = Card.sudo().browse(int(values.get("coupon_id") or card_key)).exists()
            if (
                not card
                or card.partner_id.commercial_partner_id != self.partner_id.commercial_partner_id
            ):
                continue  # a retail card is only spent by its own customer
            codes = values.get("line_codes") or []
            lines = self.lines.filtered(
                lambda line, codes=codes, program=card.program_id: (
                    line.reward_identifier_code in codes and line.reward_id.program_id == program
                )
            )
            lines.coupon_id = card
            cost = self._retail_reward_cost(lines)
            declared = sum(lines.mapped("points_cost"))
            if float_compare(cost, declared, precision_digits=2):
                self.message_post(
                    body=self.env._(
                        "The till declared %(declared)s points for the reward; %(cost)s were "
                        "spent, the value of the discount.",
                        declared=declared,
                        cost=cost,
                    )
                )
            if cost > 0:
                vals_list.append(
                    {
                        "card_id": card.id,
                        "description": self.env._("Shop order %s: points spent", self.name),
                        "used": cost,
                        "retail_pos_order_id": self.id,
                        "retail_key": f"redeem:pos.order:{self._retail_order_key()}:{card.id}",
                        "order_model": self._name,
                        "order_id": self.id,
                    }
                )
            updates.append({"card": card, "old_id": card_key})
        Card._retail_post(vals_list)
        return [
            {
                "old_id": update["old_id"],
                "id": update["card"].id,
                "points": update["card"].points,
                "code": update["card"].code,
                "program_id": update["card"].program_id.id,
                "partner_id": update["card"].partner_id.id,
            }
            for update in updates
        ]

    @api.model
    def _retail_reward_cost(self, lines):
        """Points that retail reward lines cost, from the reward's definition
        (the cost the till declares is not trusted): a per-point discount
        costs its amount divided by the value of a point, any other reward
        its required points once per claim."""
        claims = defaultdict(lambda: self.env["pos.order.line"])
        for line in lines:
            claims[(line.reward_id, line.reward_identifier_code)] |= line
        cost = 0.0
        for (reward, _code), claim in claims.items():
            if reward.discount_mode == "per_point" and reward.discount > 0:
                cost += -sum(claim.mapped("price_subtotal_incl")) / reward.discount
            else:
                cost += reward.required_points
        return float_round(max(cost, 0.0), precision_digits=2)

    def add_loyalty_history_lines(self, coupon_data, coupon_updates):
        """Retail cards already have their ledger lines (see confirm_coupon_programs)."""
        retail_cards = (
            self.env["loyalty.card"]
            .sudo()
            .search(
                [
                    ("id", "in", [int(c["card_id"]) for c in coupon_data if int(c["card_id"]) > 0]),
                    ("program_id", "in", self._retail_programs().ids),
                ]
            )
        )
        coupon_data = [c for c in coupon_data if int(c["card_id"]) not in retail_cards.ids]
        return super().add_loyalty_history_lines(coupon_data, coupon_updates)
