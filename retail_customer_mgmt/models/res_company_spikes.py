from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_spike_recent_days = fields.Integer(
        string="Spike Window (days)",
        default=7,
        help="A demand spike compares the units sold over this many last days with the "
        "usual daily pace.",
    )
    retail_spike_baseline_days = fields.Integer(
        string="Usual-Pace Window (days)",
        default=90,
        help="The usual daily pace is read over this many days before the spike window.",
    )
    retail_spike_factor = fields.Float(
        string="Spike Factor",
        default=3.0,
        help="A product or category selling at least this many times its usual daily pace "
        "opens a demand-spike alert.",
    )
    retail_spike_min_qty = fields.Float(
        string="Spike Minimum Units",
        default=10.0,
        help="Fewer units than this sold in the spike window are never a spike (noise).",
    )
    retail_spike_user_id = fields.Many2one(
        "res.users",
        string="Buyer",
        help="Receives an activity for each demand spike (else the product's responsible).",
    )

    @api.constrains(
        "retail_spike_recent_days",
        "retail_spike_baseline_days",
        "retail_spike_factor",
        "retail_spike_min_qty",
    )
    def _check_retail_spike_settings(self):
        for company in self:
            if company.retail_spike_recent_days < 1:
                raise ValidationError(
                    self.env._("The demand-spike window must be at least one day.")
                )
            if company.retail_spike_baseline_days < company.retail_spike_recent_days:
                raise ValidationError(
                    self.env._(
                        "The usual-pace window of the demand spikes must be at least as long "
                        "as the spike window."
                    )
                )
            if company.retail_spike_factor <= 1:
                raise ValidationError(self.env._("The demand-spike factor must be above 1."))
            if company.retail_spike_min_qty < 0:
                raise ValidationError(
                    self.env._("The minimum units of a demand spike cannot be negative.")
                )
