"""The customer-analysis XLSX export at scale: 100,000 customers.

Populates (once, committed) two companies directly in PostgreSQL, with
customers, confirmed sales orders over three years, a retail card with points
for every customer, a tier for one customer in three, and a regrade (RFM
grades): "Export Bench Co 10k" (10,000 customers) and "Export Bench Co 100k"
(100,000 customers). Then, in one run (rolled back), as the admin user (a
retail manager, with the record rules of a real user):

(a) the bare SQL aggregate of the purchase figures per customer (fetched),
(b) the customer-analysis export of the 100k company (100,000 rows, 31
    columns, plus the summary sheet) into a temporary file, and of the 10k one,
    with their query counts and the peak RSS of the process before and after,
(c) the peak of Python allocations (tracemalloc) during each export: what the
    export holds in memory, which must not grow with the number of rows.

Usage: bin/bench export [--customers N] [--orders-per-customer K]
"""

import argparse
import os
import resource
import tempfile
import time
import tracemalloc
from datetime import date

from common import insert_sale_orders, odoo_env, report
from dateutil.relativedelta import relativedelta

from odoo.tools import SQL

PREFIX = "Export Bench Co"


def populate(env, name, customers, orders_per_customer):
    company = env["res.company"].search([("name", "=", name)], limit=1)
    if company:
        return company, False
    company = env["res.company"].create({"name": name})
    env.ref("base.user_admin").write({"company_ids": [(4, company.id)]})
    program = company._retail_get_program()
    tiers = env["retail.tier"].create(
        [
            {"name": "Bench Silver", "company_id": company.id, "min_spend": 1000, "sequence": 1},
            {"name": "Bench Gold", "company_id": company.id, "min_spend": 5000, "sequence": 2},
        ]
    )
    cr = env.cr
    tag = f"{name} customer "
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, phone, city, active,
                                 autopost_bills, type, is_company, retail_preferred_channel,
                                 retail_consent_email, create_date, write_date)
        SELECT %(tag)s || g, %(tag)s || g, 'c' || g || '@bench.example', '+86 10 ' || g,
               'Shanghai', TRUE, 'ask', 'contact', FALSE,
               (ARRAY['email', 'sms', 'phone', 'wechat'])[1 + g %% 4], g %% 3 = 0, NOW(), NOW()
          FROM generate_series(1, %(n)s) g
        """,
        {"tag": tag, "n": customers},
    )
    cr.execute(
        """UPDATE res_partner SET commercial_partner_id = id
            WHERE name LIKE %s AND commercial_partner_id IS NULL""",
        [tag + "%"],
    )
    cr.execute("SELECT min(id), max(id) FROM res_partner WHERE name LIKE %s", [tag + "%"])
    first, last = cr.fetchone()
    insert_sale_orders(
        cr, company.id, first, last, customers * orders_per_customer, f"EXPBENCH/{company.id}"
    )
    cr.execute(
        """
        INSERT INTO loyalty_card (program_id, partner_id, retail_card_key, code, company_id,
                                  points, active, create_date, write_date)
        SELECT %(program)s, id, %(program)s || ':' || id, 'EXPB-' || id, %(company)s,
               floor(random() * 5000), TRUE, NOW(), NOW()
          FROM res_partner WHERE id BETWEEN %(first)s AND %(last)s
        """,
        {"program": program.id, "company": company.id, "first": first, "last": last},
    )
    cr.execute(
        """
        UPDATE res_partner
           SET retail_tier_id = COALESCE(retail_tier_id, '{}'::jsonb)
                                || jsonb_build_object(%(company)s, (%(tiers)s)[1 + id %% 2]),
               retail_tier_since = COALESCE(retail_tier_since, '{}'::jsonb)
                                || jsonb_build_object(%(company)s, '2025-01-01')
         WHERE id BETWEEN %(first)s AND %(last)s AND id %% 3 = 0
        """,
        {"company": str(company.id), "tiers": tiers.ids, "first": first, "last": last},
    )
    for table in ("sale_order", "res_partner", "loyalty_card"):
        cr.execute(SQL("ANALYZE %s", SQL.identifier(table)))
    env.invalidate_all()
    env["retail.grade.run"]._regrade(company)
    return company, True


def export(env, company, date_from, date_to):
    """The export as the download route runs it; returns (rows, bytes)."""
    env = env(context={**env.context, "allowed_company_ids": [company.id]})
    with tempfile.TemporaryFile() as fileobj:
        result = env["retail.xlsx.export.customers"]._export(company, date_from, date_to, fileobj)
        return result.row_count, fileobj.seek(0, os.SEEK_END)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="retail_bench")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders-per-customer", type=int, default=5)
    args = parser.parse_args()
    out = {}
    with odoo_env(args.db) as env:
        start = time.perf_counter()
        small, created_small = populate(
            env, f"{PREFIX} 10k", args.customers // 10, args.orders_per_customer
        )
        large, created_large = populate(
            env, f"{PREFIX} 100k", args.customers, args.orders_per_customer
        )
        if created_small or created_large:
            env.cr.commit()  # pylint: disable=invalid-commit
        out["populate_s"] = round(time.perf_counter() - start, 1)
        admin = env(user=env.ref("base.user_admin").id)
        date_to = date.today()
        date_from = date_to - relativedelta(years=1) + relativedelta(days=1)

        # (a) bare aggregate of the purchase figures
        Purchase = admin["retail.purchase"]
        Purchase._flush()
        start = time.perf_counter()
        admin.cr.execute(
            SQL(
                """SELECT partner_id, SUM(amount), SUM(is_order), MIN(d), MAX(d)
                     FROM (%s) o GROUP BY partner_id""",
                Purchase._rows_sql(large),
            )
        )
        out["customers_with_orders"] = len(admin.cr.fetchall())
        a = time.perf_counter() - start

        # (b) timed exports, RSS of the process
        measures = {}
        for label, company in (("10k", small), ("100k", large)):
            admin.invalidate_all()
            rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            queries = admin.cr.sql_log_count
            start = time.perf_counter()
            rows, size = export(admin, company, date_from, date_to)
            elapsed = time.perf_counter() - start
            measures[label] = {
                "rows": rows,
                "file_mb": round(size / 1e6, 1),
                "export_s": round(elapsed, 2),
                "queries": admin.cr.sql_log_count - queries,
                "peak_rss_mb_before": round(rss_before / 1024),
                "peak_rss_mb_after": round(
                    resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
                ),
            }

        # (c) Python allocations held during each export
        for label, company in (("10k", small), ("100k", large)):
            admin.invalidate_all()
            tracemalloc.start()
            export(admin, company, date_from, date_to)
            _current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            measures[label]["tracemalloc_peak_mb"] = round(peak / 1e6, 1)

        big, little = measures["100k"], measures["10k"]
        out.update(
            {
                "a_bare_aggregate_s": round(a, 2),
                "b_export": measures,
                "ratio_export_100k_over_bare_aggregate": round(big["export_s"] / a, 1),
                "ratio_time_100k_over_10k": round(big["export_s"] / little["export_s"], 1),
                "ratio_tracemalloc_peak_100k_over_10k": round(
                    big["tracemalloc_peak_mb"] / little["tracemalloc_peak_mb"], 2
                ),
                "rows_per_s_100k": round(big["rows"] / big["export_s"]),
            }
        )
    report(
        out,
        {
            # 10 times the rows: what the export holds must not grow with them
            "the export's memory peak does not grow with the rows (100k/10k < 1.5)": (
                out["ratio_tracemalloc_peak_100k_over_10k"] < 1.5
            ),
            "every customer with orders is a row": (
                out["b_export"]["100k"]["rows"] >= out["customers_with_orders"]
            ),
        },
    )


if __name__ == "__main__":
    main()
