from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_product_window_days = fields.Integer(
        related="company_id.retail_product_window_days", readonly=False
    )
    retail_product_hot_percent = fields.Float(
        related="company_id.retail_product_hot_percent", readonly=False
    )
    retail_product_slow_days = fields.Integer(
        related="company_id.retail_product_slow_days", readonly=False
    )
    retail_forecast_months = fields.Integer(
        related="company_id.retail_forecast_months", readonly=False
    )
    retail_reorder_lead_days = fields.Integer(
        related="company_id.retail_reorder_lead_days", readonly=False
    )
    retail_reorder_safety_days = fields.Integer(
        related="company_id.retail_reorder_safety_days", readonly=False
    )
    retail_reorder_review_days = fields.Integer(
        related="company_id.retail_reorder_review_days", readonly=False
    )
