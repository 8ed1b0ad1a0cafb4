"""The nightly regrade at scale: 100,000 customers, 1,000,000 orders.

Populates (once, committed, in its own company) customers and confirmed
sales orders directly in PostgreSQL, then times in one run:

(a) the bare SQL aggregate of max date / count / sum per customer,
(b) the full regrade (RFM, segments, churn, activities, bulk write-back)
    when no grade exists yet, (b1) a forced full regrade when grades exist,
    (b2) the next night's incremental regrade after one day of new orders,
    checked against a full regrade (which must find nothing to write),
(c) a naive per-customer ORM loop on a 2,000-customer sample, extrapolated.

Reports (b)/(a) and (c)/(b) and the peak RSS of the process. Measurements
run in a transaction that is rolled back.

Usage: bin/bench regrade [--customers N] [--orders M]
"""

import argparse
import resource
import statistics
import subprocess
import time
from datetime import timedelta

from common import insert_sale_orders, odoo_env, report, timed, timed_sql
from freezegun import freeze_time

from odoo import fields

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


def backdate_history(env, company):
    """Date the history back 30 days if it was written in the last 2 days
    (the database was just populated): otherwise the next night's run would
    take all of it for new orders. Returns whether it changed anything."""
    env.cr.execute(
        "SELECT max(write_date) > NOW() - interval '2 days' FROM sale_order WHERE company_id = %s",
        [company.id],
    )
    if not env.cr.fetchone()[0]:
        return False
    env.cr.execute(
        "UPDATE sale_order SET write_date = NOW() - interval '30 days' WHERE company_id = %s",
        [company.id],
    )
    env.cr.execute(
        "UPDATE res_partner SET write_date = NOW() - interval '30 days' "
        "WHERE name LIKE 'Bench customer %%'"
    )
    return True


def bare_aggregate(env, company):
    return timed_sql(
        env,
        "SELECT partner_id, max(date_order), count(*), sum(amount_total) FROM sale_order "
        "WHERE company_id = %s AND state = 'sale' GROUP BY partner_id",
        [company.id],
    )


def naive_loop(env, company, sample):
    """(c): per customer, search its orders and write its grade with the ORM."""
    partners = env["res.partner"].search([("name", "like", "Bench customer %")], limit=sample)
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
        grade = Grade.search([("partner_id", "=", partner.id), ("company_id", "=", company.id)])
        grade.write(
            {
                "last_purchase": max(orders.mapped("date_order")),
                "frequency": len(orders),
                "monetary": sum(orders.mapped("amount_total")),
            }
        )
    env.flush_all()
    return time.perf_counter() - start, len(partners)


def timed_regrade(env, company, **kwargs):
    """Run a regrade; return the run, its wall time and its query count."""
    elapsed, queries, run = timed(env, lambda: env["retail.grade.run"]._regrade(company, **kwargs))
    return run, elapsed, queries


def next_night(env, company, first_partner, customers, orders):
    """(b2): one day of new orders (1/1095 of the history) and one day of
    orders leaving the analysis window: the night runs one day later than
    the previous runs (and the summary they refreshed)."""
    new_orders = max(orders // 1095, 1)
    insert_sale_orders(
        env.cr,
        company.id,
        first_partner,
        first_partner + customers - 1,
        new_orders,
        prefix="BENCH/NEW",
        days=1,
        skew=1.0,
    )
    tomorrow = fields.Datetime.now() + timedelta(days=1)

    def night_run():
        # the clock frozen inside the timing only (freezegun stops the timers)
        with freeze_time(tomorrow):
            return env["retail.grade.run"]._regrade(company)

    b2, queries, night = timed(env, night_run)
    out = {"seconds": b2, "b2_queries": queries}
    out["b2_mode"] = night.mode
    out["b2_new_orders"] = new_orders
    out["b2_histories_read"] = night.refreshed
    out["b2_grades_written"] = night.changed

    # the nightly result equals a full regrade's at the same moment: nothing
    # left to write
    with freeze_time(night.started_at):
        check = env["retail.grade.run"]._regrade(company, full=True)
    out["full_after_night_grades_written"] = check.changed
    return out


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
        if backdate_history(env, company) or created:
            env.cr.commit()  # pylint: disable=invalid-commit
            subprocess.run(
                ["psql", "-q", "-d", args.db, "-c", "VACUUM ANALYZE sale_order, res_partner"],
                check=True,
            )
        out["populate_s"] = round(time.perf_counter() - start, 1)
        env.cr.execute(
            "SELECT count(*), count(DISTINCT partner_id) FROM sale_order WHERE company_id = %s",
            [company.id],
        )
        out["orders"], out["customers_with_orders"] = env.cr.fetchone()
        env.cr.execute("SELECT min(id) FROM res_partner WHERE name LIKE 'Bench customer %%'")
        first_partner = env.cr.fetchone()[0]

        # (a) bare aggregate (median of 3)
        a = statistics.median(bare_aggregate(env, company) for _ in range(3))

        # (b) full regrade
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        run, b, out["b_queries"] = timed_regrade(env, company)
        out["graded"] = run.done
        out["b_grades_written"] = run.changed
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        # (b1) a forced full regrade when grades exist (weekly, or "Regrade now")
        full_again, b1, _queries = timed_regrade(env, company, full=True)

        # (b2) the next night, checked against a full regrade
        night = next_night(env, company, first_partner, out["customers_with_orders"], args.orders)
        b2 = night.pop("seconds")
        out.update(night)
        rss_after_night = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

        # (c) naive per-customer ORM loop on a sample
        c_sample, sample = naive_loop(env, company, args.sample)
        c = c_sample * out["customers_with_orders"] / max(sample, 1)

        out.update(
            {
                "a_bare_aggregate_s": round(a, 3),
                "b_first_full_regrade_s": round(b, 3),
                "b1_full_regrade_grades_exist_s": round(b1, 3),
                "b1_grades_written": full_again.changed,
                "c_naive_orm_extrapolated_s": round(c, 1),
                "c_sample_customers": sample,
                "c_sample_s": round(c_sample, 2),
                "b2_nightly_incremental_regrade_s": round(b2, 3),
                "ratio_b_over_a": round(b / a, 2),
                "ratio_b1_over_a": round(b1 / a, 2),
                "ratio_b2_over_a": round(b2 / a, 2),
                "ratio_c_over_b": round(c / b, 1),
                "peak_rss_mb_before_regrade": round(rss_before / 1024),
                "peak_rss_mb_after_regrade": round(rss_after / 1024),
                "peak_rss_mb_after_nightly": round(rss_after_night / 1024),
            }
        )
    report(
        out,
        {
            "the nightly regrade is incremental": out["b2_mode"] == "incremental",
            "a full regrade after the nightly one writes nothing": (
                out["full_after_night_grades_written"] == 0
            ),
        },
    )


if __name__ == "__main__":
    main()
