"""Bootstrap a real Odoo environment for the benchmarks (no mocks)."""

import json
import os
import statistics
import sys
import time
from contextlib import contextmanager

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo")
sys.path.insert(0, ODOO_SRC)

import odoo  # noqa: E402
from odoo import SUPERUSER_ID, api  # noqa: E402
from odoo.modules.registry import Registry  # noqa: E402

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def report(out, musts):
    """Print the measures, then each "must" of the benchmark; exit 1 when one
    fails, so that a regression stops ``bin/bench`` and CI."""
    print(json.dumps(out, indent=2))
    for name, ok in musts.items():
        print(f"must {'ok' if ok else 'FAILED'}: {name}")
    failed = [name for name, ok in musts.items() if not ok]
    if failed:
        print(f"{len(failed)} must(s) failed: {', '.join(failed)}")
        sys.exit(1)


@contextmanager
def odoo_env(dbname):
    """An environment on ``dbname`` whose transaction is rolled back at the end."""
    odoo.tools.config.parse_config(
        [
            f"--addons-path={ODOO_SRC}/odoo/addons,{REPO}",
            "-d",
            dbname,
            "--log-level=warn",
        ]
    )
    registry = Registry(dbname)
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        try:
            yield env
        finally:
            cr.rollback()


def timed(env, func):
    """Wall time (s), query count and result of one ``func()``, from a clean
    cache to its last write flushed."""
    env.flush_all()
    env.invalidate_all()
    before = env.cr.sql_log_count
    start = time.perf_counter()
    result = func()
    env.flush_all()
    return time.perf_counter() - start, env.cr.sql_log_count - before, result


def timed_sql(env, query, params):
    """Wall time (s) of one SQL statement and the fetch of all its rows: the
    bare aggregates the benchmarks compare the addon's jobs with."""
    start = time.perf_counter()
    env.cr.execute(query, params)
    env.cr.fetchall()
    return time.perf_counter() - start


def measure(env, func, repeat=7, setup=None):
    """Median wall time (s) and query count of ``func(setup())`` over ``repeat``
    runs; ``setup`` is not measured."""
    times, queries = [], []
    for _ in range(repeat):
        arg = setup() if setup else None
        elapsed, count, _result = timed(env, lambda arg=arg: func(arg))
        times.append(elapsed)
        queries.append(count)
    return statistics.median(times), statistics.median(queries)


def insert_storable_products(env, company, name, count, with_cost=False):
    """``count`` storable products of ``company`` named "<name> item <n>",
    inserted set-based (a cost of 4 to 10 with ``with_cost``); returns their
    product ids in creation order."""
    cr = env.cr
    cr.execute(
        """
        WITH t AS (
            INSERT INTO product_template (name, categ_id, uom_id, uom_po_id, type, is_storable,
                                          sale_line_warn, service_tracking, tracking, active,
                                          sale_ok, purchase_ok, list_price, company_id,
                                          create_date, write_date)
            SELECT jsonb_build_object('en_US', %(name)s || ' item ' || g), %(categ)s, %(uom)s,
                   %(uom)s, 'consu', TRUE, 'no-message', 'no', 'none', TRUE, TRUE, TRUE, 10,
                   %(company)s, NOW(), NOW()
              FROM generate_series(1, %(n)s) g
            RETURNING id)
        INSERT INTO product_product (product_tmpl_id, active, standard_price, create_date,
                                     write_date)
        SELECT id, TRUE,
               CASE WHEN %(cost)s THEN jsonb_build_object(%(company)s::text, 4 + id %% 7) END,
               NOW(), NOW()
          FROM t
        """,
        {
            "name": name,
            "categ": env.ref("product.product_category_all").id,
            "uom": env.ref("uom.product_uom_unit").id,
            "company": company.id,
            "n": count,
            "cost": with_cost,
        },
    )
    cr.execute(
        """SELECT pp.id FROM product_product pp JOIN product_template pt
                ON pt.id = pp.product_tmpl_id WHERE pt.company_id = %s ORDER BY pp.id""",
        [company.id],
    )
    return [row[0] for row in cr.fetchall()]


def insert_sale_orders(
    cr,
    company_id,
    first_partner,
    last_partner,
    orders,
    prefix="BENCH",
    days=1095,
    skew=1.6,
    written_days_ago=0,
):
    """Confirmed sales orders spread over the last ``days`` days (3 years),
    for partners ``first_partner`` .. ``last_partner`` (``skew`` > 1: some
    customers buy more often), written ``written_days_ago`` days ago,
    inserted in one query."""
    cr.execute(
        """
        INSERT INTO sale_order (name, company_id, partner_id, partner_invoice_id,
                                partner_shipping_id, picking_policy, state, date_order,
                                amount_total, amount_untaxed, currency_rate, create_date,
                                write_date)
        SELECT %(prefix)s || '/' || g, %(company)s, p, p, p, 'direct', 'sale',
               NOW() - make_interval(secs => random() * %(days)s * 86400),
               round((5 + random() * 500)::numeric, 2), 0, 1,
               NOW() - make_interval(days => %(written)s),
               NOW() - make_interval(days => %(written)s)
          FROM (SELECT g, %(first)s + floor(power(random(), %(skew)s) * (%(n)s))::int AS p
                  FROM generate_series(1, %(orders)s) g) s
        """,
        {
            "prefix": prefix,
            "company": company_id,
            "first": first_partner,
            "n": last_partner - first_partner + 1,
            "orders": orders,
            "days": days,
            "skew": skew,
            "written": written_days_ago,
        },
    )
