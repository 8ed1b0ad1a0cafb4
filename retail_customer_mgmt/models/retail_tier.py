from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.tiers import check_ladder


class RetailTier(models.Model):
    _name = "retail.tier"
    _description = "Retail Loyalty Tier"
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
    min_spend = fields.Monetary(
        string="Minimum Rolling Spend",
        currency_field="currency_id",
        help="Spend over the tier window (Settings) that reaches this tier.",
    )
    points_multiplier = fields.Float(default=1.0, digits=(16, 2))
    pricelist_id = fields.Many2one(
        "product.pricelist",
        check_company=True,
        help="Pricelist given to the customers of this tier.",
    )
    benefits = fields.Html(translate=True)
    partner_count = fields.Integer(compute="_compute_partner_count", string="Customers")

    @api.constrains("points_multiplier", "min_spend")
    def _check_values(self):
        for tier in self:
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

    @api.constrains("min_spend", "sequence", "company_id", "active")
    def _check_ladder(self):
        for company in self.company_id:
            tiers = self.search([("company_id", "=", company.id)], order="sequence, min_spend, id")
            broken = check_ladder(tiers.mapped("min_spend"))
            if broken:
                tier = tiers[broken[0]]
                previous = tiers[broken[0] - 1]
                raise ValidationError(
                    self.env._(
                        "Tier thresholds must increase with the tier order: "
                        "%(tier)s (minimum %(spend)s) comes after %(previous)s "
                        "(minimum %(previous_spend)s) in %(company)s.",
                        tier=tier.name,
                        spend=tier.min_spend,
                        previous=previous.name,
                        previous_spend=previous.min_spend,
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
