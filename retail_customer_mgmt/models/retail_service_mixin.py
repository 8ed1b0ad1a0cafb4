from odoo import fields, models

from ..services.service_level import ServiceLevel
from .retail_feedback import FEEDBACK_PRIORITIES


class RetailServiceMixin(models.AbstractModel):
    """The service a tier or a segment gives its customers
    (see services/service_level.py for how a customer's tier and segment
    combine)."""

    _name = "retail.service.mixin"
    _description = "Retail Service Level"

    service_priority = fields.Selection(
        FEEDBACK_PRIORITIES,
        default="0",
        required=True,
        help="Feedback tickets and exception orders of these customers get at least this "
        "priority; above Normal, their sales orders are flagged and their deliveries shipped "
        "first.",
    )
    service_sla_hours = fields.Float(
        string="Own SLA (hours)",
        help="Feedback tickets of these customers are due within this many hours when it is "
        "shorter than the SLA policy, their exception orders within the same time rounded up "
        "to whole days; 0 = the usual deadlines.",
    )
    service_user_id = fields.Many2one(
        "res.users", string="Dedicated Salesperson", domain="[('share', '=', False)]"
    )

    def _retail_service_level(self):
        """The ServiceLevel of this tier or segment (None for no record)."""
        if not self:
            return None
        self.ensure_one()
        return ServiceLevel(
            self.service_priority, self.service_sla_hours, self.service_user_id.id or None
        )
