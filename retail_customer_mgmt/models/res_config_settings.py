from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_followup_user_id = fields.Many2one(
        related="company_id.retail_followup_user_id", readonly=False
    )
