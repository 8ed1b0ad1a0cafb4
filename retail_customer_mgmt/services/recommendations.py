"""Product recommendations: own repeat purchases and item-to-item co-purchase.

The nightly refresh runs these rules in SQL, one ``INSERT ... SELECT`` per
company (``retail.recommendation._retail_refresh_sql``). This module states
the same rules in plain Python: it is their specification, unit-tested on
hand-computed cases, and the Odoo tests check that the SQL gives exactly the
same recommendations on real orders.

Rules, per company:

* A customer *bought* a product when a counted purchase (see
  ``retail.purchase._rows_sql``) has a line of it with a positive
  quantity. Refund and credit-note lines count negatively: a customer *holds*
  a product when the net quantity is positive.
* **Own repeat**: a held product bought in at least ``min_repeat_orders``
  orders, last bought before ``exclude_since`` (what was just bought is not
  recommended again), scored by the number of orders.
* **Co-purchase** (item to item): each customer's basket is the
  ``basket_cap`` held products bought most recently. Two products are
  similar by the cosine of their buyers: customers holding both, divided by
  the square root of the product of their numbers of buyers. Each product
  keeps its ``neighbours`` most similar recommendable products. A customer's
  candidates are the neighbours of their basket never bought by them, scored
  by the sum of similarities.
* Only recommendable products are proposed (active, can be sold, of the
  company or shared); only given customers get recommendations.
* **Merge**: the two lists are interleaved, own repeat first (repeat 1,
  co-purchase 1, repeat 2, ...), a list that runs out leaves its places to
  the other, up to ``top_n``. Ties go to the lower product id.
"""

from collections import defaultdict
from dataclasses import dataclass
from math import sqrt

REPEAT = "repeat"
CO_PURCHASE = "co_purchase"
# co-purchase scores are rounded before ranking, in SQL as here
SCORE_DIGITS = 6


@dataclass(frozen=True)
class Params:
    top_n: int = 5
    basket_cap: int = 20
    neighbours: int = 20
    min_repeat_orders: int = 2

    def __post_init__(self):
        for name in ("top_n", "basket_cap", "neighbours", "min_repeat_orders"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")


@dataclass(frozen=True)
class Line:
    """A product line of a counted purchase (negative ``qty`` for a refund)."""

    partner_id: int
    product_id: int
    order: object  # any hashable key of the document, e.g. ("pos", 12)
    date: object  # datetime of the document
    qty: float


@dataclass(frozen=True)
class Recommendation:
    product_id: int
    reason: str
    score: float
    rank: int


@dataclass
class _Held:
    orders: set
    net_qty: float = 0.0
    last: object = None


def customer_products(lines):
    """``{partner: {product: _Held}}`` aggregated from ``lines``."""
    result = defaultdict(dict)
    for line in lines:
        held = result[line.partner_id].setdefault(line.product_id, _Held(set()))
        held.net_qty += line.qty
        if line.qty > 0:
            held.orders.add(line.order)
            if held.last is None or line.date > held.last:
                held.last = line.date
    return result


def baskets(products_by_partner, basket_cap):
    """The ``basket_cap`` held products bought most recently, per customer."""
    result = {}
    for partner, products in products_by_partner.items():
        held = [(product, h.last) for product, h in products.items() if h.net_qty > 0 and h.orders]
        held.sort(key=lambda item: item[0])
        held.sort(key=lambda item: item[1], reverse=True)  # stable: ties by product id
        result[partner] = [product for product, _last in held[:basket_cap]]
    return result


def neighbours(baskets_by_partner, recommendable, limit):
    """``{product: [(similar product, similarity)]}``, most similar first.

    Cosine similarity of buyers; only recommendable products are kept as
    neighbours, at most ``limit`` per product.
    """
    buyers = defaultdict(int)
    together = defaultdict(int)
    for basket in baskets_by_partner.values():
        for product in basket:
            buyers[product] += 1
        for i in basket:
            for j in basket:
                if i != j:
                    together[(i, j)] += 1
    similar = defaultdict(list)
    for (i, j), count in together.items():
        if j in recommendable:
            similar[i].append((j, count / sqrt(buyers[i] * buyers[j])))
    return {
        i: sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:limit]
        for i, pairs in similar.items()
    }


def interleave(repeat, co_purchase, top_n):
    """Merge two ranked lists of ``(product, score)``: repeat 1, co-purchase 1,
    repeat 2, ... up to ``top_n``, as ``Recommendation`` with ranks from 1."""
    keyed = [(pos, 0, product, REPEAT, score) for pos, (product, score) in enumerate(repeat)]
    keyed += [
        (pos, 1, product, CO_PURCHASE, score) for pos, (product, score) in enumerate(co_purchase)
    ]
    keyed.sort(key=lambda item: (item[0], item[1]))
    return [
        Recommendation(product, reason, score, rank)
        for rank, (_pos, _prio, product, reason, score) in enumerate(keyed[:top_n], start=1)
    ]


def recommend(lines, recommendable, exclude_since, params=None, customers=None):
    """Recommendations per customer: ``{partner: [Recommendation]}``.

    :param lines: ``Line`` of the company's counted purchases
    :param recommendable: set of product ids that may be proposed
    :param exclude_since: products last bought at or after this datetime are
        not proposed again
    :param customers: partner ids that get recommendations (None: all buyers)
    """
    params = params or Params()
    products = customer_products(lines)
    basket_of = baskets(products, params.basket_cap)
    similar = neighbours(basket_of, recommendable, params.neighbours)
    result = {}
    for partner, held in products.items():
        if customers is not None and partner not in customers:
            continue
        repeat = sorted(
            (
                (product, float(len(h.orders)))
                for product, h in held.items()
                if product in recommendable
                and h.net_qty > 0
                and len(h.orders) >= params.min_repeat_orders
                and h.last < exclude_since
            ),
            key=lambda item: (-item[1], item[0]),
        )
        scores = defaultdict(float)
        for product in basket_of.get(partner, []):
            for other, similarity in similar.get(product, []):
                if not (other in held and held[other].orders):
                    scores[other] += similarity
        co_purchase = sorted(
            ((product, round(score, SCORE_DIGITS)) for product, score in scores.items()),
            key=lambda item: (-item[1], item[0]),
        )
        ranked = interleave(repeat[: params.top_n], co_purchase[: params.top_n], params.top_n)
        if ranked:
            result[partner] = ranked
    return result


def pos_summary(names, limit=3, separator=", "):
    """Short text of the first ``limit`` product names for the cashier."""
    return separator.join(name for name in names[:limit] if name) or False
