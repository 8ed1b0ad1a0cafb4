from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.tiers import TierRule, check_rules


class RetailTier(models.Model):
    _name = "retail.tier"
    _description = "Retail Loyalty Tier"
    _inherit = ["retail.service.mixin"]
    _order = "company_id, min_spend, sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    color = fields.Integer()
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    basis = fields.Selection(
        [("spend", "Spend"), ("orders", "Number of orders"), ("both", "Spend and orders")],
        string="Reached On",
        required=True,
        default="spend",
        help="What reaches this tier over the tier window (Settings): the spend, the number "
        "of orders, or both thresholds.",
    )
    min_spend = fields.Monetary(
        string="Minimum Rolling Spend",
        currency_field="currency_id",
        help="Spend over the tier window (Settings) that reaches this tier.",
    )
    min_orders = fields.Integer(
        string="Minimum Orders",
        help="Orders over the tier window (Settings) that reach this tier.",
    )
    points_multiplier = fields.Float(default=1.0, digits=(16, 2))
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist given to the customers of this tier.",
    )
    benefits = fields.Html(translate=True)
    # the service that follows the tier: retail.service.mixin
    service_user_id = fields.Many2one(
        check_company=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Becomes the salesperson of the customers who reach this tier (replacing "
        "their salesperson); a customer who leaves the tier keeps them.",
    )
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    @api.constrains("points_multiplier", "min_spend", "min_orders", "service_sla_hours")
    def _check_values(self):
        for tier in self:
            if tier.min_orders < 0 or tier.service_sla_hours < 0:
                raise ValidationError(
                    self.env._(
                        "The minimum orders and the SLA hours of tier %s cannot be negative.",
                        tier.name,
                    )
                )
            if tier.points_multiplier <= 0:
                raise ValidationError(
                    self.env._(
                        "The points multiplier of tier %s must be greater than zero.", tier.name
                    )
                )
            if tier.min_spend < 0:
                raise ValidationError(
                    self.env._("The minimum spend of tier %s cannot be negative.", tier.name)
                )

    @api.constrains("min_spend", "min_orders", "basis", "sequence", "company_id", "active")
    def _check_ladder(self):
        self._check_values()  # a negative threshold is reported as such
        for company in self.company_id:
            tiers = self.search([("company_id", "=", company.id)], order="sequence, min_spend, id")
            broken = check_rules([tier._rule() for tier in tiers])
            if broken:
                tier = tiers[broken[0]]
                previous = tiers[broken[0] - 1]
                raise ValidationError(
                    self.env._(
                        "Tier thresholds must increase with the tier order: %(tier)s "
                        "(%(needs)s) comes after %(previous)s (%(previous_needs)s) in "
                        "%(company)s. A tier needs at least the spend and the orders of the "
                        "tier before it, and more of one of them.",
                        tier=tier.name,
                        needs=tier._needs_text(),
                        previous=previous.name,
                        previous_needs=previous._needs_text(),
                        company=company.name,
                    )
                )

    @api.depends_context("company")
    def _compute_partner_count(self):
        data = self.env["res.partner"]._read_group(
            [("retail_tier_id", "in", self.ids)], ["retail_tier_id"], ["__count"]
        )
        counts = {tier.id: count for tier, count in data}
        for tier in self:
            tier.partner_count = counts.get(tier.id, 0)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_held(self):
        for tier in self:
            holders = (
                self.env["res.partner"]
                .with_company(tier.company_id)
                .search_count([("retail_tier_id", "=", tier.id)])
            )
            if holders:
                raise UserError(
                    self.env._(
                        "Tier %(tier)s cannot be deleted: %(count)s customers hold it. "
                        "Archive it instead.",
                        tier=tier.name,
                        count=holders,
                    )
                )

    def action_view_partners(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_customer_action"
        )
        action["domain"] = [("retail_tier_id", "=", self.id)]
        action["context"] = {"allowed_company_ids": [self.company_id.id]}
        return action

    def _rule(self):
        self.ensure_one()
        return TierRule(self.id, self.min_spend, self.min_orders, self.basis)

    def _needs_text(self):
        self.ensure_one()
        spend, orders = self._rule().thresholds()
        return self.env._(
            "spend %(spend)s, %(orders)s orders",
            spend=self.currency_id.format(spend) if self.currency_id else spend,
            orders=orders,
        )
