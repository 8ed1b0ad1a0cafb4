from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .res_partner_privacy import ANONYMIZE_YEARS_PARAM, DEFAULT_ANONYMIZE_YEARS


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    retail_anonymize_after_years = fields.Integer(
        string="Propose for anonymisation after (years)",
        config_parameter=ANONYMIZE_YEARS_PARAM,
        default=DEFAULT_ANONYMIZE_YEARS,
    )

    @api.constrains("retail_anonymize_after_years")
    def _check_retail_anonymize_after_years(self):
        for settings in self:
            if settings.retail_anonymize_after_years < 1:
                raise ValidationError(
                    self.env._(
                        "Customers are proposed for anonymisation after at least one year "
                        "without a purchase."
                    )
                )
