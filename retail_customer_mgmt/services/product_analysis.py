"""Buyer's figures of a product: classification, stock turnover, days of
inventory, sell-through, repeat share and growth.

The SQL view ``retail.product.analysis`` computes the same figures set-based;
these functions are the definitions it is tested against.
"""

HOT = "hot"
NORMAL = "normal"
SLOW = "slow"


def share(part, whole):
    """``part / whole``, 0 when there is no whole."""
    return part / whole if whole else 0.0


def repeat_share(buyers, repeat_buyers):
    """Share of a product's buyers who bought it again (two orders or more)."""
    return share(repeat_buyers, buyers)


def growth(current, last_year):
    """Growth over the same period last year (0.25 = +25 %); None without a
    last year to compare with."""
    if not last_year:
        return None
    return (current - last_year) / last_year


def average_stock_value(opening_value, closing_value):
    """The average stock value of a period, from its two ends."""
    return (max(opening_value, 0.0) + max(closing_value, 0.0)) / 2.0


def turnover(cogs, opening_value, closing_value):
    """Stock turnover: cost of goods sold over the average stock value
    (None when there was no stock to turn)."""
    average = average_stock_value(opening_value, closing_value)
    if average <= 0:
        return None
    return cogs / average


def days_of_inventory(cogs, opening_value, closing_value, period_days):
    """Days the average stock lasts at the period's cost of goods sold:
    ``period_days / turnover`` (None when nothing sold or nothing stocked)."""
    rate = turnover(cogs, opening_value, closing_value)
    if not rate:
        return None
    return period_days / rate


def sell_through(units_sold, units_on_hand):
    """Units sold over the units that were available (sold + left on hand)."""
    available = max(units_sold, 0.0) + max(units_on_hand, 0.0)
    return share(max(units_sold, 0.0), available)


def rank_by_revenue(revenues):
    """``{key: rank}``, 1 for the highest revenue; ties share a rank (SQL's
    RANK()). Keys without revenue are not ranked."""
    ordered = sorted((value for value in revenues.values() if value > 0), reverse=True)
    first = {}
    for position, value in enumerate(ordered, start=1):
        first.setdefault(value, position)
    return {key: first[value] for key, value in revenues.items() if value > 0}


def hot_keys(revenues, hot_percent):
    """Keys of the best sellers that together make the first ``hot_percent``
    % of revenue: a product is hot when the revenue of the products ranked
    above it is below that share (so the product crossing it is hot too).
    Products with the same revenue are classed alike."""
    total = sum(value for value in revenues.values() if value > 0)
    if total <= 0 or hot_percent <= 0:
        return set()
    limit = total * hot_percent / 100.0
    above = {}
    running = 0.0
    for value in sorted((v for v in revenues.values() if v > 0), reverse=True):
        above.setdefault(value, running)
        running += value
    return {key for key, value in revenues.items() if value > 0 and above[value] < limit}


def classify(revenue, is_hot, days_since_sale, on_hand, slow_days):
    """``hot``, ``slow`` or ``normal``: hot when among the best sellers,
    slow when in stock and unsold for ``slow_days`` days (or never sold)."""
    if is_hot and revenue > 0:
        return HOT
    if on_hand > 0 and (days_since_sale is None or days_since_sale >= slow_days):
        return SLOW
    return NORMAL
