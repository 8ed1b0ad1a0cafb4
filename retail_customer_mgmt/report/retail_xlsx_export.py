"""XLSX exports of the Retail app, written in constant memory.

``retail.xlsx.export`` is the abstract exporter: the server-side cursor, the
formats and the sheet writing. Each export is a model of its own inheriting it
(``retail_xlsx_export_<kind>.py``) that gives its ``_export_kind`` (the name in
the download route), its title, columns and query; the exports available are
the models registered that way (``_get_exports``).

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

from odoo import api, models
from odoo.exceptions import UserError
from odoo.tools import SQL

BATCH_SIZE = 2000
CURSOR_NAME = "retail_xlsx_export"

Column = namedtuple("Column", "title kind width labels", defaults=(None, None))
# one export of one company over the local days [date_from, date_to]; start
# and end are the UTC bounds of the period, tz the user's timezone
Period = namedtuple("Period", "company date_from date_to start end tz")
# the workbook being written and its formats (by column kind, plus header and bold)
Book = namedtuple("Book", "workbook formats tz")
ExportResult = namedtuple("ExportResult", "filename row_count")

# column kinds: number format and width
_FORMATS = {
    "text": (None, 24),
    "long": (None, 48),
    "int": ("#,##0", 10),
    "float": ("#,##0.00", 12),
    "money": (None, 14),  # the company currency's decimals
    "percent": ("0.0%", 10),
    "date": ("yyyy-mm-dd", 12),
    "datetime": ("yyyy-mm-dd hh:mm", 17),
    "bool": (None, 9),
}
_HEADER = {
    "bold": True,
    "bg_color": "#714B67",
    "font_color": "#FFFFFF",
    "border": 1,
    "text_wrap": True,
    "valign": "vcenter",
}


class RetailXlsxExport(models.AbstractModel):
    _name = "retail.xlsx.export"
    _description = "Retail XLSX Export"

    _export_kind = None  # set by each export: its name in the download route

    @api.model
    def _get_exports(self):
        """``{kind: model name}`` of the exports: the models inheriting this one."""
        names = self.env.registry.descendants([self._name], "_inherit") - {self._name}
        return {self.env[name]._export_kind: name for name in names if self.env[name]._export_kind}

    # ------------------------------------------------------------------
    # what each export gives
    # ------------------------------------------------------------------
    @api.model
    def _sheet_title(self):
        """The translated title: sheet name and start of the file name."""
        raise NotImplementedError()

    @api.model
    def _sheet_columns(self, period):
        """The ``Column`` list of the sheet."""
        raise NotImplementedError()

    @api.model
    def _sheet_query(self, period):
        """The ``SQL`` of the rows, one value per column."""
        raise NotImplementedError()

    @api.model
    def _write_extra_sheets(self, book, period):
        """Sheets after the first one: none by default."""

    # ------------------------------------------------------------------
    # entry point
    # ------------------------------------------------------------------
    @api.model
    def _export(self, company, date_from, date_to, fileobj):
        """Write this export of ``company`` for the local days [date_from,
        date_to] as XLSX into ``fileobj``.

        :return: ``ExportResult(filename, row_count)``
        """
        report = self.env["retail.kpi.report"]
        report._retail_check_company(company)
        if date_from > date_to:
            raise UserError(self.env._("The start date must be before the end date."))
        start, end, _previous = report._retail_period(date_from, date_to)
        tz = pytz.timezone(report._retail_tz())
        period = Period(company, date_from, date_to, start, end, tz)
        title = self._sheet_title()
        columns = self._sheet_columns(period)
        query = self._sheet_query(period)
        workbook = xlsxwriter.Workbook(
            fileobj, {"constant_memory": True, "default_date_format": "yyyy-mm-dd"}
        )
        workbook.set_properties({"title": title, "company": company.name})
        book = Book(workbook, self._formats(workbook, company), tz)
        row_count = self._write_sheet(book, title, columns, self._rows(query))
        self._write_extra_sheets(book, period)
        workbook.close()
        # accountability: who exported what (see retail.privacy.log)
        self.env["retail.privacy.log"]._retail_log(
            "export",
            row_count,
            kind=title,
            filter_description=f"{date_from} - {date_to}",
            company=company,
        )
        return ExportResult(f"{title} {date_from} {date_to}.xlsx", row_count)

    # ------------------------------------------------------------------
    # query helpers
    # ------------------------------------------------------------------
    @api.model
    def _tr(self, column):
        """A translated (jsonb) column in the user's language."""
        return SQL("COALESCE(%s->>%s, %s->>'en_US')", column, self.env.lang or "en_US", column)

    @api.model
    def _labels(self, model, fname):
        return dict(self.env[model]._fields[fname]._description_selection(self.env))

    @api.model
    def _allowed(self, model, domain):
        """Ids the user may read, as a subquery (rights and record rules)."""
        return self.env[model].with_context(active_test=False)._search(domain).subselect()

    @api.model
    def _period_or_open(self, period, date_field, open_domain):
        """Records of the company opened in the period, or still open."""
        return [
            ("company_id", "=", period.company.id),
            "|",
            *open_domain,
            "&",
            (date_field, ">=", period.start),
            (date_field, "<", period.end),
        ]

    @api.model
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

    # ------------------------------------------------------------------
    # sheet helpers
    # ------------------------------------------------------------------
    @api.model
    def _formats(self, workbook, company):
        """The cell formats by column kind (None: no number format), plus
        ``header`` and ``bold``; money has the decimals of the company
        currency and a thousands separator."""
        decimals = company.currency_id.decimal_places
        money = "#,##0" + ("." + "0" * decimals if decimals else "")
        formats = {
            "header": workbook.add_format(_HEADER),
            "bold": workbook.add_format({"bold": True}),
        }
        for kind, (num_format, _width) in _FORMATS.items():
            num_format = money if kind == "money" else num_format
            formats[kind] = workbook.add_format({"num_format": num_format}) if num_format else None
        return formats

    @api.model
    def _add_sheet(self, book, title):
        for char in "[]:*?/\\":
            title = title.replace(char, " ")
        return book.workbook.add_worksheet(title[:31])

    @api.model
    def _write_sheet(self, book, title, columns, rows):
        """A formatted sheet: styled frozen header, typed cells, autofilter.

        :return: the number of data rows written
        """
        sheet = self._add_sheet(book, title)
        for index, column in enumerate(columns):
            sheet.set_column(index, index, column.width or _FORMATS[column.kind][1])
        sheet.set_row(0, 30)
        for index, column in enumerate(columns):
            sheet.write_string(0, index, column.title, book.formats["header"])
        sheet.freeze_panes(1, 0)
        count = 0
        for count, row in enumerate(rows, start=1):
            for index, (column, value) in enumerate(zip(columns, row, strict=True)):
                self._write_cell(book, sheet, count, index, column, value)
        sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
        return count

    @api.model
    def _write_cell(self, book, sheet, row, col, column, value):
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
            if isinstance(value, datetime):
                value = pytz.utc.localize(value).astimezone(book.tz).replace(tzinfo=None)
            if kind == "date" and isinstance(value, datetime):
                value = value.date()
            sheet.write_datetime(row, col, value, book.formats[kind])
        else:
            sheet.write_number(row, col, float(value), book.formats[kind])
