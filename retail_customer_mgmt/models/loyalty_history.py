from collections import defaultdict
from contextlib import contextmanager
from contextvars import ContextVar

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.osv import expression
from odoo.tools import SQL

from ..services.points import Lot, refund_takeback

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


# Columns of loyalty_history written by the retail ledger, with their SQL
# types (VALUES lists need them when a column is NULL in every row).
_HISTORY_COLUMNS = {
    "card_id": "int4",
    "description": "text",
    "issued": "float8",
    "used": "float8",
    "retail_kind": "varchar",
    "retail_key": "varchar",
    "retail_date": "timestamp",
    "retail_expiry_date": "date",
    "retail_base_amount": "float8",
    "retail_earn_id": "int4",
    "retail_sale_order_id": "int4",
    "retail_pos_order_id": "int4",
    "retail_move_id": "int4",
    "retail_tier_id": "int4",
    "retail_multiplier": "float8",
    "retail_user_id": "int4",
    "order_model": "varchar",
    "order_id": "int4",
}


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
            ("referral", "Referral Reward"),
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
            self._retail_refuse_outside_ledger(retail, "create")
        return super().create(vals_list)

    def write(self, vals):
        if not _is_ledger(self.env):
            cards = self.sudo().card_id
            if vals.get("card_id"):
                cards |= self.env["loyalty.card"].browse(vals["card_id"])
            self._retail_refuse_outside_ledger(cards._retail_filter_retail(), "write")
        return super().write(vals)

    def unlink(self):
        if not _is_ledger(self.env):
            self._retail_refuse_outside_ledger(
                self.sudo().card_id._retail_filter_retail(), "unlink"
            )
        return super().unlink()

    def _retail_refuse_outside_ledger(self, retail_cards, operation):
        if retail_cards:
            self.check_access(operation)  # who may not do it at all hears it first
            raise UserError(
                self.env._(
                    "The points history of retail loyalty cards (%(cards)s) is a ledger: its "
                    "lines cannot be created, changed or deleted by hand. A retail manager "
                    "corrects a balance with a new line through Adjust Points, with a reason.",
                    cards=", ".join(retail_cards.mapped("code")),
                )
            )

    # ------------------------------------------------------------------
    # The ledger: the only writer of retail balances
    # ------------------------------------------------------------------
    @api.model
    def _retail_post(self, vals_list):
        """Write ledger lines and move the card balances, idempotently.

        Lines whose ``retail_key`` was already written (retried sync, double
        click, concurrent request) are skipped by the database itself
        (``ON CONFLICT DO NOTHING`` on a unique key); the balance moves only
        by the lines actually written, in the same transaction.

        :return: the loyalty.history lines written
        """
        History = self.sudo()
        if not vals_list:
            return History
        self.env.flush_all()
        now = fields.Datetime.now()
        rows = []
        for vals in vals_list:
            values = {"retail_date": now, "issued": 0.0, "used": 0.0, **vals}
            rows.append(
                SQL(
                    "(%s)",
                    SQL(", ").join(
                        SQL(f"%s::{sql_type}", values.get(column))
                        for column, sql_type in _HISTORY_COLUMNS.items()
                    ),
                )
            )
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO loyalty_history (%(columns)s, create_uid, create_date,
                                             write_uid, write_date)
                SELECT v.*, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM (VALUES %(rows)s) AS v(%(columns)s)
                ON CONFLICT (retail_key) DO NOTHING
                RETURNING id, card_id, issued - used
                """,
                columns=SQL(", ").join(SQL.identifier(c) for c in _HISTORY_COLUMNS),
                uid=self.env.uid,
                rows=SQL(", ").join(rows),
            )
        )
        written = self.env.cr.fetchall()
        deltas = defaultdict(float)
        for _line_id, card_id, delta in written:
            deltas[card_id] += delta
        cards = self.env["loyalty.card"].sudo().browse(list(deltas))
        cards.invalidate_recordset(["history_ids"])
        # the ledger lines are the card's history: no chatter tracking on top
        for card in cards.with_env(ledger_env(cards.env, tracking_disable=True)):
            if deltas[card.id]:
                # ORM write: Odoo's milestone mails keep working, and a
                # concurrent balance change makes PostgreSQL raise a
                # serialization failure that Odoo retries instead of losing it.
                card.write({"points": card.points + deltas[card.id]})
        return History.browse([line_id for line_id, _c, _d in written])

    @api.model
    def _retail_take_back(self, requests):
        """Take back the points earned by refunded or cancelled orders.

        :param requests: dicts with ``earn_domain`` (domain on loyalty.history
            selecting the earning lines of the refunded order), ``amount``
            (refunded amount in company currency, None for everything),
            ``key`` (prefix, completed with the earning line id), ``kind``
            ('refund' or 'cancel'), ``description`` and the document ids
            (``pos_order_id``, ``move_id``, ``sale_order_id``).
        """
        History = self.sudo()
        if not requests:
            return History
        earn_lines = History.search(
            expression.AND(
                [
                    [("retail_kind", "=", "earn")],
                    expression.OR([r["earn_domain"] for r in requests]),
                ]
            ),
            order="id",
        )
        if not earn_lines:
            return History
        # what was already refunded / taken back per earning line, and per
        # request (a request run again, e.g. a credit note applied after the
        # invoice earned, takes back only what it has not taken yet): one query
        done = defaultdict(lambda: (0.0, 0.0))
        by_request = defaultdict(float)
        for line in History.search_fetch(
            [("retail_earn_id", "in", earn_lines.ids)],
            ["retail_earn_id", "retail_base_amount", "used", "retail_key"],
        ):
            refunded, taken = done[line.retail_earn_id.id]
            done[line.retail_earn_id.id] = (
                refunded + line.retail_base_amount,
                taken + line.used,
            )
            by_request[(line.retail_key or "").rsplit(":", 1)[0]] += line.retail_base_amount
        vals_list = []
        for request in requests:
            lines = earn_lines.filtered_domain(request["earn_domain"])
            amount_left = request["amount"]
            if amount_left is not None:
                amount_left -= by_request[request["key"]]
                if amount_left <= 0.005:
                    continue
            for earn in lines:
                refunded_before, taken_before = done[earn.id]
                base_left = earn.retail_base_amount - refunded_before
                if base_left <= 0.005:
                    continue
                refunded_now = base_left if amount_left is None else min(amount_left, base_left)
                if refunded_now <= 0:
                    break
                points = refund_takeback(
                    earn.issued,
                    earn.retail_base_amount,
                    refunded_before,
                    refunded_now,
                    taken_before,
                )
                if amount_left is not None:
                    amount_left -= refunded_now
                done[earn.id] = (refunded_before + refunded_now, taken_before + points)
                vals_list.append(
                    {
                        "card_id": earn.card_id.id,
                        "description": request["description"],
                        "used": points,
                        "retail_kind": request["kind"],
                        "retail_key": f"{request['key']}:{earn.id}",
                        "retail_base_amount": refunded_now,
                        "retail_earn_id": earn.id,
                        "retail_sale_order_id": request.get("sale_order_id"),
                        "retail_pos_order_id": request.get("pos_order_id"),
                        "retail_move_id": request.get("move_id"),
                    }
                )
        return self._retail_post(vals_list)

    @api.model
    def _retail_expiry_data(self, cards):
        """Lots, debits and expired points per card, in three queries."""
        History = self.sudo()
        lots = defaultdict(list)
        debits = defaultdict(list)
        expired = defaultdict(float)
        taken = {
            earn.id: used
            for earn, used in History._read_group(
                [("card_id", "in", cards.ids), ("retail_earn_id", "!=", False)],
                ["retail_earn_id"],
                ["used:sum"],
            )
        }
        lines = History.search_fetch(
            [("card_id", "in", cards.ids)],
            [
                "card_id",
                "issued",
                "used",
                "retail_kind",
                "retail_date",
                "retail_expiry_date",
                "retail_earn_id",
                "create_date",
            ],
        )
        for line in lines:
            day = (line.retail_date or line.create_date).date()
            if line.retail_kind == "expire":
                expired[line.card_id.id] += line.used
            elif line.issued > 0:
                # points earned while expiry was off have no expiry date: they
                # never expire (Odoo reads an empty date as False, not None)
                lots[line.card_id.id].append(
                    Lot(
                        line.id,
                        day,
                        line.retail_expiry_date or None,
                        line.issued - taken.get(line.id, 0.0),
                    )
                )
            if line.used > 0 and line.retail_kind != "expire" and not line.retail_earn_id:
                debits[line.card_id.id].append((day, line.used))
        return lots, debits, expired

    @api.model
    def _retail_ledger_mismatches(self, programs=None):
        """Cards whose balance differs from sum(issued) - sum(used) of their history."""
        if programs is None:
            programs = self.env["res.company"].sudo().search([]).retail_loyalty_program_id
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                """
                SELECT c.id, c.points, COALESCE(SUM(h.issued - h.used), 0)
                  FROM loyalty_card c
             LEFT JOIN loyalty_history h ON h.card_id = c.id
                 WHERE c.program_id = ANY(%s)
              GROUP BY c.id, c.points
                HAVING ABS(c.points - COALESCE(SUM(h.issued - h.used), 0)) > 0.005
                """,
                programs.ids,
            )
        )
        return {card_id: (points, ledger) for card_id, points, ledger in self.env.cr.fetchall()}
