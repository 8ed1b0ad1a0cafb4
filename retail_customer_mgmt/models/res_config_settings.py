from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_followup_user_id = fields.Many2one(
        related="company_id.retail_followup_user_id", readonly=False
    )
    retail_loyalty_program_id = fields.Many2one(
        related="company_id.retail_loyalty_program_id", readonly=False
    )
    retail_points_per_unit = fields.Float(
        related="company_id.retail_points_per_unit", readonly=False
    )
    retail_point_value = fields.Float(related="company_id.retail_point_value", readonly=False)
    retail_points_trigger = fields.Selection(
        related="company_id.retail_points_trigger", readonly=False
    )
    retail_points_expiry_months = fields.Integer(
        related="company_id.retail_points_expiry_months", readonly=False
    )
    retail_compensation_limit = fields.Float(
        related="company_id.retail_compensation_limit", readonly=False
    )
    retail_tier_window_months = fields.Integer(
        related="company_id.retail_tier_window_months", readonly=False
    )
    retail_tier_grace_days = fields.Integer(
        related="company_id.retail_tier_grace_days", readonly=False
    )

    retail_rfm_window_months = fields.Integer(
        related="company_id.retail_rfm_window_months", readonly=False
    )
    retail_churn_factor = fields.Float(related="company_id.retail_churn_factor", readonly=False)

    retail_feedback_manager_id = fields.Many2one(
        related="company_id.retail_feedback_manager_id", readonly=False
    )
    retail_recurring_ticket_count = fields.Integer(
        related="company_id.retail_recurring_ticket_count", readonly=False
    )
    retail_recurring_days = fields.Integer(
        related="company_id.retail_recurring_days", readonly=False
    )

    retail_stock_alert_default = fields.Float(
        related="company_id.retail_stock_alert_default", readonly=False
    )
    retail_stock_horizon_days = fields.Integer(
        related="company_id.retail_stock_horizon_days", readonly=False
    )

    retail_exception_amount_factor = fields.Float(
        related="company_id.retail_exception_amount_factor", readonly=False
    )
    retail_exception_since = fields.Datetime(
        related="company_id.retail_exception_since", readonly=False
    )

    retail_reco_count = fields.Integer(related="company_id.retail_reco_count", readonly=False)
    retail_reco_exclude_days = fields.Integer(
        related="company_id.retail_reco_exclude_days", readonly=False
    )
    retail_birthday_greetings = fields.Boolean(
        related="company_id.retail_birthday_greetings", readonly=False
    )
    retail_birthday_program_id = fields.Many2one(
        related="company_id.retail_birthday_program_id", readonly=False
    )
    retail_birthday_coupon_days = fields.Integer(
        related="company_id.retail_birthday_coupon_days", readonly=False
    )
    group_retail_contact_details = fields.Boolean(
        string="Contact details for all employees",
        implied_group="retail_customer_mgmt.group_retail_contact_details",
        help="Show the phone, email and address of contacts to every employee, not only "
        "to retail users.",
    )

    def action_retail_refresh_recommendations(self):
        self.ensure_one()
        return self.env["retail.recommendation"].action_retail_refresh_now()

    def action_retail_create_birthday_program(self):
        self.ensure_one()
        self.company_id._retail_get_birthday_program()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_retail_regrade_now(self):
        self.ensure_one()
        return self.env["res.partner"].action_retail_regrade_now()

    def action_retail_create_program(self):
        self.ensure_one()
        self.company_id._retail_get_program()
        return {"type": "ir.actions.client", "tag": "reload"}

    def action_retail_check_ledger(self):
        return self.env["loyalty.card"].action_retail_check_ledger()
