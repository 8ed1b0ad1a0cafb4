from collections import defaultdict

from odoo import api, fields, models

from ..services.recommendations import pos_summary
from .res_partner import CONSENT_CHANNELS

# cashiers and retail users
_POS_GROUPS = "point_of_sale.group_pos_user,retail_customer_mgmt.group_retail_user"


def _pos_status_field(field_type, **kwargs):
    """A field of what cashiers see of a customer (see _compute_retail_pos_status)."""
    return field_type(
        compute="_compute_retail_pos_status", compute_sudo=True, groups=_POS_GROUPS, **kwargs
    )


class ResPartner(models.Model):
    _inherit = "res.partner"

    # What cashiers see in the POS (no PII, no figures beyond the loyalty
    # status): computed as superuser for POS users without retail rights,
    # and readable by them and retail users only (other employees and portal
    # users read contacts too: these copies must not bypass the groups of
    # the tier, segment, churn and consent fields).
    retail_pos_tier = _pos_status_field(fields.Char)
    retail_pos_tier_color = _pos_status_field(fields.Integer)
    retail_pos_points = _pos_status_field(fields.Float)
    retail_pos_points_expiring = _pos_status_field(fields.Float)
    retail_pos_segment = _pos_status_field(fields.Char)
    retail_pos_churn_risk = _pos_status_field(fields.Boolean)
    retail_pos_last_purchase = _pos_status_field(fields.Date)
    retail_pos_marketing_consent = _pos_status_field(
        fields.Boolean, help="The customer accepts marketing on at least one channel."
    )

    # Recommendations of the current company (rebuilt every night)
    retail_recommendation_ids = fields.Many2many(
        "retail.recommendation",
        string="Recommended Products",
        compute="_compute_retail_recommendations",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_pos_recommendations = fields.Char(
        compute="_compute_retail_pos_recommendations",
        compute_sudo=True,
        groups=_POS_GROUPS,
        help="The first recommended products available in the Point of Sale.",
    )

    # ------------------------------------------------------------------
    # Point of Sale
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_pos_status(self):
        for partner in self:
            tier = partner.commercial_partner_id.retail_tier_id
            partner.retail_pos_tier = tier.name or False
            partner.retail_pos_tier_color = tier.color
            partner.retail_pos_points = partner.retail_points
            partner.retail_pos_points_expiring = partner.retail_points_expiring
            partner.retail_pos_segment = partner.retail_segment_id.name or False
            partner.retail_pos_churn_risk = partner.retail_churn_risk
            last = partner.retail_last_purchase_date
            partner.retail_pos_last_purchase = (
                fields.Datetime.context_timestamp(partner, last).date() if last else False
            )
            partner.retail_pos_marketing_consent = any(
                partner[f"retail_consent_{channel}"] for channel in CONSENT_CHANNELS
            )

    @api.model
    def _load_pos_data_fields(self, config_id):
        # loaded with the customers Odoo already limits for large databases
        return super()._load_pos_data_fields(config_id) + [
            "retail_pos_tier",
            "retail_pos_tier_color",
            "retail_pos_points",
            "retail_pos_points_expiring",
            "retail_pos_segment",
            "retail_pos_churn_risk",
            "retail_pos_recommendations",
            "retail_pos_last_purchase",
            "retail_pos_marketing_consent",
        ]

    # ------------------------------------------------------------------
    # Recommendations
    # ------------------------------------------------------------------
    def _retail_recommendations(self):
        """Recommendations of the commercial partners of ``self`` in the
        current company, by rank (one query)."""
        return self.env["retail.recommendation"].search(
            [
                ("partner_id", "in", self.commercial_partner_id.ids),
                ("company_id", "=", self.env.company.id),
            ],
            order="partner_id, rank",
        )

    @api.depends_context("company")
    def _compute_retail_recommendations(self):
        by_partner = defaultdict(list)
        for reco in self._retail_recommendations():
            by_partner[reco.partner_id.id].append(reco.id)
        for partner in self:
            partner.retail_recommendation_ids = by_partner.get(partner.commercial_partner_id.id, [])

    @api.depends_context("company")
    def _compute_retail_pos_recommendations(self):
        names = defaultdict(list)
        for reco in self._retail_recommendations():
            if reco.product_id.available_in_pos:
                names[reco.partner_id.id].append(reco.product_id.display_name)
        for partner in self:
            partner.retail_pos_recommendations = pos_summary(
                names.get(partner.commercial_partner_id.id, [])
            )
