from collections import Counter, defaultdict

from odoo import fields, models
from odoo.tools import float_compare

from ..services.points import reward_cost
from .loyalty_history import points_enabled, skip_retail_history_env


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

    retail_priority = fields.Boolean(
        string="Priority Customer",
        readonly=True,
        copy=False,
        help="Confirmed for a customer whose tier or segment is served first: the "
        "deliveries of the order get the warehouse's priority.",
    )

    def action_confirm(self):
        res = super().action_confirm()
        self._retail_apply_service_priority()
        self._retail_sync_points()
        # sudo: salespeople confirm orders; the exceptions are opened for them
        Exception_ = self.env["retail.order.exception"].sudo()
        Exception_._detect(self)
        Exception_._detect_abnormal(self)
        return res

    def _action_cancel(self):
        confirmed = self.filtered(lambda order: order.state == "sale")
        confirmed._retail_take_back_points()
        return super()._action_cancel()

    def _retail_apply_service_priority(self):
        """Orders of VIP tiers or segments are flagged and their open
        deliveries get Odoo's picking priority (the warehouse ships them first)."""
        for company, orders in self.grouped("company_id").items():
            levels = orders.partner_id._retail_service_levels(company)
            vip = orders.browse(
                [
                    order.id
                    for order in orders
                    if (level := levels.get(order.partner_id.commercial_partner_id.id))
                    and level.vip
                ]
            )
            if not vip:
                continue
            # sudo: the salesperson confirming the order may not write deliveries
            vip.sudo().retail_priority = True
            vip.sudo().picking_ids.filtered(
                lambda p: p.state not in ("done", "cancel") and p.priority != "1"
            ).priority = "1"

    # ------------------------------------------------------------------
    # Odoo's loyalty flow leaves retail cards to the ledger
    # ------------------------------------------------------------------
    def _get_point_changes(self):
        changes = super()._get_point_changes()
        retail = self.env["loyalty.card"].union(*changes)._retail_filter_retail()
        return {card: points for card, points in changes.items() if card not in retail}

    def _add_loyalty_history_lines(self):
        # Odoo writes one history line per card of the order: the retail
        # card's lines are the ledger's (see _retail_sync_points)
        return super(
            SaleOrder, self.with_env(skip_retail_history_env(self.env))
        )._add_loyalty_history_lines()

    # ------------------------------------------------------------------
    # Points
    # ------------------------------------------------------------------
    def _retail_amount_company_currency(self):
        self.ensure_one()
        return self.amount_total / (self.currency_rate or 1.0)

    def _retail_cancel_generations(self):
        """``Counter({order id: cancellations of its points})`` in one query."""
        # sudo: salespeople confirm and cancel orders; the ledger is read for them
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

    def _retail_ledger_state(self):
        """Per order: net amount its points stand on, earning and take-back
        lines written, and points spent on rewards (net of returns)."""
        # sudo: read for the salesperson whose order changed (see above)
        History = self.env["loyalty.history"].sudo()
        state = defaultdict(lambda: {"base": 0.0, "earns": 0, "backs": 0, "spent": 0.0})
        for order, kind, base, issued, used, count in History._read_group(
            [("retail_sale_order_id", "in", self.ids)],
            ["retail_sale_order_id", "retail_kind"],
            ["retail_base_amount:sum", "issued:sum", "used:sum", "__count"],
        ):
            figures = state[order.id]
            if kind == "earn":
                figures["base"] += base
                figures["earns"] += count
            elif kind in ("refund", "cancel"):
                figures["base"] -= base
                figures["backs"] += count
            elif kind == "redeem":
                # spent on rewards, less what a cancellation gave back
                figures["spent"] += used - issued
        return state

    def _retail_reward_cost(self, program):
        self.ensure_one()
        claims = defaultdict(lambda: self.env["sale.order.line"])
        for line in self.order_line.filtered(lambda ol: ol.reward_id.program_id == program):
            claims[(line.reward_id, line.reward_identifier_code)] |= line
        return reward_cost(
            (
                reward.discount_mode,
                reward.discount,
                reward.required_points,
                sum(claim.mapped("price_total")) / (self.currency_rate or 1.0),
            )
            for (reward, _code), claim in claims.items()
        )

    def _retail_sync_points(self):
        """Bring the ledger in line with confirmed orders: earn on their amount
        (trigger 'confirm'; more when the order grows, less when it is reduced
        before invoicing) and charge their retail rewards. Idempotent: run
        again, it writes nothing."""
        if not points_enabled():
            return
        orders = self.filtered(lambda o: o.state == "sale")
        if not orders:
            return
        state = orders._retail_ledger_state()
        generations = orders._retail_cancel_generations()
        Card = self.env["loyalty.card"]
        for company, company_orders in orders.grouped("company_id").items():
            entries, requests, spends = [], [], []
            program = company.retail_loyalty_program_id
            for order in company_orders:
                figures, gen = state[order.id], generations[order.id]
                if company.retail_points_trigger == "confirm" and not order.invoice_ids.filtered(
                    lambda m: m.state == "posted"
                ):
                    delta = order._retail_amount_company_currency() - figures["base"]
                    if delta > 0.005:
                        key = f"earn:sale.order:{order.id}:{gen}"
                        entries.append(
                            {
                                "partner": order.partner_id,
                                "key": f"{key}:{figures['earns']}" if figures["earns"] else key,
                                "amount": delta,
                                "date": order.date_order,
                                "description": self.env._("Order %s", order.name),
                                "sale_order_id": order.id,
                            }
                        )
                    elif delta < -0.005:
                        requests.append(
                            {
                                "earn_domain": [("retail_sale_order_id", "=", order.id)],
                                "amount": -delta,
                                "key": f"reduce:sale.order:{order.id}:{figures['backs']}",
                                "kind": "refund",
                                "description": self.env._("Order %s reduced", order.name),
                                "sale_order_id": order.id,
                            }
                        )
                cost = order._retail_reward_cost(program) if program else 0.0
                if float_compare(cost, figures["spent"], precision_digits=2) > 0:
                    spends.append((order, cost - figures["spent"], gen))
            Card._retail_earn(company, entries)
            self.env["loyalty.history"]._retail_take_back(requests)
            company_orders._retail_charge(company, spends)
            company_orders.partner_id._retail_update_tiers(company)

    def _retail_charge(self, company, spends):
        """Post the points that retail rewards of confirmed orders cost."""
        if not spends:
            return
        program = company.retail_loyalty_program_id
        cards = self.env["loyalty.card"]._retail_cards_for(
            self.env["res.partner"].union(*[o.partner_id for o, _c, _g in spends]), program
        )
        self.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": cards[order.partner_id.commercial_partner_id].id,
                    "description": self.env._("Order %s: points spent", order.name),
                    "used": cost,
                    "retail_kind": "redeem",
                    "retail_key": f"redeem:sale.order:{order.id}:{gen}",
                    "retail_sale_order_id": order.id,
                }
                for order, cost, gen in spends
            ]
        )

    def _retail_take_back_points(self):
        """Take back all the points of orders being cancelled and give back
        the points their rewards spent."""
        if not points_enabled():
            return
        generation = self._retail_cancel_generations()
        state = self._retail_ledger_state()
        self.env["loyalty.history"]._retail_take_back(
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
        returns = [
            (order, state[order.id]["spent"]) for order in self if state[order.id]["spent"] > 0
        ]
        if returns:
            # sudo: the cards that paid the rewards, read for the salesperson
            History = self.env["loyalty.history"].sudo()
            spent_cards = {
                line.retail_sale_order_id: line.card_id
                for line in History.search(
                    [
                        ("retail_sale_order_id", "in", [o.id for o, _s in returns]),
                        ("retail_kind", "=", "redeem"),
                    ]
                )
            }
            self.env["loyalty.history"]._retail_post(
                [
                    {
                        "card_id": spent_cards[order].id,
                        "description": self.env._(
                            "Order %s cancelled: points spent given back", order.name
                        ),
                        "issued": spent,
                        "retail_kind": "redeem",
                        "retail_expiry_date": order.company_id._retail_expiry_date(),
                        "retail_key": f"cancel-redeem:sale.order:{order.id}:{generation[order.id]}",
                        "retail_sale_order_id": order.id,
                    }
                    for order, spent in returns
                ]
            )
