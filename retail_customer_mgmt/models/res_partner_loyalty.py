from collections import defaultdict

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.tiers import decide_tier


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Loyalty: tier per company, points on the company's retail card.
    retail_tier_id = fields.Many2one(
        "retail.tier",
        string="Tier",
        company_dependent=True,
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_tier_since = fields.Date(
        string="Tier Since", company_dependent=True, groups="retail_customer_mgmt.group_retail_user"
    )
    retail_tier_below_since = fields.Date(
        string="Below Tier Since",
        company_dependent=True,
        groups="retail_customer_mgmt.group_retail_user",
        help="Day the rolling spend fell below the tier threshold; the nightly review "
        "downgrades the customer once the grace period has passed.",
    )
    retail_loyalty_card_id = fields.Many2one(
        "loyalty.card",
        string="Retail Card",
        compute="_compute_retail_points",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_points = fields.Float(
        string="Points",
        compute="_compute_retail_points",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_points_expiring = fields.Float(
        string="Points Expiring in 30 Days",
        compute="_compute_retail_points",
        groups="retail_customer_mgmt.group_retail_user",
    )

    # ------------------------------------------------------------------
    # Loyalty: points and tiers
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_points(self):
        company = self.env.company
        program = company.retail_loyalty_program_id
        cards = {}
        expiring = {}
        if program and self.ids:
            Card = self.env["loyalty.card"]
            cards = Card._retail_cards_for(self.commercial_partner_id, program, create=False)
            if company.retail_points_expiry_months:
                expiring = Card._retail_expiring_points(
                    Card.union(*cards.values()) if cards else Card
                )
        for partner in self:
            card = cards.get(partner.commercial_partner_id)
            partner.retail_loyalty_card_id = card
            partner.retail_points = card.points if card else 0.0
            partner.retail_points_expiring = expiring.get(card.id, 0.0) if card else 0.0

    def _retail_rolling_spend(self, company, date_from):
        """``{commercial partner id: net spend since date_from}`` in one query."""
        return {
            pid: spend
            for pid, (spend, _o) in self._retail_rolling_figures(company, date_from).items()
        }

    def _retail_rolling_figures(self, company, date_from):
        """``{commercial partner id: (net spend, orders) since date_from}`` in one query."""
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        self.env.cr.execute(
            SQL(
                "SELECT partner_id, SUM(amount), SUM(order_count) FROM (%s) s GROUP BY partner_id",
                Purchase._aggregates_sql(
                    company, set(self.commercial_partner_id.ids), date_from=date_from
                ),
            )
        )
        return {
            pid: (spend or 0.0, int(orders or 0)) for pid, spend, orders in self.env.cr.fetchall()
        }

    def _retail_update_tiers(self, company, review=False):
        """Apply the tier rule to the customers in ``self`` for ``company``.

        On a purchase (``review=False``) customers are only upgraded; the
        nightly review (``review=True``) also downgrades those whose spend
        stayed below their tier for the grace period.
        """
        partners = self.commercial_partner_id.with_company(company).sudo()
        tiers = (
            self.env["retail.tier"]
            .sudo()
            .search_fetch(
                [("company_id", "=", company.id)],
                # the colour too: the POS receipt shows the tier after the order
                [
                    "min_spend",
                    "min_orders",
                    "basis",
                    "name",
                    "color",
                    "pricelist_id",
                    "service_user_id",
                ],
            )
        )
        if not partners or not tiers:
            return {}
        ladder = [tier._rule() for tier in tiers]
        base_tier = tiers.sorted(lambda tier: tier._rule().thresholds())[:1]
        date_from = fields.Datetime.now() - relativedelta(months=company.retail_tier_window_months)
        figures = partners._retail_rolling_figures(company, date_from)
        spends = {pid: spend for pid, (spend, _orders) in figures.items()}
        today = fields.Date.context_today(self)
        # same environment as the partners: superuser (cashiers update tiers
        # through their sales) and the company whose tier is decided
        writes = defaultdict(partners.browse)
        changes = {}
        for partner in partners:
            current = partner.retail_tier_id
            decision = decide_tier(
                ladder,
                current.id or None,
                spends.get(partner.id, 0.0),
                partner.retail_tier_below_since or None,  # Odoo reads an empty date as False
                today,
                company.retail_tier_grace_days,
                review=review,
                orders=figures.get(partner.id, (0.0, 0))[1],
            )
            if not decision.changed:
                continue
            if decision.tier_id != (current.id or None):
                writes[(decision.tier_id or False, today, False)] |= partner
                changes[partner] = (
                    current,
                    tiers.browse(decision.tier_id),
                    decision.direction,
                    spends.get(partner.id, 0.0),
                )
            else:
                writes[(current.id, partner.retail_tier_since, decision.below_since or False)] |= (
                    partner
                )
        for (tier_id, since, below), group in writes.items():
            group.write(
                {
                    "retail_tier_id": tier_id,
                    "retail_tier_since": since,
                    "retail_tier_below_since": below,
                }
            )
        if changes:
            self._retail_apply_tier_changes(company, changes, base_tier)
        return changes

    def _retail_apply_tier_changes(self, company, changes, base_tier):
        template = self.env.ref(
            "retail_customer_mgmt.mail_template_tier_upgrade", raise_if_not_found=False
        )
        # the consent check of marketing messages, once for all the changes
        may_mail = self.browse([partner.id for partner in changes])._retail_may_contact("email")
        for partner, (old, new, direction, spend) in changes.items():
            # the tier's pricelist follows the customer; a pricelist given by
            # the previous tier is taken away
            if new.pricelist_id:
                partner.specific_property_product_pricelist = new.pricelist_id
            elif (
                old.pricelist_id and partner.specific_property_product_pricelist == old.pricelist_id
            ):
                partner.specific_property_product_pricelist = False
            body = self.env._(
                "Tier in %(company)s: %(old)s → %(new)s (spend of the last %(months)s months: "
                "%(spend)s).",
                company=company.name,
                old=old.name or self.env._("none"),
                new=new.name or self.env._("none"),
                months=company.retail_tier_window_months,
                spend=company.currency_id.format(spend),
            )
            partner.message_post(body=body, subtype_xmlid="mail.mt_note")
            if new.service_user_id and partner.user_id != new.service_user_id:
                # the tier's dedicated salesperson takes the customer over
                partner.user_id = new.service_user_id
            upgraded = direction == "up" or (direction == "new" and new and new != base_tier)
            if upgraded and template and partner in may_mail:
                # sudo: the cashier or salesperson whose sale upgraded the customer
                # may not read mail templates; the mail only shows the new tier.
                template.sudo().with_company(company).send_mail(
                    partner.id, email_layout_xmlid="mail.mail_notification_light"
                )

    @api.model
    def _cron_retail_review_tiers(self):
        """Nightly tier review: upgrades missed by events, downgrades after grace."""
        for company in self.env["res.company"].search([]):
            if not self.env["retail.tier"].sudo().search_count([("company_id", "=", company.id)]):
                continue
            holders = self.sudo().with_company(company).search([("retail_tier_id", "!=", False)])
            date_from = fields.Datetime.now() - relativedelta(
                months=company.retail_tier_window_months
            )
            self.env.cr.execute(
                SQL(
                    "SELECT DISTINCT partner_id FROM (%s) s",
                    self.env["retail.purchase"]._aggregates_sql(company, date_from=date_from),
                )
            )
            buyers = self.browse([row[0] for row in self.env.cr.fetchall()])
            (holders | buyers)._retail_update_tiers(company, review=True)

    def action_retail_adjust_points(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Adjust Points"),
            "res_model": "retail.points.adjust",
            "view_mode": "form",
            "target": "new",
            "context": {"default_partner_id": self.commercial_partner_id.id},
        }

    def action_retail_view_points_history(self):
        self.ensure_one()
        card = self.retail_loyalty_card_id
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Points History"),
            "res_model": "loyalty.history",
            "view_mode": "list",
            "domain": [("card_id", "=", card.id)],
            "context": {"create": False},
        }
