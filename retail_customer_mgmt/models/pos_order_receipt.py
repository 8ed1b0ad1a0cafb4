from collections import defaultdict

from odoo import api, fields, models, tools
from odoo.tools import float_compare

from .pos_order import _RETAIL_SUMMARY_FIELDS

# written by the server only, once, when the order is paid
_RETAIL_RECEIPT_FIELDS = (
    *_RETAIL_SUMMARY_FIELDS,
    "retail_points_declared",
    "retail_points_charge_differs",
    "retail_points_recorded",
)


def _receipt_field(field_type, **kwargs):
    return field_type(readonly=True, copy=False, **kwargs)


class PosOrder(models.Model):
    """Receipts that stay true: the points an order earned, spent and took
    back and the customer's balance after it are those of the ledger at the
    moment the order was paid, stored on the order, so that a reprint shows
    them as they were; a till that showed another points charge than the
    server made (a reward changed meanwhile, a tampered till) sees it
    printed."""

    _inherit = "pos.order"

    retail_points_earned = _receipt_field(
        fields.Float,
        help="Retail points this order earned, as written in the ledger by the server.",
    )
    retail_points_spent = _receipt_field(
        fields.Float, help="Retail points the server charged for this order's rewards."
    )
    retail_points_taken_back = _receipt_field(
        fields.Float, help="Retail points this refund took back from the refunded orders."
    )
    retail_points_balance = _receipt_field(
        fields.Float, help="Points balance of the customer's retail card once this order was paid."
    )
    retail_tier_name = _receipt_field(fields.Char, help="The customer's tier once paid.")
    retail_tier_color = _receipt_field(fields.Integer)
    retail_points_declared = _receipt_field(
        fields.Float, help="Points the till showed for this order's rewards."
    )
    retail_points_charge_differs = _receipt_field(
        fields.Boolean, help="The server charged other points for the rewards than the till showed."
    )
    retail_points_recorded = _receipt_field(
        fields.Boolean,
        help="The points figures of the receipt were recorded when the order was paid.",
    )

    # ------------------------------------------------------------------
    # CRUD: the figures are the server's
    # ------------------------------------------------------------------
    @api.model
    def _retail_drop_receipt_values(self, vals):
        if not self.env.context.get("retail_receipt_snapshot"):
            for fname in _RETAIL_RECEIPT_FIELDS:
                vals.pop(fname, None)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        return super().create([self._retail_drop_receipt_values(dict(v)) for v in vals_list])

    def write(self, vals):
        return super().write(self._retail_drop_receipt_values(dict(vals)))

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_ledger_sums(self):
        """``{order id: {"earn", "spent", "back"}}`` from the ledger (one query)."""
        sums = defaultdict(lambda: {"earn": 0.0, "spent": 0.0, "back": 0.0})
        for order, kind, issued, used in (
            self.env["loyalty.history"]
            .sudo()
            ._read_group(
                [("retail_pos_order_id", "in", self.ids)],
                ["retail_pos_order_id", "retail_kind"],
                ["issued:sum", "used:sum"],
            )
        ):
            if kind == "earn":
                sums[order.id]["earn"] += issued
            elif kind in ("refund", "cancel"):
                sums[order.id]["back"] += used - issued
            elif kind == "redeem" or not kind:
                # rewards paid with points, less what refunds gave back
                # (lines without kind: written before the kind existed)
                sums[order.id]["spent"] += used - issued
        return sums

    def _retail_record_receipt(self, company, cards):
        """Store, once per order, the receipt's points figures as the ledger
        has them now that the orders of ``company`` are paid, and tell the
        open tills of the company the customers' new balances.

        :param cards: ``{commercial partner: card}`` the posting found
        """
        super()._retail_record_receipt(company, cards)
        # sudo: the figures are the server's, written whatever the cashier may write
        orders = self.sudo().filtered(
            lambda o: (
                not o.retail_points_recorded and (o.partner_id or o.lines.refunded_orderline_id)
            )
        )
        if not orders:
            return
        sums = orders._retail_ledger_sums()
        program = company.retail_loyalty_program_id
        partners = orders.partner_id.commercial_partner_id.with_company(company)
        missing = partners.filtered(lambda partner: partner not in cards)
        if program and missing:
            cards = {
                **cards,
                **self.env["loyalty.card"]._retail_cards_for(missing, program, create=False),
            }
        balances = {}
        for order in orders:
            partner = order.partner_id.commercial_partner_id.with_company(company)
            card = cards.get(partner)
            figures = sums[order.id]
            declared = (
                sum(
                    order._retail_reward_lines(program)
                    .filtered(lambda line: not line.refunded_orderline_id)
                    .mapped("points_cost")
                )
                if program
                else 0.0
            )
            tier = partner.sudo().retail_tier_id
            order.with_context(retail_receipt_snapshot=True).write(
                {
                    "retail_points_earned": figures["earn"],
                    "retail_points_spent": figures["spent"],
                    "retail_points_taken_back": figures["back"],
                    "retail_points_balance": card.points if card else 0.0,
                    "retail_tier_name": tier.name or False,
                    "retail_tier_color": tier.color,
                    "retail_points_declared": declared,
                    "retail_points_charge_differs": bool(declared or figures["spent"] > 0)
                    and float_compare(declared, figures["spent"], precision_digits=2) != 0,
                    "retail_points_recorded": True,
                }
            )
            if partner and any(figures.values()):
                balances[partner.id] = {
                    "points": card.points if card else 0.0,
                    "tier": tier.name or False,
                    "tier_color": tier.color,
                }
        if balances:
            self._retail_notify_tills(company, balances)

    @api.model
    @tools.ormcache("company_id")
    def _retail_open_tills(self, company_id):
        """Ids of the tills of the company with an open session (cached:
        opening and closing sessions clear it)."""
        # sudo: cashiers do not read the sessions of other tills
        sessions = (
            self.env["pos.session"]
            .sudo()
            .search([("state", "!=", "closed"), ("config_id.company_id", "=", company_id)])
        )
        return tuple(sessions.config_id.ids)

    @api.model
    def _retail_notify_tills(self, company, accounts):
        """Tell the open tills of ``company`` the new balance and tier of the
        customers (``{commercial partner id: {points, tier, tier_color}}``):
        every contact of these customers on screen shows them at once
        (Odoo's POS bus, one message per till, sent at commit)."""
        for config in self.env["pos.config"].sudo().browse(self._retail_open_tills(company.id)):
            config._notify("RETAIL_POINTS", {"accounts": accounts})


class PosSession(models.Model):
    _inherit = "pos.session"

    @api.model_create_multi
    def create(self, vals_list):
        sessions = super().create(vals_list)
        self.env.registry.clear_cache()  # pos.order._retail_open_tills
        return sessions

    def write(self, vals):
        result = super().write(vals)
        if "state" in vals:
            self.env.registry.clear_cache()  # pos.order._retail_open_tills
        return result
