"""Write the Dashboards app spreadsheets of retail_customer_mgmt.

    python tools/gen_retail_dashboards.py

writes retail_customer_mgmt/data/files/retail_*_dashboard.json (o-spreadsheet
data, version 21 as Odoo 18's own dashboards): charts read the addon's report
models, pivots are spilled with =PIVOT() and coloured by a colour scale.
Titles are plain English: Odoo's translation export picks up chart titles,
=_t() cells and filter labels of *_dashboard.json files.
"""

import json
import pathlib
import uuid

ROOT = pathlib.Path(__file__).resolve().parent.parent / "retail_customer_mgmt"
NAMESPACE = uuid.UUID("6f1c1d4e-3f4a-4c39-9e7a-2d0b5b6f7a10")
PURPLE = 0x714B67
WHITE = 0xFFFFFF
PERIOD_FILTER = str(uuid.uuid5(NAMESPACE, "period"))
MENU = "retail_customer_mgmt.retail_customer_analysis_menu"
PRODUCT_MENU = "retail_customer_mgmt.retail_product_analysis_menu"


def uid(name):
    return str(uuid.uuid5(NAMESPACE, name))


def chart(name, kind, model, group_by, measure, x, y, title, matching=None, order=None, **extra):
    search_group = [group_by[0]] if kind != "odoo_bar" else group_by
    data = {
        "title": {"text": title, "bold": True, "color": "#434343"},
        "background": "#FFFFFF",
        "legendPosition": "top" if len(group_by) > 1 or kind == "odoo_pie" else "none",
        "metaData": {
            "groupBy": group_by,
            "measure": measure,
            "order": order,
            "resModel": model,
            "mode": kind.split("_")[1],
        },
        "searchParams": {
            "comparison": None,
            "context": {},
            "domain": [],
            "groupBy": search_group,
            "orderBy": [],
        },
        "type": kind,
        "fieldMatching": {PERIOD_FILTER: matching} if matching else {},
        **extra,
    }
    if kind != "odoo_pie":
        data["verticalAxisPosition"] = "left"
    return {
        "id": uid(name),
        "x": x,
        "y": y,
        "width": 540,
        "height": 320,
        "tag": "chart",
        "data": data,
    }


def pivot(pivot_id, name, model, rows, columns, measure, matching=None, domain=None):
    return {
        "type": "ODOO",
        "id": pivot_id,
        "formulaId": pivot_id,
        "name": name,
        "model": model,
        "domain": domain or [],
        "context": {},
        "measures": [{"id": measure, "fieldName": measure}],
        "rows": [{"fieldName": row} for row in rows],
        "columns": [{"fieldName": col} for col in columns],
        "sortedColumn": None,
        "fieldMatching": {PERIOD_FILTER: matching} if matching else {},
    }


def colour_scale(name, cell_range):
    return {
        "id": uid(name),
        "ranges": [cell_range],
        "rule": {
            "type": "ColorScaleRule",
            "minimum": {"type": "value", "color": WHITE},
            "maximum": {"type": "value", "color": PURPLE},
        },
    }


def spreadsheet(sheet_name, cells, figures, pivots, conditional_formats, filters, menu=MENU):
    return {
        "version": 21,
        "sheets": [
            {
                "id": uid(sheet_name),
                "name": "Dashboard",
                "colNumber": 16,
                "rowNumber": 90,
                "rows": {},
                "cols": {"0": {"size": 160}},
                "merges": [],
                "cells": cells,
                "styles": {},
                "formats": {},
                "borders": {},
                "conditionalFormats": conditional_formats,
                "figures": figures,
                "tables": [],
                "areGridLinesVisible": False,
                "isVisible": True,
                "headerGroups": {"ROW": [], "COL": []},
                "dataValidationRules": [],
                "comments": {},
            }
        ],
        "styles": {"1": {"textColor": "#01666b", "bold": True, "fontSize": 16}},
        "formats": {},
        "borders": {},
        "revisionId": "START_REVISION",
        "uniqueFigureIds": True,
        "settings": {},
        "pivots": pivots,
        "pivotNextId": len(pivots) + 1,
        "customTableStyles": {},
        "odooVersion": 12,
        "globalFilters": filters,
        "lists": {},
        "listNextId": 1,
        "chartOdooMenusReferences": {figure["id"]: menu for figure in figures},
    }


def customers_dashboard():
    month = {"chain": "activity_month", "type": "date", "offset": 0}
    cohort = {"chain": "cohort_month", "type": "date", "offset": 0}
    figures = [
        chart(
            "tier",
            "odoo_pie",
            "retail.customer.analysis",
            ["tier_id"],
            "__count",
            0,
            40,
            "Customers by Tier",
        ),
        chart(
            "segment",
            "odoo_bar",
            "retail.customer.analysis",
            ["segment_id"],
            "__count",
            560,
            40,
            "Customers by Segment",
            stacked=False,
        ),
        chart(
            "sales",
            "odoo_line",
            "retail.cohort.report",
            ["activity_month:month"],
            "amount",
            0,
            380,
            "Net Sales by Month",
            month,
            stacked=False,
            fillArea=True,
        ),
        chart(
            "repeat",
            "odoo_bar",
            "retail.cohort.report",
            ["activity_month:month", "returning"],
            "customer_count",
            560,
            380,
            "New and Returning Customers by Month",
            month,
            stacked=True,
        ),
    ]
    pivots = {
        "1": pivot(
            "1", "RFM heat map", "retail.customer.analysis", ["r_score"], ["f_score"], "__count"
        ),
        "2": pivot(
            "2",
            "Cohorts",
            "retail.cohort.report",
            ["cohort_month:month"],
            ["months_since"],
            "retention",
            cohort,
        ),
    }
    cells = {
        "A1": {"content": '=_t("Retail Customers")', "style": 1},
        "A32": {
            "content": '=_t("RFM heat map: customers by recency (rows) and frequency '
            '(columns) score")',
            "style": 1,
        },
        "A33": {"content": "=PIVOT(1,,FALSE)"},
        "A42": {
            "content": "=_t(\"Cohorts: share of each first-purchase month's customers "
            'buying again, by months since (%)")',
            "style": 1,
        },
        "A43": {"content": "=PIVOT(2,,FALSE)"},
    }
    filters = [
        {
            "id": PERIOD_FILTER,
            "type": "date",
            "label": "Period",
            "defaultValue": "last_year",
            "rangeType": "relative",
        }
    ]
    formats = [colour_scale("rfm", "B35:F39"), colour_scale("cohorts", "B45:P70")]
    return spreadsheet("customers", cells, figures, pivots, formats, filters)


def products_dashboard():
    """Hot and slow products and stock turnover, from retail.product.analysis."""
    model = "retail.product.analysis"
    month = {"chain": "date", "type": "date", "offset": 0}
    figures = [
        chart(
            "p_class",
            "odoo_pie",
            model,
            ["product_class"],
            "revenue",
            0,
            40,
            "Revenue by Product Class",
            month,
        ),
        chart(
            "p_best",
            "odoo_bar",
            model,
            ["product_id"],
            "revenue",
            560,
            40,
            "Best Sellers by Revenue",
            month,
            order="DESC",
            stacked=False,
        ),
        chart(
            "p_turnover",
            "odoo_bar",
            model,
            ["categ_id"],
            "turnover",
            0,
            380,
            "Stock Turnover by Category",
            month,
            order="DESC",
            stacked=False,
        ),
        chart(
            "p_units",
            "odoo_line",
            model,
            ["date:month"],
            "qty",
            560,
            380,
            "Units Sold by Month",
            month,
            stacked=False,
            fillArea=True,
        ),
    ]
    pivots = {
        "1": pivot(
            "1",
            "Hot products",
            model,
            ["product_id"],
            [],
            "revenue",
            month,
            [["product_class", "=", "hot"]],
        ),
        "2": pivot(
            "2",
            "Slow movers",
            model,
            ["product_id"],
            [],
            "on_hand_qty",
            None,
            [["product_class", "=", "slow"], ["is_current_month", "=", True]],
        ),
        "3": pivot(
            "3",
            "Stock turnover and days of inventory",
            model,
            ["categ_id"],
            [],
            "days_of_inventory",
            month,
        ),
    }
    cells = {
        "A1": {"content": '=_t("Retail Products")', "style": 1},
        "A32": {"content": '=_t("Hot products: revenue")', "style": 1},
        "A33": {"content": "=PIVOT(1,15)"},
        "D32": {"content": '=_t("Slow movers: units on hand")', "style": 1},
        "D33": {"content": "=PIVOT(2,15)"},
        "A52": {"content": '=_t("Days of inventory by category")', "style": 1},
        "A53": {"content": "=PIVOT(3)"},
    }
    filters = [
        {
            "id": PERIOD_FILTER,
            "type": "date",
            "label": "Period",
            "defaultValue": "last_year",
            "rangeType": "relative",
        }
    ]
    formats = [colour_scale("p_days", "B55:B80")]
    return spreadsheet("products", cells, figures, pivots, formats, filters, PRODUCT_MENU)


def main():
    files = ROOT / "data" / "files"
    files.mkdir(parents=True, exist_ok=True)
    for name, build in (("customers", customers_dashboard), ("products", products_dashboard)):
        target = files / f"retail_{name}_dashboard.json"
        target.write_text(json.dumps(build(), indent=1, ensure_ascii=False) + "\n")
        print(target)


if __name__ == "__main__":
    main()
