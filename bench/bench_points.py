"""What points add to one sales order confirmation.

Creates customers with a short (1 order) and a long (N orders) history in a
transaction that is rolled back, then confirms fresh orders with the module's
points hooks and without them (``points_disabled()``), all in one run.
Reports the extra queries and the time ratio; the extra query count must not
depend on the history length.

Usage: bin/bench points [--history N] [--repeat K]
"""

import argparse
import contextlib

from common import measure, odoo_env, report


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="retail_bench")
    parser.add_argument("--history", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with odoo_env(args.db) as env:
        from odoo.addons.retail_customer_mgmt.models.loyalty_history import points_disabled

        env = env(context={"tracking_disable": True, "mail_notrack": True})
        company = env.company
        company._retail_get_program()
        product = env["product.product"].create(
            {"name": "Bench tea", "list_price": 10.0, "taxes_id": [(5,)], "type": "service"}
        )
        Partner = env["res.partner"]
        short = Partner.create({"name": "Short history"})
        long_ = Partner.create({"name": "Long history"})

        def order(partner):
            return env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [
                        (
                            0,
                            0,
                            {
                                "product_id": product.id,
                                "product_uom_qty": 3,
                                "price_unit": 10.0,
                                "tax_id": [(5,)],
                            },
                        )
                    ],
                }
            )

        order(short).action_confirm()
        history = env["sale.order"].concat(*[order(long_) for _ in range(args.history)])
        history.action_confirm()  # one batch: earn lines and tier for the whole history
        results = {}
        for label, partner in (("short", short), ("long", long_)):
            for hooks in (True, False):
                switch = contextlib.nullcontext if hooks else points_disabled

                def confirm(so, switch=switch):
                    with switch():
                        so.action_confirm()

                seconds, queries = measure(
                    env,
                    confirm,
                    repeat=args.repeat,
                    setup=lambda partner=partner: order(partner),
                )
                results[(label, hooks)] = (seconds, queries)
        out = {}
        for label in ("short", "long"):
            with_t, with_q = results[(label, True)]
            without_t, without_q = results[(label, False)]
            out[label] = {
                "extra_queries": with_q - without_q,
                "time_ratio_with_vs_without": round(with_t / without_t, 3),
                "median_ms_with": round(with_t * 1000, 2),
                "median_ms_without": round(without_t * 1000, 2),
            }
        out["history_orders"] = args.history
        out["extra_queries_independent_of_history"] = (
            out["short"]["extra_queries"] == out["long"]["extra_queries"]
        )
    report(
        out,
        {
            "the extra queries of points do not depend on the history": out[
                "extra_queries_independent_of_history"
            ]
        },
    )


if __name__ == "__main__":
    main()
