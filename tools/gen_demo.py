"""Generate the demo customers and their 18 months of sales and POS orders.

Usage: python tools/gen_demo.py  (rewrites retail_customer_mgmt/demo/*.xml)
"""

import random
from xml.sax.saxutils import escape

random.seed(42)
customers = [
    # xmlid, name, email, city, country, birthday, channel, consents, story
    (
        "wang_fang",
        "王芳",
        "wang.fang@example.cn",
        "上海",
        "base.cn",
        "1988-03-14",
        "wechat",
        ["wechat", "sms"],
        "frequent_small",
    ),
    (
        "li_na",
        "李娜",
        "li.na@example.cn",
        "北京",
        "base.cn",
        "1979-11-02",
        "phone",
        ["phone", "email"],
        "occasional_big",
    ),
    (
        "zhang_wei",
        "张伟",
        "zhang.wei@example.cn",
        "广州",
        "base.cn",
        "1991-07-21",
        "sms",
        ["sms"],
        "lapsed",
    ),
    (
        "liu_yang",
        "刘洋",
        "liu.yang@example.cn",
        "深圳",
        "base.cn",
        "2000-01-30",
        "wechat",
        ["wechat"],
        "new",
    ),
    (
        "chen_jing",
        "陈静",
        "chen.jing@example.cn",
        "杭州",
        "base.cn",
        "1985-05-09",
        "email",
        ["email", "wechat"],
        "regular_refund",
    ),
    (
        "yang_lei",
        "杨磊",
        "yang.lei@example.cn",
        "成都",
        "base.cn",
        "1993-09-17",
        "phone",
        [],
        "cancelled",
    ),
    (
        "zhao_min",
        "赵敏",
        "zhao.min@example.cn",
        "南京",
        "base.cn",
        "1996-12-25",
        "wechat",
        ["wechat"],
        "prospect",
    ),
    (
        "emma_johnson",
        "Emma Johnson",
        "emma.johnson@example.com",
        "London",
        "base.uk",
        "1992-02-29",
        "email",
        ["email"],
        "frequent_small",
    ),
    (
        "liam_smith",
        "Liam Smith",
        "liam.smith@example.com",
        "Manchester",
        "base.uk",
        "1975-06-11",
        "phone",
        ["phone"],
        "occasional_big",
    ),
    (
        "olivia_brown",
        "Olivia Brown",
        "olivia.brown@example.com",
        "Paris",
        "base.fr",
        "1982-08-03",
        "email",
        ["email", "sms"],
        "lapsed_8m",
    ),
    (
        "noah_williams",
        "Noah Williams",
        "noah.williams@example.com",
        "Berlin",
        "base.de",
        "1998-04-19",
        "sms",
        [],
        "one_off",
    ),
    (
        "sophie_martin",
        "Sophie Martin",
        "sophie.martin@example.com",
        "Lyon",
        "base.fr",
        "1987-10-07",
        "email",
        ["email"],
        "recent_regular",
    ),
]
pos_products = [
    ("product.product_product_7", 15.80),
    ("product.product_product_9", 47.00),
    ("product.product_product_16", 25.00),
    ("product.product_delivery_02", 40.00),
    ("product.product_product_11", 33.00),
]
sale_products = [
    "product.product_product_8",
    "product.product_product_6",
    "product.product_product_10",
    "product.product_product_12",
    "product.product_product_3",
    "product.product_product_5",
    "product.consu_delivery_01",
    "product.product_product_27",
]


def plan(story):
    """(kind, days_ago, extra) events for a customer story."""
    ev = []
    if story == "frequent_small":
        d = 540
        while d > 5:
            ev.append(("pos", d))
            d -= random.randint(14, 30)
    elif story == "occasional_big":
        for d in (500, 330, 150, 40):
            ev.append(("sale_big", d))
    elif story == "lapsed":
        for d in (530, 470, 420, 380):
            ev.append((random.choice(["pos", "sale"]), d))
    elif story == "new":
        ev.append(("pos", 12))
    elif story == "regular_refund":
        d = 520
        while d > 10:
            ev.append((random.choice(["pos", "sale"]), d))
            d -= random.randint(25, 40)
        ev.append(("pos_refund", 20))
    elif story == "cancelled":
        ev += [("sale", 200), ("sale_cancel", 90), ("pos", 60)]
    elif story == "lapsed_8m":
        for d in (520, 400, 300, 245):
            ev.append(("pos", d))
    elif story == "one_off":
        ev.append(("sale", 510))
    elif story == "recent_regular":
        for d in (170, 130, 95, 61, 33, 8):
            ev.append((random.choice(["pos", "sale"]), d))
    return ev


def date_eval(days):
    return f"(DateTime.today() - relativedelta(days={days}, hours=2)).strftime('%Y-%m-%d %H:%M:%S')"


partners, sales, poss = [], [], []
partners.append('<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n    <data noupdate="1">')
for xid, name, email, city, country, bday, channel, consents, story in customers:
    rec = [
        f'        <record id="res_partner_{xid}_demo" model="res.partner">',
        f'            <field name="name">{escape(name)}</field>',
        f'            <field name="email">{email}</field>',
        f'            <field name="city">{escape(city)}</field>',
        f'            <field name="country_id" ref="{country}"/>',
        f'            <field name="lang">{"zh_CN" if country == "base.cn" else "en_US"}</field>'
        if False
        else None,
        '            <field name="customer_rank">1</field>',
        f'            <field name="retail_birthday">{bday}</field>',
        f'            <field name="retail_preferred_channel">{channel}</field>',
    ]
    if channel == "wechat":
        rec.append(f'            <field name="retail_wechat_id">wx_{xid}</field>')
    for c in consents:
        rec.append(f'            <field name="retail_consent_{c}" eval="True"/>')
    rec.append("        </record>")
    partners.append("\n".join(r for r in rec if r))
partners.append("    </data>\n</odoo>\n")

sales.append('<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n    <data noupdate="1">')
poss.append('<?xml version="1.0" encoding="utf-8"?>\n<odoo>\n    <data noupdate="1">')
poss.append("""        <!-- A closed register session that holds the customers' past shop purchases. -->
        <record id="pos_session_retail_demo" model="pos.session" context="{'onboarding_creation': True}">
            <field name="config_id" ref="point_of_sale.pos_config_main"/>
            <field name="user_id" ref="base.user_admin"/>
            <field name="start_at" eval="(DateTime.today() - relativedelta(days=545)).strftime('%Y-%m-%d %H:%M:%S')"/>
        </record>""")
confirm, cancel, dates, pos_ids = [], [], [], []
n_so = n_pos = 0
last_pos_line = {}
for xid, name, email, city, country, bday, channel, consents, story in customers:
    for kind, days in plan(story):
        if kind.startswith("sale"):
            n_so += 1
            sid = f"sale_order_{xid}_{n_so}_demo"
            if kind == "sale_big":
                lines = [
                    (
                        random.choice(sale_products[:3] + ["product.consu_delivery_01"]),
                        random.randint(1, 3),
                    ),
                    (random.choice(sale_products), random.randint(1, 4)),
                ]
            else:
                lines = [(random.choice(sale_products[3:]), random.randint(1, 2))]
            ol = ", ".join(
                f"(0, 0, {{'product_id': ref('{p}'), 'product_uom_qty': {q}}})" for p, q in lines
            )
            sales.append(f'''        <record id="{sid}" model="sale.order">
            <field name="partner_id" ref="res_partner_{xid}_demo"/>
            <field name="user_id" ref="base.user_admin"/>
            <field name="order_line" eval="[{ol}]"/>
        </record>''')
            (cancel if kind == "sale_cancel" else confirm).append(sid)
            dates.append((sid, days))
        else:
            n_pos += 1
            oid = f"pos_order_{xid}_{n_pos}_demo"
            pos_ids.append(oid)
            if kind == "pos_refund":
                src_line, prod, price = last_pos_line[xid]
                lines = [(prod, -1, price, src_line)]
            else:
                lines = [
                    (p, random.randint(1, 3), price, None)
                    for p, price in random.sample(pos_products, random.randint(1, 2))
                ]
            total = round(sum(q * p for _, q, p, _ in lines), 2)
            poss.append(f'''        <record id="{oid}" model="pos.order">
            <field name="session_id" ref="pos_session_retail_demo"/>
            <field name="company_id" ref="base.main_company"/>
            <field name="partner_id" ref="res_partner_{xid}_demo"/>
            <field name="date_order" eval="{date_eval(days)}"/>
            <field name="state">paid</field>
            <field name="amount_total">{total}</field>
            <field name="amount_tax">0.0</field>
            <field name="amount_paid">{total}</field>
            <field name="amount_return">0.0</field>
        </record>''')
            for i, (p, q, price, src) in enumerate(lines, 1):
                lid = f"{oid}_line_{i}"
                sub = round(q * price, 2)
                extra = (
                    f'\n            <field name="refunded_orderline_id" ref="{src}"/>'
                    if src
                    else ""
                )
                poss.append(f'''        <record id="{lid}" model="pos.order.line">
            <field name="order_id" ref="{oid}"/>
            <field name="product_id" ref="{p}"/>
            <field name="qty">{q}</field>
            <field name="price_unit">{price}</field>
            <field name="price_subtotal">{sub}</field>
            <field name="price_subtotal_incl">{sub}</field>{extra}
        </record>''')
                if q > 0:
                    last_pos_line[xid] = (lid, p, price)
            poss.append(f'''        <record id="{oid}_payment" model="pos.payment">
            <field name="pos_order_id" ref="{oid}"/>
            <field name="payment_method_id" ref="point_of_sale.cash_payment_method_furniture"/>
            <field name="amount">{total}</field>
            <field name="payment_date" eval="{date_eval(days)}"/>
        </record>''')
sales.append(f"""        <function model="sale.order" name="action_confirm"
                  eval="[[{", ".join(f"ref('{s}')" for s in confirm + cancel)}]]"/>
        <function model="sale.order" name="action_cancel" context="{{'disable_cancel_warning': True}}"
                  eval="[[{", ".join(f"ref('{s}')" for s in cancel)}]]"/>""")
sales.append(
    "        <!-- Confirmation dates the orders today: put them back in the customers' history. -->"
)
for sid, days in dates:
    sales.append(f"""        <function model="sale.order" name="write"
                  eval="[[ref('{sid}')], {{'date_order': {date_eval(days)}}}]"/>""")
sales.append("    </data>\n</odoo>\n")
poss.append("""        <function model="pos.session" name="write"
                  eval="[[ref('pos_session_retail_demo')], {'state': 'closed', 'stop_at': (DateTime.today() - relativedelta(days=1)).strftime('%Y-%m-%d %H:%M:%S')}]"/>""")
poss.append(
    "        <!-- Demo orders are written paid directly: credit their points as a real payment does. -->"
)
poss.append(f"""        <function model="pos.order" name="_retail_points_on_paid"
                  eval="[[{", ".join(f"ref('{o}')" for o in pos_ids)}]]"/>
        <function model="res.partner" name="_cron_retail_review_tiers"/>
        <function model="res.partner" name="action_retail_regrade_now"/>""")
poss.append("    </data>\n</odoo>\n")
d = (
    str(
        __import__("pathlib").Path(__file__).resolve().parent.parent
        / "retail_customer_mgmt"
        / "demo"
    )
    + "/"
)
open(d + "res_partner_demo.xml", "w").write("\n\n".join(partners))
open(d + "sale_order_demo.xml", "w").write("\n\n".join(sales))
open(d + "pos_order_demo.xml", "w").write("\n\n".join(poss))
print(n_so, n_pos)
