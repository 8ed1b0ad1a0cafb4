"""Population of the scale benchmark (``bench_scale.py``), set-based in PostgreSQL.

One company per size ("Scale Bench 100k", "Scale Bench 1M"), populated once
and committed step by step (each step is skipped when its rows are there, so
an interrupted population resumes): customers, products, confirmed sales
orders and paid POS orders (70 % / 30 %) spread over three years with one
product line each (a customer buys mostly around its own favourite
products, so that co-purchases mean something), and a retail card with
points for every customer. Nothing goes through the ORM but the company,
the products and one POS shop and session.
"""

import time

from common import insert_sale_orders

from odoo.tools import SQL

PRODUCTS = 200
SALE_SHARE = 0.7


def _log(message, start):
    print(f"[populate {time.perf_counter() - start:7.1f}s] {message}", flush=True)


def _count(cr, query, *args):
    cr.execute(query, args)
    return cr.fetchone()[0]


def company_name(label):
    return f"Scale Bench {label}"


def customer_tag(label):
    return f"Scale {label} customer "


def customer_range(env, label):
    env.cr.execute(
        "SELECT min(id), max(id) FROM res_partner WHERE name LIKE %s", [customer_tag(label) + "%"]
    )
    return env.cr.fetchone()


def _company(env, label):
    name = company_name(label)
    company = env["res.company"].search([("name", "=", name)], limit=1)
    if not company:
        company = env["res.company"].create({"name": name})
        env.ref("base.user_admin").write({"company_ids": [(4, company.id)]})
        company._retail_get_program()
    return company


def _customers(env, label, customers):
    cr, tag = env.cr, customer_tag(label)
    if _count(cr, "SELECT count(*) FROM res_partner WHERE name LIKE %s", tag + "%"):
        return False
    cr.execute(
        """
        INSERT INTO res_partner (name, complete_name, email, phone, city, active,
                                 autopost_bills, type, is_company, retail_preferred_channel,
                                 retail_consent_email, create_date, write_date)
        SELECT %(tag)s || g, %(tag)s || g, 'c' || g || '@scale.example', '+86 21 ' || g,
               'Shanghai', TRUE, 'ask', 'contact', FALSE,
               (ARRAY['email', 'sms', 'phone', 'wechat'])[1 + g %% 4], g %% 3 = 0,
               NOW() - interval '30 days', NOW() - interval '30 days'
          FROM generate_series(1, %(n)s) g
        """,
        {"tag": tag, "n": customers},
    )
    cr.execute(
        "UPDATE res_partner SET commercial_partner_id = id "
        "WHERE name LIKE %s AND commercial_partner_id IS NULL",
        [tag + "%"],
    )
    return True


def products(env):
    """The benchmark's products (shared by every company), created once."""
    Product = env["product.product"]
    found = Product.search([("default_code", "=like", "SCALE-%")], order="id")
    if len(found) >= PRODUCTS:
        return found
    return found | Product.create(
        [
            {
                "name": f"Scale product {n}",
                "default_code": f"SCALE-{n}",
                "list_price": 5 + n,
                "sale_ok": True,
                "available_in_pos": True,
            }
            for n in range(len(found), PRODUCTS)
        ]
    )


def _sales(env, company, label, orders):
    cr = env.cr
    if _count(cr, "SELECT count(*) FROM sale_order WHERE company_id = %s", company.id):
        return False
    first, last = customer_range(env, label)
    insert_sale_orders(
        cr,
        company.id,
        first,
        last,
        int(orders * SALE_SHARE),
        f"SCALE{label}",
        written_days_ago=30,
    )
    return True


def _pos_session(env, company):
    cr = env.cr
    cr.execute(
        # the company's own delivery type when it has a warehouse (any otherwise:
        # the benchmark's POS orders are read in SQL, never picked)
        "SELECT id FROM stock_picking_type WHERE code = 'outgoing' "
        "ORDER BY company_id = %s DESC, id LIMIT 1",
        [company.id],
    )
    picking_type = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO pos_config (name, company_id, picking_type_id, iface_tax_included,
                                picking_policy, active, create_date, write_date)
        VALUES (%s, %s, %s, 'total', 'direct', TRUE, NOW(), NOW()) RETURNING id
        """,
        [f"{company.name} shop", company.id, picking_type],
    )
    config = cr.fetchone()[0]
    cr.execute(
        """
        INSERT INTO pos_session (name, config_id, user_id, state, create_date, write_date)
        VALUES (%s, %s, %s, 'closed', NOW(), NOW()) RETURNING id
        """,
        [f"{company.name}/SESSION", config, env.uid],
    )
    return config, cr.fetchone()[0]


def _pos(env, company, label, orders):
    cr = env.cr
    if _count(cr, "SELECT count(*) FROM pos_order WHERE company_id = %s", company.id):
        return False
    first, last = customer_range(env, label)
    config, session = _pos_session(env, company)
    cr.execute(
        """
        INSERT INTO pos_order (name, company_id, session_id, config_id, partner_id, state,
                               date_order, amount_total, amount_tax, amount_paid,
                               amount_return, currency_rate, create_date, write_date)
        SELECT %(prefix)s || g, %(company)s, %(session)s, %(config)s, p, 'done', d, amount, 0,
               amount, 0, 1, NOW() - interval '30 days', NOW() - interval '30 days'
          FROM (SELECT g, %(first)s + floor(power(random(), 1.6) * %(n)s)::int AS p,
                       NOW() - make_interval(secs => random() * 1095 * 86400) AS d,
                       round((5 + random() * 300)::numeric, 2) AS amount
                  FROM generate_series(1, %(orders)s) g) s
        """,
        {
            "prefix": f"SCALE{label}/POS/",
            "company": company.id,
            "session": session,
            "config": config,
            "first": first,
            "n": last - first + 1,
            "orders": orders - int(orders * SALE_SHARE),
        },
    )
    return True


def _lines(env, company, product_ids):
    """One product line per order: mostly one of the customer's 20 favourites."""
    cr, done = env.cr, False
    pick = SQL(
        "(%s::int[])[1 + mod(mod(o.partner_id * 37, %s)"
        " + floor(power(random(), 2) * 20)::int, %s)]",
        product_ids,
        len(product_ids),
        len(product_ids),
    )
    if not _count(cr, "SELECT count(*) FROM sale_order_line WHERE company_id = %s", company.id):
        cr.execute(
            SQL(
                """
                INSERT INTO sale_order_line (order_id, company_id, order_partner_id, name,
                                             product_id, product_uom_qty, price_unit,
                                             price_subtotal, price_total, customer_lead,
                                             state, create_date, write_date)
                SELECT o.id, o.company_id, o.partner_id, 'Scale line', %s, 1, o.amount_total,
                       o.amount_total, o.amount_total, 0, 'sale', o.create_date, o.write_date
                  FROM sale_order o WHERE o.company_id = %s
                """,
                pick,
                company.id,
            )
        )
        done = True
    if not _count(
        cr,
        "SELECT count(*) FROM pos_order_line l JOIN pos_order o ON o.id = l.order_id "
        "WHERE o.company_id = %s",
        company.id,
    ):
        cr.execute(
            SQL(
                """
                INSERT INTO pos_order_line (order_id, company_id, name, full_product_name,
                                            product_id, qty, price_unit, price_subtotal,
                                            price_subtotal_incl, create_date, write_date)
                SELECT o.id, o.company_id, 'Scale line', 'Scale line', %s, 1, o.amount_total,
                       o.amount_total, o.amount_total, o.create_date, o.write_date
                  FROM pos_order o WHERE o.company_id = %s
                """,
                pick,
                company.id,
            )
        )
        done = True
    return done


def _cards(env, company, label):
    cr = env.cr
    if _count(cr, "SELECT count(*) FROM loyalty_card WHERE company_id = %s", company.id):
        return False
    program = company._retail_get_program()
    first, last = customer_range(env, label)
    cr.execute(
        """
        INSERT INTO loyalty_card (program_id, partner_id, retail_card_key, code, company_id,
                                  points, active, create_date, write_date)
        SELECT %(program)s, id, %(program)s || ':' || id, 'SCALE-' || id, %(company)s,
               floor(random() * 5000), TRUE, NOW(), NOW()
          FROM res_partner WHERE id BETWEEN %(first)s AND %(last)s
        """,
        {"program": program.id, "company": company.id, "first": first, "last": last},
    )
    return True


def populate(env, label, customers, orders, vacuum):
    """The company of ``label``, populated (committed) when it is not yet;
    ``vacuum(tables)`` runs VACUUM ANALYZE outside the transaction."""
    start = time.perf_counter()
    company = _company(env, label)
    product_ids = products(env).ids
    env.cr.commit()  # pylint: disable=invalid-commit
    steps = [
        ("customers", lambda: _customers(env, label, customers), ["res_partner"]),
        ("sales orders", lambda: _sales(env, company, label, orders), ["sale_order"]),
        ("POS orders", lambda: _pos(env, company, label, orders), ["pos_order"]),
        ("order lines", lambda: _lines(env, company, product_ids), ["sale_order_line"]),
        ("loyalty cards", lambda: _cards(env, company, label), ["loyalty_card"]),
    ]
    created = False
    for name, step, tables in steps:
        wrote = step()
        env.cr.commit()  # pylint: disable=invalid-commit
        if wrote:
            created = True
            vacuum(tables + (["pos_order_line"] if name == "order lines" else []))
            _log(f"{name} of {company.name}", start)
    env.invalidate_all()
    return company, created
