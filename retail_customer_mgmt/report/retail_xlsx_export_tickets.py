from odoo import api, models
from odoo.tools import SQL

from .retail_xlsx_export import Column


class RetailXlsxExportTickets(models.AbstractModel):
    """Feedback tickets of the company opened in the period, and those still open."""

    _name = "retail.xlsx.export.tickets"
    _inherit = "retail.xlsx.export"
    _description = "Retail XLSX Export: Feedback Tickets"

    _export_kind = "tickets"

    @api.model
    def _sheet_title(self):
        return self.env._("Feedback Tickets")

    @api.model
    def _sheet_columns(self, period):
        _ = self.env._
        model = "retail.feedback"
        return [
            Column(_("Reference"), "text", 14),
            Column(_("Opened"), "datetime"),
            Column(_("Closed"), "datetime"),
            Column(_("Customer"), "text", 28),
            Column(_("Subject"), "long"),
            Column(_("Type"), "text", 18, self._labels(model, "feedback_type")),
            Column(_("Channel"), "text", 12, self._labels(model, "channel")),
            Column(_("Priority"), "text", 10, self._labels(model, "priority")),
            Column(_("Stage"), "text", 14),
            Column(_("Assigned to"), "text", 20),
            Column(_("SLA Deadline"), "datetime"),
            Column(_("SLA"), "text", 10, self._labels(model, "sla_state")),
            Column(_("Rating"), "float", 8),
            Column(_("Sales Order"), "text", 14),
            Column(_("POS Order"), "text", 18),
            Column(_("Product"), "text", 24),
        ]

    @api.model
    def _sheet_query(self, period):
        model = "retail.feedback"
        self.env[model].flush_model()
        return SQL(
            """
            SELECT f.name, f.opened_at, f.closed_date, cp.name, f.subject, f.feedback_type,
                   f.channel, f.priority, %(stage)s, up.name, f.sla_deadline, f.sla_state,
                   NULLIF(f.rating_last_value, 0), so.name, po.name, %(product)s
              FROM retail_feedback f
         LEFT JOIN res_partner cp ON cp.id = f.partner_id
         LEFT JOIN retail_feedback_stage st ON st.id = f.stage_id
         LEFT JOIN res_users u ON u.id = f.user_id
         LEFT JOIN res_partner up ON up.id = u.partner_id
         LEFT JOIN sale_order so ON so.id = f.sale_order_id
         LEFT JOIN pos_order po ON po.id = f.pos_order_id
         LEFT JOIN product_product pp ON pp.id = f.product_id
         LEFT JOIN product_template pt ON pt.id = pp.product_tmpl_id
             WHERE f.id IN %(allowed)s
          ORDER BY f.opened_at, f.id
            """,
            stage=self._tr(SQL("st.name")),
            product=self._tr(SQL("pt.name")),
            allowed=self._allowed(
                model, self._period_or_open(period, "opened_at", [("is_closed", "=", False)])
            ),
        )
