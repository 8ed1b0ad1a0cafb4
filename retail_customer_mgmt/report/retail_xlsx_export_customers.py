from odoo import api, models
from odoo.tools import SQL

from .retail_xlsx_export import Column

# dashboard figures written as money or percentages in the summary sheet
_SUMMARY_KINDS = {
    "net_spend": "money",
    "average_order_value": "money",
    "clv_historic": "money",
    "clv_predicted": "money",
    "repeat_rate": "percent",
    "retention_rate": "percent",
}


class RetailXlsxExportCustomers(models.AbstractModel):
    """Customer analysis: every customer who bought in the company or holds a
    retail card, most valuable first; a second sheet repeats the dashboard
    figures of the period."""

    _name = "retail.xlsx.export.customers"
    _inherit = "retail.xlsx.export"
    _description = "Retail XLSX Export: Customers"

    _export_kind = "customers"

    @api.model
    def _sheet_title(self):
        return self.env._("Customer Analysis")

    @api.model
    def _sheet_columns(self, period):
        _ = self.env._
        channel = self._labels("res.partner", "retail_preferred_channel")
        return [
            Column(_("Reference"), "text", 12),
            Column(_("Customer"), "text", 30),
            Column(_("Email"), "text", 28),
            Column(_("Phone"), "text", 16),
            Column(_("Mobile"), "text", 16),
            Column(_("City"), "text", 16),
            Column(_("Country"), "text", 16),
            Column(_("Salesperson"), "text", 20),
            Column(_("Preferred Channel"), "text", 12, channel),
            Column(_("Email Marketing Consent"), "bool"),
            Column(_("SMS Marketing Consent"), "bool"),
            Column(_("Phone Marketing Consent"), "bool"),
            Column(_("WeChat Marketing Consent"), "bool"),
            Column(_("Birthday"), "date"),
            Column(_("Tier"), "text", 12),
            Column(_("Tier Since"), "date"),
            Column(_("Segment"), "text", 20),
            Column("R", "int", 5),
            Column("F", "int", 5),
            Column("M", "int", 5),
            Column(_("RFM"), "text", 7),
            Column(_("Churn Risk"), "bool"),
            Column(_("Points"), "float"),
            Column(_("Lifetime Spend"), "money"),
            Column(_("Orders"), "int"),
            Column(_("Average Basket"), "money"),
            Column(_("First Purchase"), "datetime"),
            Column(_("Last Purchase"), "datetime"),
            Column(_("Days Since Last Purchase"), "int"),
            Column(_("Orders in Period"), "int"),
            Column(_("Spend in Period"), "money"),
        ]

    @api.model
    def _sheet_query(self, period):
        company = period.company
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        for model in ("loyalty.card", "retail.customer.grade", "retail.tier", "retail.segment"):
            self.env[model].flush_model()
        ckey = str(company.id)
        return SQL(
            """
            WITH stats AS (
                SELECT partner_id,
                       SUM(amount) AS spend,
                       SUM(is_order) AS orders,
                       MIN(d) FILTER (WHERE is_order = 1) AS first_purchase,
                       MAX(d) FILTER (WHERE is_order = 1) AS last_purchase,
                       COUNT(*) FILTER (WHERE is_order = 1 AND d >= %(start)s
                                          AND d < %(end)s) AS period_orders,
                       SUM(amount) FILTER (WHERE d >= %(start)s AND d < %(end)s) AS period_spend
                  FROM (%(orders)s) o
              GROUP BY partner_id
            ), cards AS (
                SELECT DISTINCT ON (partner_id) partner_id, points
                  FROM loyalty_card
                 WHERE program_id = %(program)s
              ORDER BY partner_id, id
            ), customers AS (
                SELECT partner_id FROM stats UNION SELECT partner_id FROM cards
            )
            SELECT p.ref, p.name, p.email, p.phone, p.mobile, p.city, %(country)s, sp.name,
                   p.retail_preferred_channel, p.retail_consent_email, p.retail_consent_sms,
                   p.retail_consent_phone, p.retail_consent_wechat, p.retail_birthday,
                   %(tier)s, (p.retail_tier_since -> %(ckey)s ->> 0)::date,
                   %(segment)s, g.r_score, g.f_score, g.m_score, g.rfm_code,
                   COALESCE(g.churn_risk, FALSE),
                   COALESCE(cards.points, 0),
                   COALESCE(s.spend, 0), COALESCE(s.orders, 0),
                   COALESCE(s.spend / NULLIF(s.orders, 0), 0),
                   s.first_purchase, s.last_purchase,
                   %(today)s - (s.last_purchase AT TIME ZONE 'UTC' AT TIME ZONE %(tz)s)::date,
                   COALESCE(s.period_orders, 0), COALESCE(s.period_spend, 0)
              FROM customers cu
              JOIN res_partner p ON p.id = cu.partner_id
         LEFT JOIN stats s ON s.partner_id = p.id
         LEFT JOIN cards ON cards.partner_id = p.id
         LEFT JOIN retail_customer_grade g ON g.partner_id = p.id AND g.company_id = %(company)s
         LEFT JOIN retail_segment seg ON seg.id = g.segment_id
         LEFT JOIN retail_tier t ON t.id = (p.retail_tier_id -> %(ckey)s ->> 0)::int4
         LEFT JOIN res_country country ON country.id = p.country_id
         LEFT JOIN res_users u ON u.id = p.user_id
         LEFT JOIN res_partner sp ON sp.id = u.partner_id
             WHERE p.id IN %(allowed)s
          ORDER BY COALESCE(s.spend, 0) DESC, p.id
            """,
            orders=Purchase._rows_sql(company),
            start=period.start,
            end=period.end,
            program=company.retail_loyalty_program_id.id or None,
            country=self._tr(SQL("country.name")),
            tier=self._tr(SQL("t.name")),
            segment=self._tr(SQL("seg.name")),
            ckey=ckey,
            company=company.id,
            today=self.env["retail.kpi.report"]._retail_today(),
            tz=period.tz.zone,
            allowed=self._allowed("res.partner", []),
        )

    @api.model
    def _write_extra_sheets(self, book, period):
        """Second sheet: the dashboard figures of the period."""
        _ = self.env._
        values = self.env["retail.kpi.report"]._get_kpis(
            period.company, period.date_from, period.date_to
        )
        Dashboard = self.env["retail.dashboard"]
        rows = [
            (_("Company"), period.company.name, "text"),
            (_("From"), period.date_from, "date"),
            (_("To"), period.date_to, "date"),
        ]
        for fname in Dashboard._retail_kpi_fields():
            if fname == "graded_on":
                continue
            field = Dashboard._fields[fname]
            kind = _SUMMARY_KINDS.get(fname) or ("int" if field.type == "integer" else "float")
            rows.append((field._description_string(self.env), values[fname], kind))
        sheet = self._add_sheet(book, _("Summary"))
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 1, 18)
        for index, (label, value, kind) in enumerate(rows):
            sheet.write_string(index, 0, label, book.formats["bold"])
            self._write_cell(book, sheet, index, 1, Column(label, kind), value)
