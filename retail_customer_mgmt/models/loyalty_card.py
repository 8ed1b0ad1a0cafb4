import logging
from collections import defaultdict

import psycopg2.errors
from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.osv import expression
from odoo.tools import SQL

from ..services.points import Lot, earned_points, points_to_expire, refund_takeback

_logger = logging.getLogger(__name__)

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


class LoyaltyCard(models.Model):
    _inherit = "loyalty.card"

    retail_card_key = fields.Char(
        readonly=True,
        copy=False,
        help="program:partner of a retail card; unique, so that a customer never "
        "holds two cards of the retail program.",
    )

    _sql_constraints = [
        (
            "retail_card_key_unique",
            "UNIQUE (retail_card_key)",
            "This customer already has a card in the retail loyalty program.",
        ),
    ]

    # ------------------------------------------------------------------
    # Cards
    # ------------------------------------------------------------------
    @api.model
    def _retail_cards_for(self, partners, program, create=True):
        """``{commercial partner: card}`` in ``program``, creating missing cards.

        Two transactions creating the same customer's card at once: the
        unique key makes the second insert wait for the first and then find
        the conflict; it raises a serialization failure so that Odoo retries
        the whole request, which then sees the card.
        """
        partners = partners.commercial_partner_id
        # sudo: retail users and cashiers read and credit the retail cards but
        # do not manage loyalty programs and cards in Odoo's loyalty app.
        Card = self.sudo()
        program = program.sudo()
        cards = Card.search([("program_id", "=", program.id), ("partner_id", "in", partners.ids)])
        by_partner = {}
        for card in cards.sorted("id"):
            by_partner.setdefault(card.partner_id, card)
        missing = partners - cards.partner_id
        if missing and create:
            self.env.flush_all()
            rows = [
                (program.id, partner.id, f"{program.id}:{partner.id}", self._generate_code())
                for partner in missing
            ]
            self.env.cr.execute(
                SQL(
                    """
                    INSERT INTO loyalty_card (program_id, partner_id, retail_card_key, code,
                                              company_id, points, active,
                                              create_uid, create_date, write_uid, write_date)
                    SELECT p.program_id, p.partner_id, p.card_key, p.code, %(company)s, 0, TRUE,
                           %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                      FROM (VALUES %(rows)s) AS p(program_id, partner_id, card_key, code)
                    ON CONFLICT (retail_card_key) DO NOTHING
                    RETURNING id, partner_id
                    """,
                    company=program.company_id.id or None,
                    uid=self.env.uid,
                    rows=SQL(", ").join(SQL("(%s, %s, %s, %s)", *row) for row in rows),
                )
            )
            created = dict(self.env.cr.fetchall())
            if len(created) < len(rows):
                raise psycopg2.errors.SerializationFailure(
                    "A retail loyalty card was created by a concurrent transaction; retrying."
                )
            for card in Card.browse(list(created)):
                by_partner[card.partner_id] = card
        return by_partner

    def _retail_is_retail_card(self):
        self.ensure_one()
        return self.program_id == self.program_id.company_id.retail_loyalty_program_id

    # ------------------------------------------------------------------
    # Ledger
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
        History = self.env["loyalty.history"].sudo()
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
        cards = self.sudo().browse(list(deltas))
        cards.invalidate_recordset(["history_ids"])
        for card in cards:
            if deltas[card.id]:
                # ORM write: Odoo's milestone mails and tracking keep working,
                # and a concurrent balance change makes PostgreSQL raise a
                # serialization failure that Odoo retries instead of losing it.
                card.write({"points": card.points + deltas[card.id]})
        return History.browse([line_id for line_id, _c, _d in written])

    @api.model
    def _retail_earn(self, company, entries):
        """Credit points for purchases.

        :param entries: dicts with ``partner`` (res.partner), ``key``,
            ``amount`` (company currency), ``date``, ``description`` and
            optionally ``sale_order_id``, ``pos_order_id``, ``move_id``
        """
        entries = [e for e in entries if e["partner"] and e["amount"] > 0]
        if not entries or not company.retail_points_per_unit:
            return self.env["loyalty.history"]
        program = company._retail_get_program()
        partners = self.env["res.partner"].union(*[e["partner"] for e in entries])
        cards = self._retail_cards_for(partners, program)
        tiers = {
            partner: partner.with_company(company).sudo().retail_tier_id
            for partner in partners.commercial_partner_id
        }
        months = company.retail_points_expiry_months
        vals_list = []
        for entry in entries:
            partner = entry["partner"].commercial_partner_id
            tier = tiers[partner]
            multiplier = tier.points_multiplier if tier else 1.0
            points = earned_points(entry["amount"], company.retail_points_per_unit, multiplier)
            if not points:
                continue
            date = entry["date"]
            vals_list.append(
                {
                    "card_id": cards[partner].id,
                    "description": entry["description"],
                    "issued": points,
                    "retail_kind": "earn",
                    "retail_key": entry["key"],
                    "retail_date": date,
                    "retail_expiry_date": (date + relativedelta(months=months)).date()
                    if months
                    else None,
                    "retail_base_amount": entry["amount"],
                    "retail_sale_order_id": entry.get("sale_order_id"),
                    "retail_pos_order_id": entry.get("pos_order_id"),
                    "retail_move_id": entry.get("move_id"),
                    "retail_tier_id": tier.id or None,
                    "retail_multiplier": multiplier,
                }
            )
        return self._retail_post(vals_list)

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
        History = self.env["loyalty.history"].sudo()
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
        # what was already refunded / taken back per earning line (one query)
        done = {
            earn.id: (refunded, taken)
            for earn, refunded, taken in History._read_group(
                [("retail_earn_id", "in", earn_lines.ids)],
                ["retail_earn_id"],
                ["retail_base_amount:sum", "used:sum"],
            )
        }
        vals_list = []
        for request in requests:
            lines = earn_lines.filtered_domain(request["earn_domain"])
            amount_left = request["amount"]
            for earn in lines:
                refunded_before, taken_before = done.get(earn.id, (0.0, 0.0))
                base_left = earn.retail_base_amount - refunded_before
                if base_left <= 0:
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

    # ------------------------------------------------------------------
    # Expiry
    # ------------------------------------------------------------------
    @api.model
    def _retail_expiry_data(self, cards):
        """Lots, debits and expired points per card, in three queries."""
        History = self.env["loyalty.history"].sudo()
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
    def _retail_expiring_points(self, cards, days=30):
        """``{card id: points that expire within ``days`` (not yet written off)}``."""
        today = fields.Date.context_today(self)
        lots, debits, expired = self._retail_expiry_data(cards)
        result = {}
        for card in cards:
            due_now = max(
                points_to_expire(lots[card.id], debits[card.id], 0.0, today), expired[card.id]
            )
            due_later = points_to_expire(
                lots[card.id], debits[card.id], 0.0, today + relativedelta(days=days)
            )
            result[card.id] = max(due_later - due_now, 0.0)
        return result

    @api.model
    def _cron_retail_expire_points(self):
        """Write off the points that reached their expiry date, oldest first."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search(
            [("retail_loyalty_program_id", "!=", False), ("retail_points_expiry_months", ">", 0)]
        ):
            cards = self.sudo().search([("program_id", "=", company.retail_loyalty_program_id.id)])
            lots, debits, expired = self._retail_expiry_data(cards)
            vals_list = []
            for card in cards:
                points = points_to_expire(lots[card.id], debits[card.id], expired[card.id], today)
                points = min(points, card.points)
                if points > 0:
                    vals_list.append(
                        {
                            "card_id": card.id,
                            "description": self.env._("Points expired on %(date)s", date=today),
                            "used": points,
                            "retail_kind": "expire",
                            "retail_key": f"expire:{card.id}:{today}",
                            "retail_date": fields.Datetime.now(),
                        }
                    )
            self._retail_post(vals_list)
            _logger.info("Retail points expiry: %s cards in %s", len(vals_list), company.name)

    # ------------------------------------------------------------------
    # Reconciliation
    # ------------------------------------------------------------------
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

    @api.model
    def _cron_retail_check_ledger(self):
        mismatches = self._retail_ledger_mismatches()
        if mismatches:
            _logger.warning(
                "Retail points ledger: %s card(s) whose balance differs from their history: %s",
                len(mismatches),
                mismatches,
            )
        return mismatches

    @api.model
    def action_retail_check_ledger(self):
        mismatches = self._retail_ledger_mismatches()
        if not mismatches:
            return {
                "type": "ir.actions.client",
                "tag": "display_notification",
                "params": {
                    "type": "success",
                    "title": self.env._("Points ledger"),
                    "message": self.env._("Every retail card balance equals its history."),
                },
            }
        action = self.env["ir.actions.act_window"]._for_xml_id("loyalty.loyalty_card_action")
        action.update(
            {
                "name": self.env._("Cards whose balance differs from their history"),
                "domain": [("id", "in", list(mismatches))],
                "context": {},
            }
        )
        return action
