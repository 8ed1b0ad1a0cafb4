from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_product_window_days = fields.Integer(
        string="Product Analysis Window (days)",
        default=90,
        help="Rank, class, stock turnover, days of inventory and sell-through of a product "
        "are computed over this many days.",
    )
    retail_product_hot_percent = fields.Float(
        string="Hot Products (% of revenue)",
        default=50.0,
        help="The best sellers that together make this share of a warehouse's revenue over "
        "the analysis window are hot.",
    )
    retail_product_slow_days = fields.Integer(
        string="Slow Mover After (days)",
        default=60,
        help="A product in stock that did not sell for this many days is a slow mover.",
    )
    retail_forecast_months = fields.Integer(
        string="Forecast Horizon (months)",
        default=3,
        help="Months of demand forecast computed each night per product and warehouse.",
    )
    retail_reorder_lead_days = fields.Integer(
        string="Replenishment Lead Time (days)",
        default=7,
        help="Proposed reordering minimum: the forecast demand of the lead time plus the "
        "safety days.",
    )
    retail_reorder_safety_days = fields.Integer(
        string="Safety Stock (days)",
        default=7,
        help="Days of forecast demand kept in stock on top of the lead time.",
    )
    retail_reorder_review_days = fields.Integer(
        string="Order Cycle (days)",
        default=30,
        help="Proposed reordering maximum: the minimum plus this many days of forecast demand.",
    )

    @api.constrains(
        "retail_product_window_days",
        "retail_product_hot_percent",
        "retail_product_slow_days",
        "retail_forecast_months",
        "retail_reorder_lead_days",
        "retail_reorder_safety_days",
        "retail_reorder_review_days",
    )
    def _check_retail_product_settings(self):
        for company in self:
            if company.retail_product_window_days < 1:
                raise ValidationError(
                    self.env._("The product analysis window must be at least one day.")
                )
            if not 0 <= company.retail_product_hot_percent <= 100:
                raise ValidationError(
                    self.env._("The share of revenue of hot products is between 0 and 100 %.")
                )
            if not 1 <= company.retail_forecast_months <= 24:
                raise ValidationError(
                    self.env._("The forecast horizon is between 1 and 24 months.")
                )
            if (
                company.retail_product_slow_days < 0
                or company.retail_reorder_lead_days < 0
                or company.retail_reorder_safety_days < 0
                or company.retail_reorder_review_days < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The slow-mover days, lead time, safety stock and order cycle cannot be "
                        "negative."
                    )
                )
