from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    retail_member_since = fields.Date(
        string="Member Since",
        compute="_compute_retail_member_since",
        store=True,
        readonly=False,
        groups="retail_customer_mgmt.group_retail_user",
        help="Day the customer joined (the day the contact was created, unless entered); "
        "membership anniversaries are greeted on this day.",
    )

    @api.depends("create_date")
    def _compute_retail_member_since(self):
        for partner in self:
            if not partner.retail_member_since:
                partner.retail_member_since = (
                    partner.create_date.date()
                    if partner.create_date
                    else fields.Date.context_today(partner)
                )
