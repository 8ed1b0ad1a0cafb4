"""The low-stock scan at scale.

Populates (once, committed) two companies directly in PostgreSQL: one with
1,000 and one with 100,000 storable products, each with stock in the
company's warehouse, incoming receipts and 30 days of deliveries, and this month's demand
forecast for every other product (the scan reads it for the days of cover). Then, in
one run (rolled back): the bare SQL sum of quants per product, the scan of
each company, their query counts (must be equal, for the scan that opens the
alerts and for the next one) and the scan/bare ratio; exits 1 when a must fails.
With ``--repeat N``, the bare sum and the steady-state scan alternate N times
(on a shared machine one measure of each is mostly noise): the figures are
the medians, the ratio is median over median, and every time is listed.

Usage: bin/bench stock_alerts [--products N] [--repeat N]
"""

import argparse
import statistics
import time

from common import insert_storable_products, odoo_env, report, timed, timed_sql


def populate(env, name, products):
    company = env["res.company"].search([("name", "=", name)], limit=1)
    if company:
        return company, False
    company = env["res.company"].create({"name": name})
    company.retail_stock_alert_default = 5.0
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    if not warehouse:
        warehouse = env["stock.warehouse"].create(
            {"name": name, "code": "BN", "company_id": company.id}
        )
    stock = warehouse.lot_stock_id.id
    supplier = env.ref("stock.stock_location_suppliers").id
    customer = env.ref("stock.stock_location_customers").id
    uom = env.ref("uom.product_uom_unit").id
    ids = insert_storable_products(env, company, name, products)
    cr = env.cr
    cr.execute(
        """
        INSERT INTO stock_quant (product_id, location_id, company_id, quantity,
                                 reserved_quantity, in_date, create_date, write_date)
        SELECT p, %(stock)s, %(company)s, floor(random() * 20), floor(random() * 2), NOW(),
               NOW(), NOW()
          FROM unnest(%(ids)s::int[]) p
        """,
        {"stock": stock, "company": company.id, "ids": ids},
    )
    # deliveries of the last 30 days (3 per product) and one receipt per 10 products
    cr.execute(
        """
        INSERT INTO stock_move (name, company_id, product_id, product_uom, product_uom_qty,
                                product_qty, quantity, location_id, location_dest_id,
                                procure_method, state, date, create_date, write_date)
        SELECT 'bench', %(company)s, p, %(uom)s, 1, 1, 1, %(stock)s, %(customer)s,
               'make_to_stock', 'done', NOW() - make_interval(secs => random() * 29 * 86400),
               NOW(), NOW()
          FROM unnest(%(ids)s::int[]) p, generate_series(1, 3)
        UNION ALL
        SELECT 'bench in', %(company)s, p, %(uom)s, 10, 10, 0, %(supplier)s, %(stock)s,
               'make_to_stock', 'assigned', NOW() + interval '2 days', NOW(), NOW()
          FROM unnest(%(ids)s::int[]) p WHERE p %% 10 = 0
        """,
        {
            "company": company.id,
            "uom": uom,
            "stock": stock,
            "customer": customer,
            "supplier": supplier,
            "ids": ids,
        },
    )
    for table in ("stock_quant", "stock_move", "product_product", "product_template"):
        cr.execute(f"ANALYZE {table}")
    return company, True


def populate_forecast(env, company):
    """This month's demand forecast (``retail.product.forecast``, month 1) for
    every other product of ``company``, as the nightly refresh writes it, so
    that the scan's days of cover read it; once (committed by the caller)."""
    cr = env.cr
    cr.execute("SELECT 1 FROM retail_product_forecast WHERE company_id = %s LIMIT 1", [company.id])
    if cr.fetchone():
        return False
    warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
    cr.execute(
        """
        INSERT INTO retail_product_forecast (product_id, warehouse_id, company_id, date,
                                             month_index, qty, method, history_months,
                                             create_date, write_date)
        SELECT pp.id, %(warehouse)s, %(company)s, date_trunc('month', NOW())::date, 1,
               floor(random() * 60), 'seasonal_naive', 12, NOW(), NOW()
          FROM product_product pp JOIN product_template pt ON pt.id = pp.product_tmpl_id
         WHERE pt.company_id = %(company)s AND pp.id %% 2 = 0
        """,
        {"warehouse": warehouse.id, "company": company.id},
    )
    cr.execute("ANALYZE retail_product_forecast")
    return True


def _bare_sum(env, company):
    return timed_sql(
        env,
        "SELECT product_id, SUM(quantity) FROM stock_quant WHERE company_id = %s "
        "GROUP BY product_id",
        [company.id],
    )


def _timed_scan(env, Alert, company):
    """Seconds and queries of one scan of ``company``."""
    elapsed, queries, _result = timed(env, lambda: Alert._scan(company))
    return elapsed, queries


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="retail_bench")
    parser.add_argument("--products", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    out = {}
    with odoo_env(args.db) as env:
        start = time.perf_counter()
        small, c1 = populate(env, "Stock Bench Small", args.small)
        large, c2 = populate(env, "Stock Bench Large", args.products)
        f1 = populate_forecast(env, small)
        f2 = populate_forecast(env, large)
        if c1 or c2 or f1 or f2:
            env.cr.commit()  # pylint: disable=invalid-commit
        out["populate_s"] = round(time.perf_counter() - start, 1)
        Alert = env["retail.stock.alert"]
        # warm-up, rolled back: Odoo's caches (models, activity type, ...) are
        # filled by whichever scan runs first, which would pay for them
        env.cr.execute("SAVEPOINT bench_warm_up")
        Alert._scan(small)
        env.flush_all()
        env.cr.execute("ROLLBACK TO SAVEPOINT bench_warm_up")
        env.invalidate_all()
        results = {}
        for label, company in (("small", small), ("large", large)):
            # first scan opens the alerts, the next ones are the steady state
            first = _timed_scan(env, Alert, company)
            bares, scans = [], []
            for _run in range(max(args.repeat, 1)):
                bares.append(_bare_sum(env, company))
                scans.append(_timed_scan(env, Alert, company))
            open_alerts = Alert.search_count(
                [("company_id", "=", company.id), ("state", "=", "open")]
            )
            bare = statistics.median(bares)
            scan = statistics.median(seconds for seconds, _queries in scans)
            results[label] = {
                "products": args.small if label == "small" else args.products,
                "bare_quant_sum_s": round(bare, 3),
                "first_scan_s": round(first[0], 3),
                "first_scan_queries": first[1],
                "scan_s": round(scan, 3),
                "scan_queries": max(queries for _seconds, queries in scans),
                "scan_over_bare": round(scan / bare, 1),
                "open_alerts": open_alerts,
            }
            if args.repeat > 1:
                results[label]["bare_runs_s"] = [round(t, 3) for t in bares]
                results[label]["scan_runs_s"] = [round(t, 3) for t, _q in scans]
                results[label]["scan_runs_queries"] = sorted({q for _t, q in scans})
        out.update(results)
        out["equal_query_count_small_vs_large"] = (
            results["small"]["scan_queries"] == results["large"]["scan_queries"]
        )
    report(
        out,
        {
            "the scan costs the same queries for small and large": out[
                "equal_query_count_small_vs_large"
            ],
            "the scan that opens the alerts costs the same queries for small and large": (
                out["small"]["first_scan_queries"] == out["large"]["first_scan_queries"]
            ),
        },
    )


if __name__ == "__main__":
    main()
