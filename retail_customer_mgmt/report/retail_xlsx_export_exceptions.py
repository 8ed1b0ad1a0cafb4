from odoo import api, models
from odoo.tools import SQL

from ..models.retail_order_exception import OPEN_STATES
from .retail_xlsx_export import Column


class RetailXlsxExportExceptions(models.AbstractModel):
    """Exception orders of the company detected in the period, and those still open."""

    _name = "retail.xlsx.export.exceptions"
    _inherit = "retail.xlsx.export"
    _description = "Retail XLSX Export: Exception Orders"

    _export_kind = "exceptions"

    @api.model
    def _sheet_title(self):
        return self.env._("Exception Orders")

    @api.model
    def _sheet_columns(self, period):
        _ = self.env._
        model = "retail.order.exception"
        return [
            Column(_("Reference"), "text", 14),
            Column(_("Detected On"), "datetime"),
            Column(_("Customer"), "text", 28),
            Column(_("Sales Order"), "text", 14),
            Column(_("Delivery"), "text", 16),
            Column(_("Type"), "text", 20, self._labels(model, "exception_type")),
            Column(_("Status"), "text", 14, self._labels(model, "state")),
            Column(_("Deadline"), "date"),
            Column(_("Responsible"), "text", 20),
            Column(_("Resolution"), "text", 18, self._labels(model, "resolution")),
            Column(_("Refund Amount"), "money"),
            Column(_("Compensation Points"), "float"),
            Column(_("Customer Notified On"), "datetime"),
            Column(_("Detail"), "long"),
        ]

    @api.model
    def _sheet_query(self, period):
        model = "retail.order.exception"
        self.env[model].flush_model()
        return SQL(
            """
            SELECT e.name, e.detected_on, cp.name, so.name, sp.name, e.exception_type, e.state,
                   e.deadline, up.name, e.resolution, e.refund_amount, e.compensation_points,
                   e.notified_on, e.detail
              FROM retail_order_exception e
         LEFT JOIN res_partner cp ON cp.id = e.partner_id
         LEFT JOIN sale_order so ON so.id = e.sale_order_id
         LEFT JOIN stock_picking sp ON sp.id = e.picking_id
         LEFT JOIN res_users u ON u.id = e.user_id
         LEFT JOIN res_partner up ON up.id = u.partner_id
             WHERE e.id IN %(allowed)s
          ORDER BY e.detected_on, e.id
            """,
            allowed=self._allowed(
                model,
                self._period_or_open(period, "detected_on", [("state", "in", OPEN_STATES)]),
            ),
        )
