import logging
from datetime import date

import numpy as np

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import SQL

from ..services import forecast as fc
from ..services.forecast_batch import forecast_batch, history_lengths, reorder_proposals
from .retail_product_month import copy_out

_logger = logging.getLogger(__name__)

HISTORY_MONTHS = 36
METHODS = [
    (fc.HOLT_WINTERS, "Holt-Winters"),
    (fc.SEASONAL_NAIVE, "Seasonal naive"),
    (fc.SES, "Exponential smoothing"),
    (fc.NONE, "No history"),
]


def month_number(day):
    """Months since year 0 (to index monthly series)."""
    return day.year * 12 + day.month - 1


def month_start(number):
    return date(number // 12, number % 12 + 1, 1)


class RetailProductForecast(models.Model):
    """Demand forecast per product, warehouse and month, refreshed each night
    from the last 36 complete months of sales and POS orders (the lines of
    ``retail.product.analysis``) by the methods of ``services/forecast.py``.

    The rows of the next month also carry the reordering rule proposal
    (minimum and maximum), applied to Odoo's reordering rules only when a
    stock manager confirms it.
    """

    _name = "retail.product.forecast"
    _description = "Retail Demand Forecast"
    _order = "company_id, warehouse_id, product_id, date"
    _rec_name = "product_id"
    _check_company_auto = True

    # no index of its own: the unique index (product, warehouse, month) serves
    product_id = fields.Many2one(
        "product.product", required=True, ondelete="cascade", readonly=True
    )
    product_tmpl_id = fields.Many2one(related="product_id.product_tmpl_id")
    categ_id = fields.Many2one(related="product_id.categ_id", string="Product Category")
    warehouse_id = fields.Many2one(
        "stock.warehouse",
        required=True,
        ondelete="cascade",
        readonly=True,
        check_company=True,
    )
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    date = fields.Date("Month", required=True, readonly=True)
    month_index = fields.Integer(
        "Months Ahead", readonly=True, help="1 for the current month, 2 for the next one..."
    )
    qty = fields.Float("Forecast Units", digits="Product Unit of Measure", readonly=True)
    method = fields.Selection(METHODS, readonly=True)
    history_months = fields.Integer(
        readonly=True, help="Months of sales history the forecast is based on."
    )
    last_year_qty = fields.Float(
        "Same Month Last Year", digits="Product Unit of Measure", readonly=True
    )
    orderpoint_id = fields.Many2one(
        "stock.warehouse.orderpoint", string="Reordering Rule", readonly=True
    )
    current_min_qty = fields.Float(
        "Current Minimum", digits="Product Unit of Measure", readonly=True
    )
    current_max_qty = fields.Float(
        "Current Maximum", digits="Product Unit of Measure", readonly=True
    )
    proposed_min_qty = fields.Float(
        "Proposed Minimum", digits="Product Unit of Measure", readonly=True
    )
    proposed_max_qty = fields.Float(
        "Proposed Maximum", digits="Product Unit of Measure", readonly=True
    )

    _sql_constraints = [
        (
            "product_warehouse_month_unique",
            "UNIQUE(product_id, warehouse_id, date)",
            "One forecast per product, warehouse and month.",
        )
    ]

    # ------------------------------------------------------------------
    # Nightly refresh: a constant number of queries for any number of products
    # ------------------------------------------------------------------
    @api.model
    def _series(self, company, first, current, products=None):
        """``(keys, matrix)``: the (product, warehouse) pairs of ``company``'s
        counted lines from month number ``first`` to before ``current``, and
        their monthly units, one row per pair: read from the stored months
        (``retail.product.month``); only those of ``products`` when given."""
        data = copy_out(
            self.env.cr,
            SQL(
                """
                SELECT product_id, warehouse_id,
                       (EXTRACT(YEAR FROM date)::int * 12 + EXTRACT(MONTH FROM date)::int - 1)
                           - %s,
                       qty
                  FROM retail_product_month
                 WHERE company_id = %s AND warehouse_id IS NOT NULL
                   AND date >= %s AND date < %s %s
                """,
                first,
                company.id,
                month_start(first),
                month_start(current),
                SQL() if products is None else SQL("AND product_id = ANY(%s)", sorted(products)),
            ),
            4,
        )
        pair = data[:, 0].astype(np.int64) << 32 | data[:, 1].astype(np.int64)
        pairs, rows = np.unique(pair, return_inverse=True)
        keys = list(zip((pairs >> 32).tolist(), (pairs & 0xFFFFFFFF).tolist(), strict=True))
        matrix = np.zeros((len(keys), current - first))
        np.add.at(matrix, (rows, data[:, 2].astype(np.int64)), data[:, 3])
        return keys, matrix

    @api.model
    def _orderpoints(self, company):
        self.env["stock.warehouse.orderpoint"].flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT product_id, warehouse_id, MIN(id), MAX(product_min_qty),
                          MAX(product_max_qty)
                     FROM stock_warehouse_orderpoint
                    WHERE active AND company_id = %s
                 GROUP BY product_id, warehouse_id""",
                company.id,
            )
        )
        return {(p, w): (op, mn, mx) for p, w, op, mn, mx in self.env.cr.fetchall()}

    @api.model
    def _refresh(self, company, today=None):
        """Recompute ``company``'s forecasts and category seasonality."""
        today = today or fields.Date.context_today(self)
        current = month_number(today)
        first = current - HISTORY_MONTHS
        horizon = company.retail_forecast_months
        # the months of the lines changed since the last refresh first
        self.env["retail.product.month"]._refresh_months()
        # the pairs to compute and write: those of the products whose sales
        # changed since the last night, or all of them (a new month, other
        # settings, rows missing)
        state = (
            current,
            horizon,
            company.retail_reorder_lead_days,
            company.retail_reorder_review_days,
            company.retail_reorder_safety_days,
        )
        scope = self._changed_products(company, state)
        keys, matrix = self._series(company, first, current, scope)
        orderpoints = self._orderpoints(company)
        methods, values = forecast_batch(matrix, horizon)
        history = history_lengths(matrix)
        minimum, maximum = reorder_proposals(
            values[:, 0],
            company.retail_reorder_lead_days,
            company.retail_reorder_review_days,
            company.retail_reorder_safety_days,
        )
        # the same month a year before each month ahead (0 beyond the history)
        last_year = np.zeros((len(keys), horizon))
        for h in range(min(horizon, 12)):
            last_year[:, h] = matrix[:, HISTORY_MONTHS - 12 + h]
        selected = list(range(len(keys)))
        current_rules = [orderpoints.get(keys[index], (None, 0.0, 0.0)) for index in selected]
        columns = [
            [keys[index][0] for index in selected],
            [keys[index][1] for index in selected],
            [methods[index] for index in selected],
            history[selected].tolist(),
            np.round(minimum[selected], 2).tolist(),
            np.round(maximum[selected], 2).tolist(),
            [rule[0] for rule in current_rules],
            [rule[1] for rule in current_rules],
            [rule[2] for rule in current_rules],
        ]
        self._write_forecasts(
            company,
            columns,
            values[selected].ravel().tolist(),
            last_year[selected].ravel().tolist(),
            horizon,
            current,
            scope,
        )
        self._write_orderpoints(company)
        self._record_state(company, state)
        self.env["retail.category.season"]._refresh(company, today)
        _logger.info("Demand forecast of %s: %s products and warehouses", company.name, len(keys))

    @api.model
    def _cron_refresh_forecast(self):
        for company in self.env["res.company"].search([]):
            self._refresh(company)

    # ------------------------------------------------------------------
    # Reordering proposals: applied only when a stock manager confirms
    # ------------------------------------------------------------------
    def action_apply_orderpoints(self):
        """Write the proposed minimum and maximum of the selected proposals
        into Odoo's reordering rules (creating the missing rules, manual
        trigger), as the user: only stock managers may."""
        if not self.env.user.has_group("stock.group_stock_manager"):
            raise AccessError(
                self.env._("Only inventory administrators can change the reordering rules.")
            )
        proposals = self.filtered(lambda row: row.month_index == 1)
        if not proposals:
            raise UserError(
                self.env._("Select the proposals of the current month (Months Ahead = 1) to apply.")
            )
        Orderpoint = self.env["stock.warehouse.orderpoint"]
        to_create = []
        for row in proposals:
            orderpoint = Orderpoint.search(
                [
                    ("product_id", "=", row.product_id.id),
                    ("warehouse_id", "=", row.warehouse_id.id),
                ],
                limit=1,
            )
            values = {
                "product_min_qty": row.proposed_min_qty,
                "product_max_qty": row.proposed_max_qty,
            }
            if orderpoint:
                orderpoint.write(values)
                row._record_applied(orderpoint)
            else:
                to_create.append((row, values))
        created = Orderpoint.create(
            [
                {
                    **values,
                    "product_id": row.product_id.id,
                    "warehouse_id": row.warehouse_id.id,
                    "location_id": row.warehouse_id.lot_stock_id.id,
                    "company_id": row.company_id.id,
                    "trigger": "manual",
                }
                for row, values in to_create
            ]
        )
        for (row, _values), orderpoint in zip(to_create, created, strict=True):
            row._record_applied(orderpoint)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "message": self.env._(
                    "%(count)s reordering rules updated from the forecast.", count=len(proposals)
                ),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _record_applied(self, orderpoint):
        # sudo: the forecast rows are read-only to everyone (the nightly job
        # writes them); the rule itself was written with the user's rights
        self.sudo().write(
            {
                "orderpoint_id": orderpoint.id,
                "current_min_qty": orderpoint.product_min_qty,
                "current_max_qty": orderpoint.product_max_qty,
            }
        )
