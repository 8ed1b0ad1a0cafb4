"""The nightly regrade at scale: 100,000 customers, 1,000,000 orders.

Populates (once, committed, in its own company) customers and confirmed
sales orders directly in PostgreSQL, then times in one run:

(a) the bare SQL aggregate of max date / count / sum per customer,
(b) the full regrade (RFM, segments, churn, activities, bulk write-back),
    first when no grade exists yet, then (b2) the next night's regrade,
(c) a naive per-customer ORM loop on a 2,000-customer sample, extrapolated.

Reports (b)/(a) and (c)/(b) and the peak RSS of the process. Measurements
run in a transaction that is rolled back.

Usage: bin/bench regrade [--customers N] [--orders M]
"""

import argparse
import json
import resource
import time

from common import insert_sale_orders, odoo_env

COMPANY_NAME = "Regrade Bench Co"


def populate(env, customers, orders):
    company = env["res.company"].search([("name", "=", COMPANY_NAME)], limit=1)
    if company:
        return company, False
    company = env["res.company"].create({"name": COMPANY_NAME})
    cr = env.cr
    cr.execute(
        """
        INSERT INTO res_partner (name, active, autopost_bills, type, is_company,
                                 create_date, write_date)
        SELECT 'Bench customer ' || g, TRUE, 'ask', 'contact', FALSE, NOW(), NOW()
          FROM generate_series(1, %s) g
        RETURNING id
        """,
        [customers],
    )
    cr.execute(
        """
        UPDATE res_partner SET commercial_partner_id = id, complete_name = name
         WHERE name LIKE 'Bench customer %%' AND commercial_partner_id IS NULL
        """
    )
    cr.execute("SELECT min(id), max(id) FROM res_partner WHERE name LIKE 'Bench customer %%'")
    first, last = cr.fetchone()
    # 1,000,000 confirmed orders spread over 3 years, heavier for some customers
    insert_sale_orders(cr, company.id, first, last, orders)
    cr.execute("ANALYZE sale_order")
    cr.execute("ANALYZE res_partner")
    return company, True


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="retail_bench")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args()
    out = {}
    with odoo_env(args.db) as env:
        start = time.perf_counter()
        company, created = populate(env, args.customers, args.orders)
        if created:
            env.cr.commit()  # pylint: disable=invalid-commit
        out["populate_s"] = round(time.perf_counter() - start, 1)
        env.cr.execute(
            "SELECT count(*), count(DISTINCT partner_id) FROM sale_order WHERE company_id = %s",
            [company.id],
        )
        out["orders"], out["customers_with_orders"] = env.cr.fetchone()

        # (a) bare aggregate
        start = time.perf_counter()
        env.cr.execute(
            "SELECT partner_id, max(date_order), count(*), sum(amount_total) FROM sale_order "
            "WHERE company_id = %s AND state = 'sale' GROUP BY partner_id",
            [company.id],
        )
        env.cr.fetchall()
        a = time.perf_counter() - start

        # (b) full regrade
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        env.flush_all()
        queries_before = env.cr.sql_log_count
        start = time.perf_counter()
        run = env["retail.grade.run"]._regrade(company)
        env.flush_all()
        b = time.perf_counter() - start
        out["regrade_queries"] = env.cr.sql_log_count - queries_before
        out["graded"] = run.done
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        # (b2) the next night: grades exist, rows are updated in place
        env.invalidate_all()
        start = time.perf_counter()
        env["retail.grade.run"]._regrade(company)
        env.flush_all()
        b2 = time.perf_counter() - start

        # (c) naive per-customer ORM loop on a sample
        partners = env["res.partner"].search(
            [("name", "like", "Bench customer %")], limit=args.sample
        )
        start = time.perf_counter()
        Grade = env["retail.customer.grade"]
        for partner in partners:
            orders = env["sale.order"].search(
                [
                    ("partner_id", "=", partner.id),
                    ("company_id", "=", company.id),
                    ("state", "=", "sale"),
                ]
            )
            if not orders:
                continue
            last = max(orders.mapped("date_order"))
            grade = Grade.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
            grade.write(
                {
                    "recency_days": (run.started_at - last).days,
                    "frequency": len(orders),
                    "monetary": sum(orders.mapped("amount_total")),
                }
            )
        env.flush_all()
        c_sample = time.perf_counter() - start
        c = c_sample * out["customers_with_orders"] / max(len(partners), 1)

        out.update(
            {
                "a_bare_aggregate_s": round(a, 3),
                "b_full_regrade_s": round(b, 3),
                "c_naive_orm_extrapolated_s": round(c, 1),
                "c_sample_customers": len(partners),
                "c_sample_s": round(c_sample, 2),
                "b2_nightly_regrade_existing_grades_s": round(b2, 3),
                "ratio_b_over_a": round(b / a, 2),
                "ratio_b2_over_a": round(b2 / a, 2),
                "ratio_c_over_b": round(c / b, 1),
                "peak_rss_mb_before_regrade": round(rss_before / 1024),
                "peak_rss_mb_after_regrade": round(rss_after / 1024),
            }
        )
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
