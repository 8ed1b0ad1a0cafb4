from odoo import api, models
from odoo.tools import SQL

from .retail_xlsx_export import Column


class RetailXlsxExportPoints(models.AbstractModel):
    """Points ledger: the lines of the company's retail cards dated in the period."""

    _name = "retail.xlsx.export.points"
    _inherit = "retail.xlsx.export"
    _description = "Retail XLSX Export: Points Ledger"

    _export_kind = "points"

    @api.model
    def _sheet_title(self):
        return self.env._("Points Ledger")

    @api.model
    def _sheet_columns(self, period):
        _ = self.env._
        kinds = self._labels("loyalty.history", "retail_kind")
        kinds[None] = _("Reward")
        return [
            Column(_("Date"), "datetime"),
            Column(_("Customer"), "text", 30),
            Column(_("Card"), "text", 16),
            Column(_("Movement"), "text", 16, kinds),
            Column(_("Description"), "long"),
            Column(_("Issued"), "float"),
            Column(_("Used"), "float"),
            Column(_("Net"), "float"),
            Column(_("Base Amount"), "money"),
            Column(_("Points Expire On"), "date"),
            Column(_("Document"), "text", 20),
            Column(_("Tier"), "text", 12),
            Column(_("Multiplier"), "float", 10),
            Column(_("Adjusted By"), "text", 20),
        ]

    @api.model
    def _sheet_query(self, period):
        program = period.company.retail_loyalty_program_id
        for model in ("loyalty.history", "loyalty.card"):
            self.env[model].flush_model()
        moment = SQL("COALESCE(h.retail_date, h.create_date)")
        return SQL(
            """
            SELECT %(moment)s, cp.name, c.code, h.retail_kind, h.description,
                   h.issued, h.used, COALESCE(h.issued, 0) - COALESCE(h.used, 0),
                   h.retail_base_amount, h.retail_expiry_date,
                   COALESCE(am.name, po.name, so.name), %(tier)s, h.retail_multiplier, up.name
              FROM loyalty_history h
              JOIN loyalty_card c ON c.id = h.card_id
         LEFT JOIN res_partner cp ON cp.id = c.partner_id
         LEFT JOIN account_move am ON am.id = h.retail_move_id
         LEFT JOIN pos_order po ON po.id = COALESCE(
                       h.retail_pos_order_id,
                       CASE WHEN h.order_model = 'pos.order' THEN h.order_id END)
         LEFT JOIN sale_order so ON so.id = COALESCE(
                       h.retail_sale_order_id,
                       CASE WHEN h.order_model = 'sale.order' THEN h.order_id END)
         LEFT JOIN retail_tier t ON t.id = h.retail_tier_id
         LEFT JOIN res_users u ON u.id = h.retail_user_id
         LEFT JOIN res_partner up ON up.id = u.partner_id
             WHERE c.program_id = %(program)s
               AND %(moment)s >= %(start)s AND %(moment)s < %(end)s
               AND h.id IN %(allowed)s
          ORDER BY %(moment)s, h.id
            """,
            moment=moment,
            tier=self._tr(SQL("t.name")),
            program=program.id or None,
            start=period.start,
            end=period.end,
            allowed=self._allowed("loyalty.history", [("card_id.program_id", "=", program.id)]),
        )
