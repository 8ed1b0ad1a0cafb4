from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_spike_recent_days = fields.Integer(
        related="company_id.retail_spike_recent_days", readonly=False
    )
    retail_spike_baseline_days = fields.Integer(
        related="company_id.retail_spike_baseline_days", readonly=False
    )
    retail_spike_factor = fields.Float(related="company_id.retail_spike_factor", readonly=False)
    retail_spike_min_qty = fields.Float(related="company_id.retail_spike_min_qty", readonly=False)
    retail_spike_user_id = fields.Many2one(
        related="company_id.retail_spike_user_id", readonly=False
    )
