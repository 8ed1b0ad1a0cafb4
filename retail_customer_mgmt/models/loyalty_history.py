from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.exceptions import UserError

# The ledger's own writes carry this object in their context. A client (RPC,
# the POS) can only send JSON values, so it cannot present this very object:
# no context a caller chooses opens the ledger.
LEDGER = object()


def ledger_env(env, **context):
    """``env`` with the right to move retail balances (the ledger's entry points only)."""
    return env(context=dict(env.context, retail_ledger=LEDGER, **context))


# Odoo's sales flow writes its own history line per card of a confirmed
# order; with this object in the context, the lines of retail cards are left
# out (the ledger writes those). Out of every client's reach, as LEDGER.
SKIP_RETAIL = object()


def skip_retail_history_env(env):
    return env(context=dict(env.context, retail_skip_history=SKIP_RETAIL))


def _is_ledger(env):
    return env.context.get("retail_ledger") is LEDGER


# Benchmarks and query-count tests measure Odoo's own flows without the
# points hooks. A context key would let any RPC caller skip them (sync an
# order without being charged its points): the switch is a Python context
# variable, out of every client's reach.
_POINTS_OFF = ContextVar("retail_points_off", default=False)


def points_enabled():
    return not _POINTS_OFF.get()


@contextmanager
def points_disabled():
    """Run Odoo's flows without the retail points hooks (benchmarks, tests)."""
    token = _POINTS_OFF.set(True)
    try:
        yield
    finally:
        _POINTS_OFF.reset(token)


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    retail_kind = fields.Selection(
        [
            ("earn", "Earned"),
            ("refund", "Refund"),
            ("cancel", "Cancelled Order"),
            ("expire", "Expired"),
            ("adjust", "Manual Adjustment"),
            ("compensation", "Compensation"),
            ("redeem", "Spent on Rewards"),
        ],
        string="Retail Movement",
        readonly=True,
        index=True,
    )
    retail_key = fields.Char(
        readonly=True,
        copy=False,
        help="Idempotency key: a movement with the same key is never written twice.",
    )
    retail_date = fields.Datetime(
        string="Effective Date", readonly=True, default=fields.Datetime.now
    )
    retail_expiry_date = fields.Date(string="Points Expire On", readonly=True)
    retail_base_amount = fields.Float(
        string="Base Amount",
        readonly=True,
        help="Amount the points were earned on, or the refunded amount of a refund.",
    )
    retail_earn_id = fields.Many2one(
        "loyalty.history",
        string="Earning Movement",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    retail_sale_order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    retail_pos_order_id = fields.Many2one(
        "pos.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    retail_move_id = fields.Many2one(
        "account.move", readonly=True, index="btree_not_null", ondelete="set null"
    )
    retail_tier_id = fields.Many2one("retail.tier", readonly=True, ondelete="set null")
    retail_multiplier = fields.Float(readonly=True)
    retail_user_id = fields.Many2one(
        "res.users", string="Adjusted By", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "retail_key_unique",
            "UNIQUE (retail_key)",
            "This points movement has already been recorded.",
        ),
    ]

    # ------------------------------------------------------------------
    # CRUD: the retail ledger is append-only and written by the ledger only
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not _is_ledger(self.env):
            cards = self.env["loyalty.card"].browse(
                {vals["card_id"] for vals in vals_list if vals.get("card_id")}
            )
            retail = cards._retail_filter_retail()
            if retail and self.env.context.get("retail_skip_history") is SKIP_RETAIL:
                vals_list = [vals for vals in vals_list if vals.get("card_id") not in retail.ids]
                retail = retail.browse()
            self._retail_refuse_outside_ledger(retail)
        return super().create(vals_list)

    def write(self, vals):
        if not _is_ledger(self.env):
            cards = self.sudo().card_id
            if vals.get("card_id"):
                cards |= self.env["loyalty.card"].browse(vals["card_id"])
            self._retail_refuse_outside_ledger(cards._retail_filter_retail())
        return super().write(vals)

    def unlink(self):
        if not _is_ledger(self.env):
            self._retail_refuse_outside_ledger(self.sudo().card_id._retail_filter_retail())
        return super().unlink()

    def _retail_refuse_outside_ledger(self, retail_cards):
        if retail_cards:
            raise UserError(
                self.env._(
                    "The points history of retail loyalty cards (%(cards)s) is a ledger: its "
                    "lines cannot be created, changed or deleted by hand. A retail manager "
                    "corrects a balance with a new line through Adjust Points, with a reason.",
                    cards=", ".join(retail_cards.mapped("code")),
                )
            )
