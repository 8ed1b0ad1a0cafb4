from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_followup_user_id = fields.Many2one(
        "res.users",
        string="Default Retail Follow-up User",
        help="Receives follow-up activities for customers without a salesperson.",
    )
