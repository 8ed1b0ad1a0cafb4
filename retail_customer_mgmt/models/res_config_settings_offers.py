from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_welcome_program_id = fields.Many2one(
        related="company_id.retail_welcome_program_id", readonly=False
    )
    retail_welcome_coupon_days = fields.Integer(
        related="company_id.retail_welcome_coupon_days", readonly=False
    )
    retail_referral_points_referrer = fields.Float(
        related="company_id.retail_referral_points_referrer", readonly=False
    )
    retail_referral_points_referred = fields.Float(
        related="company_id.retail_referral_points_referred", readonly=False
    )
