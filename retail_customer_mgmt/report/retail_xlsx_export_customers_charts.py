from odoo import api, models

from .retail_xlsx_export import Column

# white to the addon's purple, as the dashboard's heat maps
_SCALE = {"type": "2_color_scale", "min_color": "#FFFFFF", "max_color": "#714B67"}


class RetailXlsxExportCustomers(models.AbstractModel):
    """The customer export's picture sheets: the cohort table and the RFM
    heat map of the Dashboards app, as coloured tables."""

    _inherit = "retail.xlsx.export.customers"

    @api.model
    def _write_extra_sheets(self, book, period):
        result = super()._write_extra_sheets(book, period)
        self._write_cohort_sheet(book, period)
        self._write_rfm_sheet(book, period)
        return result

    @api.model
    def _cohort_rows(self, period):
        """``[(cohort month, cohort size, [retention or None per month since])]``
        for the cohorts of the period's months (read through the ORM: rights
        and record rules apply)."""
        company = period.company
        Cohort = self.env["retail.cohort.report"].with_context(
            allowed_company_ids=company.ids, tz=period.tz.zone
        )
        records = Cohort.search_read(
            [
                ("company_id", "=", company.id),
                ("cohort_month", ">=", period.date_from.replace(day=1)),
                ("cohort_month", "<=", period.date_to.replace(day=1)),
            ],
            ["cohort_month", "months_since", "cohort_size", "retention"],
            order="cohort_month, months_since",
        )
        rows = {}
        for record in records:
            _size, retention = rows.setdefault(record["cohort_month"], (record["cohort_size"], []))
            if record["months_since"]:
                # an empty cohort has no retention: None, written as a blank cell
                retention.append(record["retention"] if record["cohort_size"] else None)
        return [(month, size, retention) for month, (size, retention) in rows.items()]

    @api.model
    def _write_cohort_sheet(self, book, period):
        _ = self.env._
        rows = self._cohort_rows(period)
        width = max((len(retention) for _month, _size, retention in rows), default=0)
        sheet = self._add_sheet(book, _("Cohorts"))
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, width + 1, 10)
        header = [_("First-Purchase Month"), _("New Customers")] + [
            _("Month %s", k) for k in range(1, width + 1)
        ]
        for col, title in enumerate(header):
            sheet.write_string(0, col, title, book.formats["header"])
        percent = Column("", "percent")
        for row, (month, size, retention) in enumerate(rows, start=1):
            self._write_cell(book, sheet, row, 0, Column("", "date"), month)
            sheet.write_number(row, 1, size)
            for k, rate in enumerate(retention, start=2):
                if rate is not None:
                    self._write_cell(book, sheet, row, k, percent, rate / 100.0)
        if rows and width:
            sheet.conditional_format(1, 2, len(rows), width + 1, _SCALE)
        return len(rows)

    @api.model
    def _rfm_counts(self, company):
        """``{(recency score, frequency score): customers}`` of the last regrade."""
        Analysis = self.env["retail.customer.analysis"].with_context(
            allowed_company_ids=company.ids
        )
        groups = Analysis._read_group(
            [("company_id", "=", company.id)], ["r_score", "f_score"], ["__count"]
        )
        return {(r, f): count for r, f, count in groups}

    @api.model
    def _write_rfm_sheet(self, book, period):
        _ = self.env._
        counts = self._rfm_counts(period.company)
        sheet = self._add_sheet(book, _("RFM Heat Map"))
        sheet.set_column(0, 0, 22)
        sheet.set_column(1, 5, 12)
        sheet.write_string(0, 0, _("Recency \\ Frequency"), book.formats["header"])
        for f in range(1, 6):
            sheet.write_string(0, f, _("F %s", f), book.formats["header"])
        for row, r in enumerate(range(5, 0, -1), start=1):
            sheet.write_string(row, 0, _("R %s", r), book.formats["bold"])
            for f in range(1, 6):
                sheet.write_number(row, f, counts.get((r, f), 0))
        sheet.conditional_format(1, 1, 5, 5, _SCALE)
        return counts
