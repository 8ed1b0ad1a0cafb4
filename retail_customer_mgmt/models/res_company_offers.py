from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_greetings_done_until = fields.Date(
        string="Greetings Sent Until",
        readonly=True,
        help="Last day the daily greetings job finished; its next run catches up the days "
        "after it.",
    )
    retail_welcome_program_id = fields.Many2one(
        "loyalty.program",
        string="Welcome Coupon Program",
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', [id, False])]",
        help="After their first purchase, customers who consented to email receive a coupon "
        "of this program, once; empty = no welcome offer.",
    )
    retail_welcome_coupon_days = fields.Integer(
        string="Welcome Coupon Validity (days)",
        default=30,
        help="The welcome coupon expires this many days after it is sent; 0 = never.",
    )
    retail_referral_points_referrer = fields.Float(
        string="Referral Points for the Referrer",
        help="Points credited to a customer when a customer they referred pays their first "
        "purchase; 0 = none.",
    )
    retail_referral_points_referred = fields.Float(
        string="Referral Points for the Referred Customer",
        help="Points credited to a referred customer when they pay their first purchase; 0 = none.",
    )

    @api.constrains(
        "retail_welcome_coupon_days",
        "retail_referral_points_referrer",
        "retail_referral_points_referred",
        "retail_welcome_program_id",
    )
    def _check_retail_offer_settings(self):
        for company in self:
            if (
                company.retail_welcome_coupon_days < 0
                or company.retail_referral_points_referrer < 0
                or company.retail_referral_points_referred < 0
            ):
                raise ValidationError(
                    self.env._(
                        "The welcome coupon validity and the referral points cannot be negative."
                    )
                )
            program = company.retail_welcome_program_id
            if program and (
                program.program_type != "coupons"
                or (program.company_id and program.company_id != company)
            ):
                raise ValidationError(
                    self.env._(
                        "The welcome offer needs a coupons program of %(company)s; %(program)s "
                        "is not one.",
                        company=company.name,
                        program=program.name,
                    )
                )
