import calendar

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.forecast import seasonal_index
from ..services.product_analysis import growth
from .retail_product_forecast import HISTORY_MONTHS, month_number, month_start

MONTHS = [(str(number), calendar.month_name[number]) for number in range(1, 13)]


class RetailCategorySeason(models.Model):
    """Seasonality of each product category: per calendar month, the units of
    the last twelve complete months, of the same month a year before and
    their growth, and the seasonal index over the last 36 months (1 = an
    average month). Refreshed with the demand forecast."""

    _name = "retail.category.season"
    _description = "Retail Category Seasonality"
    _order = "company_id, categ_id, month_number"
    _rec_name = "categ_id"

    categ_id = fields.Many2one(
        "product.category", string="Product Category", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    month = fields.Selection(MONTHS, required=True, readonly=True)
    month_number = fields.Integer(readonly=True)
    qty = fields.Float("Units (last 12 months)", digits="Product Unit of Measure", readonly=True)
    last_year_qty = fields.Float(
        "Units a Year Before", digits="Product Unit of Measure", readonly=True
    )
    growth = fields.Float(
        "Growth (%)", readonly=True, aggregator="avg", help="Empty without sales a year before."
    )
    seasonal_index = fields.Float(
        readonly=True,
        aggregator="avg",
        digits=(16, 2),
        help="Average units of this calendar month over the average month, over the last "
        "36 months: 1.5 = half again as much as an average month.",
    )

    @api.model
    def _refresh(self, company, today):
        """Rebuild ``company``'s seasonality from the stored months of the
        last 36 complete months (``retail.product.month``, refreshed by the
        forecast just before), summed per category and month in SQL."""
        current = month_number(today)
        first = current - HISTORY_MONTHS
        self.env.cr.execute(
            SQL(
                """SELECT pt.categ_id,
                          EXTRACT(YEAR FROM m.date)::int * 12 + EXTRACT(MONTH FROM m.date)::int - 1,
                          SUM(m.qty)
                     FROM retail_product_month m
                     JOIN product_product pp ON pp.id = m.product_id
                     JOIN product_template pt ON pt.id = pp.product_tmpl_id
                    WHERE m.company_id = %s AND m.warehouse_id IS NOT NULL
                      AND m.date >= %s AND m.date < %s
                 GROUP BY 1, 2""",
                company.id,
                month_start(first),
                month_start(current),
            )
        )
        by_category = {}
        for categ, month, qty in self.env.cr.fetchall():
            if qty:
                by_category.setdefault(categ, {})[month] = float(qty)
        by_category = {categ: months for categ, months in by_category.items() if months}
        rows = []
        for categ, by_month in by_category.items():
            # the months since the category's first sale in the window count,
            # the ones without sales as 0
            start = min(by_month)
            monthly = {(m // 12, m % 12 + 1): by_month.get(m, 0.0) for m in range(start, current)}
            index = seasonal_index(monthly)
            for m in range(current - 12, current):
                qty = by_month.get(m, 0.0)
                before = by_month.get(m - 12, 0.0)
                rate = growth(qty, before)
                rows.append(
                    {
                        "categ_id": categ,
                        "company_id": company.id,
                        "month": str(m % 12 + 1),
                        "month_number": m % 12 + 1,
                        "qty": qty,
                        "last_year_qty": before,
                        "growth": rate * 100 if rate is not None else False,
                        "seasonal_index": index.get(m % 12 + 1, 0.0),
                    }
                )
        # sudo: the rows are written by the nightly job only; nobody has
        # create or delete rights on them (the forecast is written in SQL)
        Season = self.sudo()
        Season.search([("company_id", "=", company.id)]).unlink()
        Season.create(rows)
