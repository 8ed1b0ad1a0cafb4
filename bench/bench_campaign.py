"""Campaign audiences and campaign results at scale: 100,000 customers,
1,000,000 orders.

Populates (once, committed, in its own company) customers with email
consent and grades, confirmed sales orders over 3 years (those of the last
120 days with a tea line), and a sent email campaign with one trace per
customer (some opened and clicked) directly in PostgreSQL, then measures in
one run:

(a) the bare SQL aggregate of count / sum of orders per customer,
(b) building a campaign audience (segment, RFM score, bought tea
    within 90 days, first purchase, consent) with the ORM search a mailing
    runs, on a small segment (1% of the customers) and on a large one (99%):
    query counts (must: equal) and times,
(c) reading the campaign-results report of the company (all campaigns).

Reports (b)/(a) and (c)/(a). Measurements run in a transaction that is
rolled back.

Usage: bin/bench campaign [--customers N] [--orders M]
"""

import argparse
import subprocess
import time

from common import insert_sale_orders, measure, odoo_env, report, timed_sql

COMPANY_NAME = "Campaign Bench Co"
PREFIX = "Campaign customer "


def populate(env, customers, orders):
    company = env["res.company"].search([("name", "=", COMPANY_NAME)], limit=1)
    if company:
        return company, False
    company = env["res.company"].create({"name": COMPANY_NAME})
    tea = env["product.category"].create({"name": "Bench Tea"})
    product = env["product.product"].create({"name": "Bench Longjing", "categ_id": tea.id})
    cr = env.cr
    cr.execute(
        """
        INSERT INTO res_partner (name, email, email_normalized, active, autopost_bills, type,
                                 is_company, retail_consent_email, create_date, write_date)
        SELECT %s || g, 'c' || g || '@bench.example.cn', 'c' || g || '@bench.example.cn',
               TRUE, 'ask', 'contact', FALSE, g %% 10 <> 0, NOW(), NOW()
          FROM generate_series(1, %s) g
        """,
        [PREFIX, customers],
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id, complete_name = name "
        "WHERE name LIKE %s AND commercial_partner_id IS NULL",
        [PREFIX + "%"],
    )
    cr.execute("SELECT min(id), max(id) FROM res_partner WHERE name LIKE %s", [PREFIX + "%"])
    first, last = cr.fetchone()
    insert_sale_orders(cr, company.id, first, last, orders, prefix="CAMPAIGN")
    # the orders of the last 120 days have a tea line
    cr.execute(
        """
        INSERT INTO sale_order_line (order_id, product_id, name, product_uom_qty, price_unit,
                                     customer_lead, company_id, state, create_date, write_date)
        SELECT id, %s, 'Longjing', 1, amount_total, 0, company_id, 'sale', NOW(), NOW()
          FROM sale_order
         WHERE company_id = %s AND date_order >= NOW() - interval '120 days'
        """,
        [product.id, company.id],
    )
    # grades: the first 1% champions, the others at risk (churn risk)
    champions = env.ref("retail_customer_mgmt.retail_segment_champions")
    at_risk = env.ref("retail_customer_mgmt.retail_segment_at_risk")
    cr.execute(
        """
        INSERT INTO retail_customer_grade (partner_id, company_id, segment_id, r_score, f_score,
                                           m_score, rfm_total, rfm_code, churn_risk,
                                           create_date, write_date)
        SELECT id, %(company)s,
               CASE WHEN id < %(first)s + %(n)s / 100 THEN %(champions)s ELSE %(at_risk)s END,
               CASE WHEN id < %(first)s + %(n)s / 100 THEN 5 ELSE 2 END, 3, 3,
               CASE WHEN id < %(first)s + %(n)s / 100 THEN 11 ELSE 8 END,
               CASE WHEN id < %(first)s + %(n)s / 100 THEN '533' ELSE '233' END,
               id >= %(first)s + %(n)s / 100, NOW(), NOW()
          FROM res_partner WHERE id BETWEEN %(first)s AND %(last)s
        """,
        {
            "company": company.id,
            "first": first,
            "last": last,
            "n": customers,
            "champions": champions.id,
            "at_risk": at_risk.id,
        },
    )
    # a campaign sent 60 days ago to every consenting customer
    mailing = (
        env["mailing.mailing"]
        .with_company(company)
        .create(
            {
                "subject": "Bench campaign",
                "body_html": "<p>Bench</p>",
                "mailing_model_id": env["ir.model"]._get_id("res.partner"),
                "mailing_domain": "[]",
                "state": "done",
                "sent_date": "2000-01-01",
            }
        )
    )
    cr.execute(
        """
        INSERT INTO mailing_trace (trace_type, model, res_id, mass_mailing_id, email,
                                   trace_status, sent_datetime, open_datetime,
                                   links_click_datetime, create_date, write_date)
        SELECT 'mail', 'res.partner', id, %s, email,
               CASE WHEN id %% 3 = 0 THEN 'open' ELSE 'sent' END,
               NOW() - interval '60 days',
               CASE WHEN id %% 3 = 0 THEN NOW() - interval '59 days' END,
               CASE WHEN id %% 9 = 0 THEN NOW() - interval '59 days' END,
               NOW(), NOW()
          FROM res_partner
         WHERE id BETWEEN %s AND %s AND retail_consent_email
        """,
        [mailing.id, first, last],
    )
    cr.execute(
        "UPDATE mailing_mailing SET sent_date = NOW() - interval '60 days' WHERE id = %s",
        [mailing.id],
    )
    return company, True


def bare_aggregate(env, company):
    return timed_sql(
        env,
        "SELECT partner_id, count(*), sum(amount_total) FROM sale_order "
        "WHERE company_id = %s AND state = 'sale' GROUP BY partner_id",
        [company.id],
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="retail_bench")
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    out = {}
    with odoo_env(args.db) as env:
        start = time.perf_counter()
        company, created = populate(env, args.customers, args.orders)
        if created:
            env.cr.commit()  # pylint: disable=invalid-commit
            subprocess.run(
                [
                    "psql",
                    "-q",
                    "-d",
                    args.db,
                    "-c",
                    "VACUUM ANALYZE sale_order, sale_order_line, res_partner, mailing_trace, "
                    "retail_customer_grade",
                ],
                check=True,
            )
        out["populate_s"] = round(time.perf_counter() - start, 1)
        env = env(context={"allowed_company_ids": company.ids})
        env.cr.execute("SELECT count(*) FROM sale_order WHERE company_id = %s", [company.id])
        out["orders"] = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT count(*) FROM retail_customer_grade WHERE company_id = %s", [company.id]
        )
        out["customers"] = env.cr.fetchone()[0]

        a = min(bare_aggregate(env, company) for _ in range(args.repeat))
        tea = env["product.category"].search([("name", "=", "Bench Tea")], limit=1)
        audience = env["retail.audience"].create(
            {"name": "Bench tea", "category_ids": [(6, 0, tea.ids)], "days": 90}
        )
        Partner = env["res.partner"]
        champions = env.ref("retail_customer_mgmt.retail_segment_champions")
        at_risk = env.ref("retail_customer_mgmt.retail_segment_at_risk")
        sizes = {}
        for label, segment, score in (("small", champions, 5), ("large", at_risk, 2)):
            domain = [
                ("retail_segment_id", "=", segment.id),
                ("retail_r_score", "=", score),
                ("retail_audience_ids", "in", audience.ids),
                ("retail_first_purchase_days", ">=", 30),
                ("retail_consent_email", "=", True),
            ]
            found = Partner.search(domain)  # warm-up, and the audience size
            seconds, queries = measure(env, lambda _arg, d=domain: Partner.search(d), args.repeat)
            sizes[label] = {"customers": len(found), "seconds": seconds, "queries": queries}
            out[f"b_audience_{label}_customers"] = len(found)
            out[f"b_audience_{label}_s"] = round(seconds, 3)
            out[f"b_audience_{label}_queries"] = queries

        Result = env["retail.campaign.result"]
        c, c_queries = measure(env, lambda _arg: Result.search_read([]), args.repeat)
        rows = Result.search_read([], ["recipient_count", "opened_count", "order_count", "revenue"])
        out.update(
            {
                "a_bare_aggregate_s": round(a, 3),
                "c_campaign_results_s": round(c, 3),
                "c_campaign_results_queries": c_queries,
                "c_rows": rows,
                "ratio_b_large_over_a": round(sizes["large"]["seconds"] / a, 2),
                "ratio_c_over_a": round(c / a, 2),
            }
        )
    report(
        out,
        {
            "audience queries do not grow with its size": (
                sizes["small"]["queries"] == sizes["large"]["queries"]
            ),
            "the large audience holds most customers": (
                sizes["large"]["customers"] > 10 * max(sizes["small"]["customers"], 1)
            ),
            "campaign results are read in a constant number of queries": c_queries <= 5,
        },
    )


if __name__ == "__main__":
    main()
