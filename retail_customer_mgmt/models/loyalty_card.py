import logging
from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.osv import expression
from odoo.tools import SQL, float_is_zero

from ..services.points import Lot, earned_points, points_to_expire, refund_takeback
from .loyalty_history import _is_ledger, ledger_env

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
    # CRUD: only the ledger moves the balance of a retail card
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        programs = self.env["loyalty.program"].browse(
            {vals["program_id"] for vals in vals_list if vals.get("program_id")}
        )
        retail_programs = programs._retail_filter_retail()
        for vals in vals_list:
            if vals.get("program_id") not in retail_programs.ids:
                continue
            if vals.get("points") and not _is_ledger(self.env):
                self._retail_refuse(self.env._("a new card cannot start with points"))
            if vals.get("partner_id") and not vals.get("retail_card_key"):
                # Odoo's own flows (sales rewards, the POS) may create the
                # customer's card: it gets the key that keeps it unique
                partner = self.env["res.partner"].browse(vals["partner_id"])
                vals["retail_card_key"] = (
                    f"{vals['program_id']}:{partner.sudo().commercial_partner_id.id}"
                )
        return super().create(vals_list)

    def write(self, vals):
        if not _is_ledger(self.env) and {"points", "program_id", "partner_id"} & set(vals):
            retail = self._retail_filter_retail()
            if "points" in vals:
                changed = retail.filtered(
                    lambda card: not float_is_zero(card.points - vals["points"], 2)
                )
                if changed:
                    self._retail_refuse(
                        self.env._(
                            "the balance of %s changes only through the ledger",
                            ", ".join(changed.mapped("code")),
                        )
                    )
            if "partner_id" in vals and retail.filtered(
                lambda card: card.partner_id.id != vals["partner_id"]
            ):
                self._retail_refuse(self.env._("a retail card stays with its customer"))
            if "program_id" in vals:
                target = self.env["loyalty.program"].browse(vals["program_id"])
                if retail.filtered(lambda card: card.program_id != target) or (
                    target._retail_filter_retail() and (self - retail)
                ):
                    self._retail_refuse(
                        self.env._("a card cannot move into or out of the retail program")
                    )
        return super().write(vals)

    def unlink(self):
        if not _is_ledger(self.env) and self._retail_filter_retail():
            self._retail_refuse(
                self.env._("retail cards hold the customers' ledger; archive them instead")
            )
        return super().unlink()

    def _retail_refuse(self, why):
        raise UserError(
            self.env._(
                "Retail points are moved by the points ledger only (%(why)s). A retail "
                "manager corrects a balance with Adjust Points, giving a reason.",
                why=why,
            )
        )

    def _retail_filter_retail(self):
        """The cards of a retail program, decided on the server from each card's
        own program (never from what a client says the program is)."""
        return self.filtered(lambda card: card.sudo().program_id)._retail_with_programs(
            self.sudo().program_id._retail_filter_retail()
        )

    def _retail_with_programs(self, programs):
        return self.filtered(lambda card: card.sudo().program_id in programs)

    # ------------------------------------------------------------------
    # Cards
    # ------------------------------------------------------------------
    @api.model
    def _retail_cards_for(self, partners, program, create=True):
        """``{commercial partner: card}`` in ``program``, creating missing cards.

        An archived card of the customer is reactivated: it holds their
        ledger. Two transactions creating the same customer's card at once:
        the unique key makes the second insert wait for the first, and
        PostgreSQL then raises a serialization failure (repeatable read) that
        Odoo retries; the retried request finds the card.
        """
        partners = partners.commercial_partner_id
        # sudo: retail users and cashiers read and credit the retail cards but
        # do not manage loyalty programs and cards in Odoo's loyalty app.
        Card = self.sudo().with_context(active_test=False)
        program = program.sudo()
        keys = {f"{program.id}:{partner.id}": partner for partner in partners}
        cards = Card.search_fetch(
            [
                ("program_id", "=", program.id),
                "|",
                ("partner_id", "in", partners.ids),
                ("retail_card_key", "in", list(keys)),
            ],
            ["partner_id", "program_id", "active", "retail_card_key", "points", "code"],
        )
        by_partner = {}
        for card in cards.sorted(lambda c: (not c.active, c.id)):
            if card.retail_card_key in keys and card.partner_id != keys[card.retail_card_key]:
                raise UserError(
                    self.env._(
                        "The retail card %(card)s of %(customer)s is now held by %(holder)s. "
                        "Give the card back to its customer (a retail card holds one "
                        "customer's points) before recording their purchases.",
                        card=card.code,
                        customer=keys[card.retail_card_key].display_name,
                        holder=card.partner_id.display_name or "-",
                    )
                )
            by_partner.setdefault(card.partner_id, card)
        archived = Card.browse([card.id for card in by_partner.values() if not card.active])
        if archived and create:
            archived.active = True
        missing = partners - Card.browse([c.id for c in by_partner.values()]).partner_id
        if missing and create:
            self.env.flush_all()
            rows = [
                (program.id, partner.id, f"{program.id}:{partner.id}", self._generate_code())
                for partner in missing
            ]
            # ON CONFLICT: a card committed by a concurrent transaction that
            # this snapshot cannot see makes PostgreSQL raise a real
            # serialization failure, which Odoo's request loop retries.
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
                    RETURNING id
                    """,
                    company=program.company_id.id or None,
                    uid=self.env.uid,
                    rows=SQL(", ").join(SQL("(%s, %s, %s, %s)", *row) for row in rows),
                )
            )
            for card in Card.browse([row[0] for row in self.env.cr.fetchall()]):
                by_partner[card.partner_id] = card
            if missing - Card.browse([c.id for c in by_partner.values()]).partner_id:
                raise UserError(
                    self.env._(
                        "A retail card of %(customers)s exists but does not belong to the "
                        "program %(program)s any more; check the customers' loyalty cards.",
                        customers=", ".join(missing.mapped("display_name")),
                        program=program.name,
                    )
                )
        return {
            partner: card.with_context(active_test=True) for partner, card in by_partner.items()
        }

    def _retail_is_retail_card(self):
        self.ensure_one()
        return bool(self._retail_filter_retail())

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
        # the ledger lines are the card's history: no chatter tracking on top
        for card in cards.with_env(ledger_env(cards.env, tracking_disable=True)):
            if deltas[card.id]:
                # ORM write: Odoo's milestone mails keep working, and a
                # concurrent balance change makes PostgreSQL raise a
                # serialization failure that Odoo retries instead of losing it.
                card.write({"points": card.points + deltas[card.id]})
        return History.browse([line_id for line_id, _c, _d in written])

    @api.model
    def _retail_earn(self, company, entries, cards=None, extra_vals=()):
        """Credit points for purchases.

        :param entries: dicts with ``partner`` (res.partner), ``key``,
            ``amount`` (company currency), ``date``, ``description`` and
            optionally ``sale_order_id``, ``pos_order_id``, ``move_id``
        :param cards: ``{commercial partner: card}`` already found (or None)
        :param extra_vals: other ledger lines to post with the earnings, in
            the same statement (the card's balance is written once)
        """
        entries = [e for e in entries if e["partner"] and e["amount"] > 0]
        if not entries or not company.retail_points_per_unit:
            return self._retail_post(list(extra_vals))
        program = company._retail_get_program()
        partners = self.env["res.partner"].union(*[e["partner"] for e in entries])
        if cards is None or partners.commercial_partner_id - self.env["res.partner"].union(*cards):
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
        return self._retail_post(vals_list + list(extra_vals))

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

    def _retail_adjust(self, delta, reason, key):
        """A manager's correction of a retail balance: a new ledger line with
        its reason (the ledger is append-only), never below zero."""
        self.ensure_one()
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can adjust customer points."))
        if not self._retail_filter_retail():
            raise UserError(self.env._("%s is not a retail points card.", self.code))
        if not delta:
            raise UserError(self.env._("Enter a number of points greater than zero."))
        reason = (reason or "").strip()
        if not reason:
            raise UserError(
                self.env._("Give the reason of the adjustment; it is kept in the ledger.")
            )
        card = self.sudo()
        if delta < 0 and card.points + delta < 0:
            raise UserError(
                self.env._(
                    "%(customer)s has %(balance)s points: removing %(points)s would make the "
                    "balance negative.",
                    customer=card.partner_id.display_name,
                    balance=card.points,
                    points=-delta,
                )
            )
        company = card.program_id.company_id or self.env.company
        months = company.retail_points_expiry_months
        now = fields.Datetime.now()
        self._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": self.env._("Manual adjustment: %s", reason),
                    "issued": max(delta, 0.0),
                    "used": max(-delta, 0.0),
                    "retail_kind": "adjust",
                    "retail_key": key,
                    "retail_date": now,
                    "retail_expiry_date": fields.Date.add(now.date(), months=months)
                    if months and delta > 0
                    else None,
                    "retail_user_id": self.env.uid,
                }
            ]
        )
        delta_text = f"{delta:+g}"
        if card.partner_id:
            card.partner_id.message_post(
                body=self.env._(
                    "Points adjusted by %(user)s: %(delta)s (%(reason)s).",
                    user=self.env.user.name,
                    delta=delta_text,
                    reason=reason,
                ),
                subtype_xmlid="mail.mt_note",
            )

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
