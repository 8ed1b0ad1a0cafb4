"""XLSX exports of the Retail app, written in constant memory.

Rows come from a server-side cursor (``DECLARE ... CURSOR`` / ``FETCH``) in
batches and are written at once by xlsxwriter in ``constant_memory`` mode, so
the Python process holds one batch whatever the number of rows. The queries
read the tables directly, but only the rows the ORM would let the user read:
every export is limited to the ids of an ORM ``_search`` (access rights and
record rules of the user, the company chosen in ``allowed_company_ids``).
"""

from collections import namedtuple
from datetime import datetime

import pytz
import xlsxwriter

from odoo.tools import SQL

from ..models.retail_order_exception import OPEN_STATES

BATCH_SIZE = 2000
CURSOR_NAME = "retail_xlsx_export"

Column = namedtuple("Column", "title kind width labels", defaults=(None, None))

# column kinds: number format and width
_FORMATS = {
    "text": (None, 24),
    "long": (None, 48),
    "int": ("#,##0", 10),
    "float": ("#,##0.00", 12),
    "money": (None, 14),  # the company currency's decimals
    "date": ("yyyy-mm-dd", 12),
    "datetime": ("yyyy-mm-dd hh:mm", 17),
    "bool": (None, 9),
}


class RetailXlsxExport:
    """One export of one company over the local days [date_from, date_to]."""

    def __init__(self, dashboard, kind, company, date_from, date_to):
        self.dashboard = dashboard
        self.kind = kind
        self.row_count = 0
        self.env = dashboard.env
        self.company = company
        self.date_from = date_from
        self.date_to = date_to
        self.start, self.end, _previous = dashboard._retail_period(date_from, date_to)
        self.lang = self.env.lang or "en_US"
        self.tz = pytz.timezone(dashboard._retail_tz())

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _tr(self, column):
        """A translated (jsonb) column in the user's language."""
        return SQL("COALESCE(%s->>%s, %s->>'en_US')", column, self.lang, column)

    def _labels(self, model, fname):
        return dict(self.env[model]._fields[fname]._description_selection(self.env))

    def _allowed(self, model, domain):
        """Ids the user may read, as a subquery (rights and record rules)."""
        return self.env[model].with_context(active_test=False)._search(domain).subselect()

    def _local(self, value):
        if isinstance(value, datetime):
            return pytz.utc.localize(value).astimezone(self.tz).replace(tzinfo=None)
        return value

    def _rows(self, query):
        """Rows of ``query`` in batches, from a server-side cursor."""
        cr = self.env.cr
        cr.execute(SQL("DECLARE %s NO SCROLL CURSOR FOR %s", SQL.identifier(CURSOR_NAME), query))
        try:
            while True:
                cr.execute(SQL("FETCH FORWARD %s FROM %s", BATCH_SIZE, SQL.identifier(CURSOR_NAME)))
                batch = cr.fetchall()
                if not batch:
                    return
                yield from batch
        finally:
            cr.execute(SQL("CLOSE %s", SQL.identifier(CURSOR_NAME)))

    def _money_format(self):
        """Thousands separator and the decimals of the company currency."""
        decimals = self.company.currency_id.decimal_places
        return "#,##0" + ("." + "0" * decimals if decimals else "")

    def _sheet_name(self, title):
        for char in "[]:*?/\\":
            title = title.replace(char, " ")
        return title[:31]

    def _write_sheet(self, workbook, title, columns, rows):
        """A formatted sheet: styled frozen header, typed cells, autofilter.

        :return: the number of data rows written
        """
        sheet = workbook.add_worksheet(self._sheet_name(title))
        header = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#714B67",
                "font_color": "#FFFFFF",
                "border": 1,
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        formats = {}
        for kind, (num_format, _width) in _FORMATS.items():
            if kind == "money":
                num_format = self._money_format()
            formats[kind] = workbook.add_format({"num_format": num_format}) if num_format else None
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width or _FORMATS[column.kind][1])
        sheet.set_row(0, 30)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.title, header)
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for index, (column, value) in enumerate(zip(columns, row, strict=True)):
                self._write_cell(sheet, count, index, column, value, formats)
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
        return count

    def _write_cell(self, sheet, row, col, column, value, formats):
        kind = column.kind
        if column.labels is not None and value in column.labels:
            sheet.write_string(row, col, column.labels[value])
        elif kind == "bool":
            sheet.write_boolean(row, col, bool(value))
        elif value is None or value is False:
            return
        elif kind in ("text", "long") or column.labels is not None:
            sheet.write_string(row, col, str(value))
        elif kind in ("date", "datetime"):
            value = self._local(value)
            if kind == "date" and isinstance(value, datetime):
                value = value.date()
            sheet.write_datetime(row, col, value, formats[kind])
        else:
            sheet.write_number(row, col, float(value), formats[kind])

    # ------------------------------------------------------------------
    # entry point
    # ------------------------------------------------------------------
    def save(self, fileobj):
        """Write the export into ``fileobj``; return its file name."""
        title, columns, query = getattr(self, f"_{self.kind}")()
        workbook = xlsxwriter.Workbook(
            fileobj, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
        )
        workbook.set_properties({"title": title, "company": self.company.name})
        self.row_count = self._write_sheet(workbook, title, columns, self._rows(query))
        if self.kind == "customers":
            self._write_summary(workbook)
        workbook.close()
        return f"{title} {self.date_from} {self.date_to}.xlsx"

    # ------------------------------------------------------------------
    # customer analysis
    # ------------------------------------------------------------------
    def _customers(self):
        _ = self.env._
        channel = self._labels("res.partner", "retail_preferred_channel")
        columns = [
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
        company = self.company
        self.env["retail.purchase"]._flush()
        for model in ("loyalty.card", "retail.customer.grade", "retail.tier", "retail.segment"):
            self.env[model].flush_model()
        ckey = str(company.id)
        query = SQL(
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
            orders=self.env["retail.purchase"]._rows_sql(company),
            start=self.start,
            end=self.end,
            program=company.retail_loyalty_program_id.id or None,
            country=self._tr(SQL("country.name")),
            tier=self._tr(SQL("t.name")),
            segment=self._tr(SQL("seg.name")),
            ckey=ckey,
            company=company.id,
            today=self.dashboard._retail_today(),
            tz=self.tz.zone,
            allowed=self._allowed("res.partner", []),
        )
        return _("Customer Analysis"), columns, query

    def _write_summary(self, workbook):
        """Second sheet: the dashboard figures of the period."""
        dashboard = self.dashboard
        values = dashboard._retail_kpis(self.company, self.date_from, self.date_to)
        _ = self.env._
        fields_ = dashboard._fields
        rows = [
            (_("Company"), self.company.name, "text"),
            (_("From"), self.date_from, "date"),
            (_("To"), self.date_to, "date"),
        ]
        kinds = {
            "net_spend": "money",
            "average_order_value": "money",
            "clv_historic": "money",
            "clv_predicted": "money",
            "repeat_rate": "percent",
            "retention_rate": "percent",
        }
        for fname in dashboard._retail_kpi_fields():
            if fname == "graded_on":
                continue
            kind = kinds.get(fname) or ("int" if fields_[fname].type == "integer" else "float")
            rows.append((fields_[fname]._description_string(self.env), values[fname], kind))
        sheet = workbook.add_worksheet(self._sheet_name(_("Summary")))
        bold = workbook.add_format({"bold": True})
        formats = {
            "money": workbook.add_format({"num_format": self._money_format()}),
            "percent": workbook.add_format({"num_format": "0.0%"}),
            "int": workbook.add_format({"num_format": "#,##0"}),
            "float": workbook.add_format({"num_format": "#,##0.00"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
        }
        sheet.set_column(0, 0, 32)
        sheet.set_column(1, 1, 18)
        for index, (label, value, kind) in enumerate(rows):
            sheet.write_string(index, 0, label, bold)
            if kind == "text":
                sheet.write_string(index, 1, value)
            elif kind == "date":
                sheet.write_datetime(index, 1, value, formats["date"])
            else:
                sheet.write_number(index, 1, value, formats[kind])

    # ------------------------------------------------------------------
    # points ledger
    # ------------------------------------------------------------------
    def _points(self):
        _ = self.env._
        kinds = self._labels("loyalty.history", "retail_kind")
        kinds[None] = _("Reward")
        columns = [
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
        program = self.company.retail_loyalty_program_id
        for model in ("loyalty.history", "loyalty.card"):
            self.env[model].flush_model()
        moment = SQL("COALESCE(h.retail_date, h.create_date)")
        query = SQL(
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
            start=self.start,
            end=self.end,
            allowed=self._allowed("loyalty.history", [("card_id.program_id", "=", program.id)]),
        )
        return _("Points Ledger"), columns, query

    # ------------------------------------------------------------------
    # exception orders
    # ------------------------------------------------------------------
    def _period_or_open(self, date_field, open_domain):
        """Records of the company opened in the period, or still open."""
        return [
            ("company_id", "=", self.company.id),
            "|",
            *open_domain,
            "&",
            (date_field, ">=", self.start),
            (date_field, "<", self.end),
        ]

    def _exceptions(self):
        _ = self.env._
        model = "retail.order.exception"
        columns = [
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
        self.env[model].flush_model()
        query = SQL(
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
                self._period_or_open("detected_on", [("state", "in", OPEN_STATES)]),
            ),
        )
        return _("Exception Orders"), columns, query

    # ------------------------------------------------------------------
    # feedback tickets
    # ------------------------------------------------------------------
    def _tickets(self):
        _ = self.env._
        model = "retail.feedback"
        columns = [
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
        self.env[model].flush_model()
        query = SQL(
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
                model, self._period_or_open("opened_at", [("is_closed", "=", False)])
            ),
        )
        return _("Feedback Tickets"), columns, query
