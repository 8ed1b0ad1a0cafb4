"""Customer purchase statistics merged from several order sources.

Each source (sales orders, POS orders, credit notes of sales orders) is
aggregated by the database into one row per customer; this module merges the
rows into the figures shown on the customer profile.

Definitions (documented in readme/USAGE.md):

* lifetime spend: amounts of confirmed sales orders and paid POS orders, minus
  POS refunds and posted credit notes of sales orders, in company currency;
* order count: confirmed sales orders plus paid POS orders that are not
  refunds (a refund nets out the spend but is not a purchase);
* first / last purchase: the earliest / latest date of a counted order;
* average basket: lifetime spend divided by order count.
"""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class SourceRow:
    """One source's aggregate for one customer."""

    partner_id: int
    amount: float = 0.0
    order_count: int = 0
    first_date: datetime | None = None
    last_date: datetime | None = None


@dataclass
class PurchaseStats:
    partner_id: int
    lifetime_spend: float = 0.0
    order_count: int = 0
    first_purchase: datetime | None = None
    last_purchase: datetime | None = None
    sources: set = field(default_factory=set)

    @property
    def average_basket(self):
        if not self.order_count:
            return 0.0
        return self.lifetime_spend / self.order_count


def _min_date(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return min(a, b)


def _max_date(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def merge_sources(sources, rounding=2):
    """Merge per-source aggregates into one PurchaseStats per customer.

    :param sources: mapping ``source name -> iterable of SourceRow``
    :param rounding: decimal places of the company currency
    :return: dict ``partner_id -> PurchaseStats``
    """
    result = {}
    for source_name, rows in sources.items():
        for row in rows:
            stats = result.setdefault(row.partner_id, PurchaseStats(row.partner_id))
            stats.lifetime_spend += row.amount or 0.0
            stats.order_count += row.order_count or 0
            stats.first_purchase = _min_date(stats.first_purchase, row.first_date)
            stats.last_purchase = _max_date(stats.last_purchase, row.last_date)
            stats.sources.add(source_name)
    for stats in result.values():
        stats.lifetime_spend = round(stats.lifetime_spend, rounding)
    return result


def compare(left, operator, right):
    """Evaluate ``left <operator> right`` for a search operator of the ORM."""
    if operator == "=":
        return left == right
    if operator == "!=":
        return left != right
    if operator == "<":
        return left < right
    if operator == "<=":
        return left <= right
    if operator == ">":
        return left > right
    if operator == ">=":
        return left >= right
    raise ValueError(f"unsupported operator {operator!r}")
