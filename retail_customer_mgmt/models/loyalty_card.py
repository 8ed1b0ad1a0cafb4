import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL, float_is_zero

from ..services.points import earned_points, points_to_expire
from .loyalty_history import _is_ledger

_logger = logging.getLogger(__name__)


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
                self.check_access("create")  # who may not create at all hears it first
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
            self.check_access("write")  # who may not write at all hears it first
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
            self.check_access("unlink")  # who may not delete at all hears it first
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
        return self._retail_with_programs(self.sudo().program_id._retail_filter_retail())

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
            return self.env["loyalty.history"]._retail_post(list(extra_vals))
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
        return self.env["loyalty.history"]._retail_post(vals_list + list(extra_vals))

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
        self.env["loyalty.history"]._retail_post(
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
    def _retail_expiring_points(self, cards, days=30):
        """``{card id: points that expire within ``days`` (not yet written off)}``."""
        today = fields.Date.context_today(self)
        lots, debits, expired = self.env["loyalty.history"]._retail_expiry_data(cards)
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
            lots, debits, expired = self.env["loyalty.history"]._retail_expiry_data(cards)
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
            self.env["loyalty.history"]._retail_post(vals_list)
            _logger.info("Retail points expiry: %s cards in %s", len(vals_list), company.name)

    # ------------------------------------------------------------------
    # Reconciliation (scheduled action and Settings button)
    # ------------------------------------------------------------------
    @api.model
    def _cron_retail_check_ledger(self):
        mismatches = self.env["loyalty.history"]._retail_ledger_mismatches()
        if mismatches:
            _logger.warning(
                "Retail points ledger: %s card(s) whose balance differs from their history: %s",
                len(mismatches),
                mismatches,
            )
        return mismatches

    @api.model
    def action_retail_check_ledger(self):
        mismatches = self.env["loyalty.history"]._retail_ledger_mismatches()
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
