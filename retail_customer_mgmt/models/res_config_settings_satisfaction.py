from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_satisfaction_survey_id = fields.Many2one(
        related="company_id.retail_satisfaction_survey_id", readonly=False
    )
    retail_satisfaction_after_ticket = fields.Boolean(
        related="company_id.retail_satisfaction_after_ticket", readonly=False
    )
    retail_satisfaction_after_exception = fields.Boolean(
        related="company_id.retail_satisfaction_after_exception", readonly=False
    )
    retail_satisfaction_periodic = fields.Boolean(
        related="company_id.retail_satisfaction_periodic", readonly=False
    )
    retail_satisfaction_period_days = fields.Integer(
        related="company_id.retail_satisfaction_period_days", readonly=False
    )
    retail_satisfaction_active_days = fields.Integer(
        related="company_id.retail_satisfaction_active_days", readonly=False
    )
    retail_satisfaction_valid_days = fields.Integer(
        related="company_id.retail_satisfaction_valid_days", readonly=False
    )
    retail_satisfaction_batch = fields.Integer(
        related="company_id.retail_satisfaction_batch", readonly=False
    )
