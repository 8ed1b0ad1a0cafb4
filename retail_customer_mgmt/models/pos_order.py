from collections import defaultdict

from odoo import api, models
from odoo.tools import float_compare, float_round

from ..services.points import reward_cost
from .loyalty_history import points_enabled

# What the POS shows of an order's retail points: read from the server's
# ledger when the order is paid and stored on the order (pos_order_receipt.py),
# returned to the POS with the synced order (pos.order loads all its fields),
# never taken from what the client sent.
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

    def action_pos_order_paid(self):
        res = super().action_pos_order_paid()
        self._retail_points_on_paid()
        self._retail_credit_referrals()
        return res

    def _retail_credit_referrals(self):
        """A referred customer's first paid shop order credits the referral."""
        if not points_enabled():
            return
        paid = self.filtered(lambda o: o.state in ("paid", "done", "invoiced") and o.partner_id)
        for company, orders in paid.grouped("company_id").items():
            orders.partner_id._retail_credit_referrals(company, pos_orders=orders)

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
        however often it is synced; refunded lines (a refund, or the returned
        part of an exchange) take back what they earned, with or without a
        customer on the refund; retail rewards are charged from their
        definition, whether or not the till confirms them.
        """
        if not points_enabled():
            return
        orders = self.filtered(lambda o: o.state in ("paid", "done", "invoiced"))
        Card = self.env["loyalty.card"]
        for company, company_orders in orders.grouped("company_id").items():
            entries, requests = [], []
            for order in company_orders:
                entries += order._retail_earn_entries()
                requests += order._retail_take_back_requests()
            # what the orders spend and earn is posted in one statement
            charges, cards, overdraft_check = company_orders._retail_reward_charges(company)
            if cards is None and entries and company.retail_points_per_unit:
                # found once, for the earnings and the receipt's balances
                cards = Card._retail_cards_for(
                    self.env["res.partner"].union(*[e["partner"] for e in entries]),
                    company._retail_get_program(),
                )
            posted = Card._retail_earn(company, entries, cards=cards, extra_vals=charges)
            overdraft_check(posted)
            self.env["loyalty.history"]._retail_take_back(requests)
            company_orders.partner_id._retail_update_tiers(company)
            company_orders._retail_record_receipt(company, cards or {})

    def _retail_record_receipt(self, company, cards):
        """Hook: the orders' points are posted (see pos_order_receipt.py)."""

    def _retail_earn_entries(self):
        """What the order sold (returned lines of an exchange aside) earns."""
        self.ensure_one()
        sold = self.lines.filtered(lambda line: not line.refunded_orderline_id)
        amount = sum(sold.mapped("price_subtotal_incl"))
        if not self.partner_id or amount <= 0:
            return []
        return [
            {
                "partner": self.partner_id,
                "key": f"earn:pos.order:{self._retail_order_key()}",
                "amount": self._retail_amount_company_currency(amount),
                "date": self.date_order,
                "description": self.env._("Shop order %s", self.name),
                "pos_order_id": self.id,
            }
        ]

    def _retail_take_back_requests(self):
        """Refunded lines take back what their original order earned."""
        self.ensure_one()
        refunded = defaultdict(float)
        for line in self.lines.filtered("refunded_orderline_id"):
            refunded[line.refunded_orderline_id.order_id] -= line.price_subtotal_incl
        return [
            {
                "earn_domain": [("retail_pos_order_id", "=", original.id)],
                "amount": self._retail_amount_company_currency(amount),
                "key": f"refund:pos.order:{self._retail_order_key()}:{original.id}",
                "kind": "refund",
                "description": self.env._(
                    "Shop refund %(refund)s of %(order)s",
                    refund=self.name,
                    order=original.name,
                ),
                "pos_order_id": self.id,
            }
            for original, amount in refunded.items()
            if amount > 0
        ]

    # ------------------------------------------------------------------
    # Redemption of retail points: computed on the server
    # ------------------------------------------------------------------
    def _retail_reward_lines(self, programs):
        return self.lines.filtered(lambda line: line.reward_id.program_id in programs)

    def _retail_reward_charges(self, company):
        """Ledger lines charging the retail rewards of paid orders to their
        customer's card, the cards found, and the check to run once posted.

        The card is the customer's card of the reward's program, decided here;
        the cost comes from the reward's definition. A refund line of a
        reward gives its share of the points back. A paid order is never
        refused: when the card cannot pay, the balance goes below zero and an
        exception is opened for a manager.
        """
        program = company.retail_loyalty_program_id
        orders = self.filtered(lambda o: o._retail_reward_lines(program)) if program else self
        if not program or not orders:
            return [], None, lambda posted: None
        partners = orders.partner_id.commercial_partner_id | self.partner_id.commercial_partner_id
        cards = self.env["loyalty.card"]._retail_cards_for(partners, program) if partners else {}
        vals_list = []
        spent = {}
        for order in orders:
            lines = order._retail_reward_lines(program)
            card = cards.get(order.partner_id.commercial_partner_id)
            sold = lines.filtered(lambda line: not line.refunded_orderline_id)
            cost = self._retail_reward_cost(sold)
            if sold and card:
                # sudo: cashiers link the reward lines to the card the server chose
                sold.filtered(
                    lambda line, card=card: line.coupon_id != card
                ).sudo().coupon_id = card
                order._retail_note_declared_cost(sold, cost)
            if cost:
                spent[order] = (cost, card)
            if cost and card:
                vals_list.append(
                    {
                        "card_id": card.id,
                        "description": self.env._("Shop order %s: points spent", order.name),
                        "used": cost,
                        "retail_kind": "redeem",
                        "retail_pos_order_id": order.id,
                        "retail_key": f"redeem:pos.order:{order._retail_order_key()}:{card.id}",
                        "order_model": order._name,
                        "order_id": order.id,
                    }
                )
            vals_list += order._retail_returned_reward_vals(lines.filtered("refunded_orderline_id"))

        def check_overdrafts(posted):
            """Orders whose charge, written now, left their card below zero
            (or that had no card to charge)."""
            written = set(posted.mapped("retail_key"))
            overdrawn = [
                (order, cost, card)
                for order, (cost, card) in spent.items()
                if not card
                or (
                    f"redeem:pos.order:{order._retail_order_key()}:{card.id}" in written
                    and float_compare(card.sudo().points, 0.0, precision_digits=2) < 0
                )
            ]
            if overdrawn:
                self.env["retail.order.exception"]._retail_open_overdrafts(overdrawn)

        return vals_list, cards, check_overdrafts

    def _retail_returned_reward_vals(self, returned):
        """Points given back by refunded reward lines, in proportion of the
        refunded quantity of each, to the card that paid them."""
        self.ensure_one()
        vals_list = []
        for line in returned:
            original = line.refunded_orderline_id
            card = original.coupon_id
            if not card or not original.qty:
                continue
            share = min(-line.qty / original.qty, 1.0)
            points = float_round(self._retail_reward_cost(original) * share, precision_digits=2)
            if points <= 0:
                continue
            vals_list.append(
                {
                    "card_id": card.id,
                    "description": self.env._(
                        "Shop refund %(refund)s: points of %(order)s given back",
                        refund=self.name,
                        order=original.order_id.name,
                    ),
                    "issued": points,
                    "retail_kind": "redeem",
                    "retail_expiry_date": self.company_id._retail_expiry_date(),
                    "retail_pos_order_id": self.id,
                    "retail_key": f"refund-redeem:pos.order:{self._retail_order_key()}:{line.id}",
                    "order_model": self._name,
                    "order_id": self.id,
                }
            )
        return vals_list

    def _retail_note_declared_cost(self, lines, cost):
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

    def confirm_coupon_programs(self, coupon_data):
        """The POS client sends the points it computed for each card. Every
        entry that touches a retail card (by the card's own program on the
        server, whatever program the client names) leaves Odoo's flow: the
        rewards were charged when the order was paid, and the client gets the
        server's balance back.
        """
        coupon_data = {int(k): v for k, v in coupon_data.items()}
        retail_programs = self._retail_programs()
        # sudo: which cards the client names is looked up whatever the
        # cashier may read; nothing is written on them here
        referenced = (
            self.env["loyalty.card"]
            .sudo()
            .browse(
                {
                    int(card_id)
                    for key, values in coupon_data.items()
                    for card_id in (key, values.get("coupon_id"), values.get("giftCardId"))
                    if card_id and int(card_id) > 0
                }
            )
            .exists()
        )
        retail_cards = referenced._retail_with_programs(retail_programs)

        def is_retail(key, values):
            return values.get("program_id") in retail_programs.ids or {
                key,
                values.get("coupon_id"),
                values.get("giftCardId"),
            } & set(retail_cards.ids)

        retail = {k: v for k, v in coupon_data.items() if is_retail(k, v)}
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
            self.ensure_one()
            self._retail_points_on_paid()  # idempotent: once per order uuid
            result["coupon_updates"] += self._retail_coupon_updates(retail)
        return result

    def _retail_coupon_updates(self, retail_data):
        """The server's figures for the retail cards the client named: its own
        customer's card for each (a card of another customer is not shown)."""
        program = self.company_id.retail_loyalty_program_id
        partner = self.partner_id.commercial_partner_id
        if not program or not partner:
            return []
        card = (
            self.env["loyalty.card"]._retail_cards_for(partner, program, create=False).get(partner)
        )
        if not card:
            return []
        return [
            {
                "old_id": old_id,
                "id": card.id,
                "points": card.points,
                "code": card.code,
                "program_id": program.id,
                "partner_id": card.partner_id.id,
            }
            for old_id in retail_data
        ]

    def _retail_programs(self):
        return self.env["res.company"].sudo().search([]).retail_loyalty_program_id

    @api.model
    def _retail_reward_cost(self, lines):
        """Points that retail reward lines cost, from the reward's definition
        (the cost the till declares is not trusted)."""
        claims = defaultdict(lambda: self.env["pos.order.line"])
        for line in lines:
            claims[(line.reward_id, line.reward_identifier_code)] |= line
        return reward_cost(
            (
                reward.discount_mode,
                reward.discount,
                reward.required_points,
                sum(claim.mapped("price_subtotal_incl")),
            )
            for (reward, _code), claim in claims.items()
        )

    def add_loyalty_history_lines(self, coupon_data, coupon_updates):
        """Retail cards have their ledger lines already: what the client sends
        for them (after mapping its temporary ids) is dropped."""
        id_mapping = {int(item["old_id"]): int(item["id"]) for item in coupon_updates}

        def card_id(values):
            return id_mapping.get(int(values["card_id"]), int(values["card_id"]))

        # sudo: only read, to tell retail cards apart
        cards = (
            self.env["loyalty.card"]
            .sudo()
            .browse({card_id(c) for c in coupon_data if card_id(c) > 0})
            .exists()
        )
        retail_ids = set(cards._retail_filter_retail().ids)
        coupon_data = [c for c in coupon_data if card_id(c) not in retail_ids]
        return super().add_loyalty_history_lines(coupon_data, coupon_updates)

    def validate_coupon_programs(self, point_changes, new_codes):
        """Before paying, the till asks whether the cards can pay its rewards:
        retail cards are checked against the server's balance, with a message
        the cashier can read to the customer."""
        changes = {int(k): v for k, v in point_changes.items()}
        cards = self.env["loyalty.card"].browse(list(changes)).exists()
        # the answer names the customer and the balance: only users who may
        # read these cards (cashiers, salespeople) may learn them
        cards.check_access("read")
        for card in cards._retail_filter_retail():
            needed = -changes[card.id]
            if needed > 0 and float_compare(card.points, needed, precision_digits=2) < 0:
                return {
                    "successful": False,
                    "payload": {
                        "message": self.env._(
                            "%(customer)s has %(balance)s: this reward needs %(needed)s. "
                            "Remove the reward or lower it.",
                            customer=card.partner_id.display_name,
                            balance=card._format_points(card.points),
                            needed=card._format_points(needed),
                        ),
                        "updated_points": {card.id: card.points},
                    },
                }
        return super().validate_coupon_programs(point_changes, new_codes)
