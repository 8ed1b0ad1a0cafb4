from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL

from ..services.referral import new_code, normalize_code, referral_problem


class ResPartner(models.Model):
    _inherit = "res.partner"

    retail_referral_code = fields.Char(
        string="Referral Code",
        compute="_compute_retail_referral_code",
        store=True,
        readonly=True,
        copy=False,
        index="btree_not_null",
        groups="retail_customer_mgmt.group_retail_user",
        help="Given by the customer to the friends they bring to the shop.",
    )
    retail_referrer_id = fields.Many2one(
        "res.partner",
        string="Referred By",
        index="btree_not_null",
        copy=False,
        tracking=True,
        ondelete="restrict",
        groups="retail_customer_mgmt.group_retail_user",
        help="The customer who brought this one; both earn points when this customer pays "
        "their first purchase. Cannot change once credited.",
    )
    retail_referred_by_code = fields.Char(
        string="Referrer's Code",
        compute="_compute_retail_referred_by_code",
        inverse="_inverse_retail_referred_by_code",
        groups="retail_customer_mgmt.group_retail_user",
        help="Type the referral code the customer gives to record who referred them.",
    )
    retail_referral_credited = fields.Boolean(
        string="Referral Credited",
        compute="_compute_retail_referral_credited",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_referral_count = fields.Integer(
        string="Customers Referred",
        compute="_compute_retail_referral_count",
        groups="retail_customer_mgmt.group_retail_user",
    )

    _sql_constraints = [
        (
            "retail_referral_code_unique",
            "UNIQUE (retail_referral_code)",
            "This referral code is already used by another customer.",
        ),
    ]

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------
    @api.depends("create_date")
    def _compute_retail_referral_code(self):
        for partner in self:
            if not partner.retail_referral_code:
                partner.retail_referral_code = new_code()

    @api.depends("retail_referrer_id")
    def _compute_retail_referred_by_code(self):
        for partner in self:
            # sudo: the referrer's code, shown on the form of the referred customer
            partner.retail_referred_by_code = partner.sudo().retail_referrer_id.retail_referral_code

    def _inverse_retail_referred_by_code(self):
        for partner in self:
            code = normalize_code(partner.retail_referred_by_code)
            referrer = self.browse()
            if code:
                referrer = self.search([("retail_referral_code", "=", code)], limit=1)
                if not referrer:
                    raise UserError(
                        self.env._("No customer has the referral code %s; check the code.", code)
                    )
            partner.retail_referrer_id = referrer

    def _compute_retail_referral_credited(self):
        credited = self._retail_referral_credited_ids()
        for partner in self:
            partner.retail_referral_credited = partner.commercial_partner_id.id in credited

    def _compute_retail_referral_count(self):
        data = dict(
            self._read_group(
                [("retail_referrer_id", "in", self.ids)], ["retail_referrer_id"], ["__count"]
            )
        )
        for partner in self:
            partner.retail_referral_count = data.get(partner, 0)

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------
    @api.constrains("retail_referrer_id")
    def _check_retail_referrer(self):
        for partner in self.filtered("retail_referrer_id"):
            referrer = partner.retail_referrer_id.commercial_partner_id
            problem = referral_problem(
                partner.commercial_partner_id.id,
                referrer.id,
                referrer.sudo().retail_referrer_id.commercial_partner_id.id or None,
                credited=False,
            )
            if problem == "self":
                raise ValidationError(
                    self.env._("%s cannot be their own referrer.", partner.display_name)
                )
            if problem == "mutual":
                raise ValidationError(
                    self.env._(
                        "%(referrer)s was referred by %(customer)s: two customers cannot refer "
                        "each other.",
                        referrer=referrer.display_name,
                        customer=partner.display_name,
                    )
                )
        paid = self.filtered("retail_referrer_id").commercial_partner_id._retail_paid_buyers()
        if paid:
            raise ValidationError(
                self.env._(
                    "%s already paid a purchase: a referral counts for new customers only, "
                    "before their first paid purchase.",
                    ", ".join(self.browse(list(paid)).mapped("display_name")),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    def write(self, vals):
        if "retail_referrer_id" in vals:
            credited = self._retail_referral_credited_ids()
            changed = self.filtered(
                lambda p: (
                    p.commercial_partner_id.id in credited
                    and p.retail_referrer_id.id != vals["retail_referrer_id"]
                )
            )
            if changed:
                raise UserError(
                    self.env._(
                        "The referral of %s was credited already: its referrer cannot change.",
                        ", ".join(changed.mapped("display_name")),
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_referral_credited_ids(self):
        """Commercial partners of ``self`` whose referral reached the ledger."""
        partners = self.commercial_partner_id
        if not partners:
            return set()
        keys = [f"referral:{partner.id}:referred" for partner in partners] + [
            f"referral:{partner.id}:referrer" for partner in partners
        ]
        # sudo: the ledger tells whether the referral was credited
        lines = (
            self.env["loyalty.history"]
            .sudo()
            .search_fetch([("retail_key", "in", keys)], ["retail_key"])
        )
        return {int(line.retail_key.split(":")[1]) for line in lines}

    def _retail_paid_buyers(self, except_pos=(), except_moves=()):
        """Commercial partners of ``self`` who paid a purchase (a paid POS
        order, a paid customer invoice), the documents given aside; one query."""
        partners = self.commercial_partner_id
        if not partners:
            return set()
        for model in ("pos.order", "account.move"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT p.commercial_partner_id
                  FROM pos_order po
                  JOIN res_partner p ON p.id = po.partner_id
                 WHERE p.commercial_partner_id = ANY(%(partners)s)
                   AND po.state IN ('paid', 'done', 'invoiced') AND po.amount_total > 0
                   AND NOT po.id = ANY(%(pos)s)
                 UNION
                SELECT am.commercial_partner_id
                  FROM account_move am
                 WHERE am.commercial_partner_id = ANY(%(partners)s)
                   AND am.move_type = 'out_invoice' AND am.state = 'posted'
                   AND am.payment_state IN ('paid', 'in_payment')
                   AND NOT am.id = ANY(%(moves)s)
                   AND NOT EXISTS (SELECT 1 FROM pos_order o
                                    WHERE o.account_move = am.id AND o.id = ANY(%(pos)s))
                """,
                partners=partners.ids,
                pos=list(except_pos),
                moves=list(except_moves),
            )
        )
        return {row[0] for row in self.env.cr.fetchall()}

    def _retail_credit_referrals(self, company, pos_orders=None, moves=None):
        """Credit the referrals of the customers in ``self`` whose first paid
        purchase is ``pos_orders`` / ``moves`` (just paid in ``company``).

        Both the referred customer and the referrer are credited through the
        ledger, with keys per referred customer: once, whatever the retries
        or concurrent payments (a second transaction paying another first
        purchase at the same time hits the same keys).
        """
        points_referred = company.retail_referral_points_referred
        points_referrer = company.retail_referral_points_referrer
        if not (points_referred or points_referrer):
            return self.env["loyalty.history"]
        # sudo: called from payment events of any user; reads the referral
        partners = self.commercial_partner_id.sudo().filtered("retail_referrer_id")
        if not partners:
            return self.env["loyalty.history"]
        pos_orders = pos_orders or self.env["pos.order"]
        moves = moves or self.env["account.move"]
        partners = partners.filtered(
            lambda p: (
                p.id
                not in partners._retail_paid_buyers(
                    except_pos=pos_orders.ids, except_moves=moves.ids
                )
            )
        )
        partners = partners.filtered(lambda p: p.id not in partners._retail_referral_credited_ids())
        if not partners:
            return self.env["loyalty.history"]
        referrers = partners.retail_referrer_id.commercial_partner_id
        cards = self.env["loyalty.card"]._retail_cards_for(
            partners | referrers, company._retail_get_program()
        )
        expiry = company._retail_expiry_date()
        vals_list = []
        for partner in partners:
            referrer = partner.retail_referrer_id.commercial_partner_id
            pos = pos_orders.filtered(lambda o, p=partner: o.partner_id.commercial_partner_id == p)
            move = moves.filtered(lambda m, p=partner: m.commercial_partner_id == p)
            doc = {"retail_pos_order_id": pos[:1].id or None, "retail_move_id": move[:1].id or None}
            for role, holder, points, description in (
                (
                    "referred",
                    partner,
                    points_referred,
                    self.env._("Welcome: referred by %s", referrer.name),
                ),
                ("referrer", referrer, points_referrer, self.env._("Referral of %s", partner.name)),
            ):
                if points > 0:
                    vals_list.append(
                        {
                            "card_id": cards[holder].id,
                            "description": description,
                            "issued": points,
                            "retail_kind": "referral",
                            "retail_key": f"referral:{partner.id}:{role}",
                            "retail_expiry_date": expiry,
                            **doc,
                        }
                    )
        return self.env["loyalty.history"]._retail_post(vals_list)
