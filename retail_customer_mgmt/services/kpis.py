"""Retail KPIs over a period, from counts the database computed set-based.

The database counts (one row for the whole company); this module turns the
counts into the figures of the dashboard. Definitions (readme/USAGE.md):

* buying customers: customers with at least one purchase in the period
  (a purchase is what ``retail.purchase._rows_sql`` counts as an
  order: confirmed sales orders, paid POS orders that are not refunds);
* repeat-purchase rate = customers with 2 or more purchases in the period /
  buying customers;
* average order value (AOV) = net spend of the period (refunds and credit
  notes of the period deducted) / purchases of the period;
* purchase frequency = purchases of the period / buying customers;
* retention = customers who bought in the previous period of the same length
  and again in this one / customers who bought in the previous period;
* historic customer lifetime value = lifetime net spend up to the end of the
  period / customers with at least one purchase up to then;
* predicted customer lifetime value = AOV x purchases per customer per year x
  expected lifespan in years, where the expected lifespan is the period length
  divided by the churn rate (1 - retention), capped at ``MAX_LIFESPAN_YEARS``;
  without buyers in the previous period there is no basis and it is 0.
"""

from dataclasses import dataclass, field
from datetime import date

MAX_LIFESPAN_YEARS = 10.0
DAYS_PER_YEAR = 365.0


def _ratio(numerator, denominator):
    return numerator / denominator if denominator else 0.0


@dataclass
class PurchaseCounts:
    """What the database counted for one company and period."""

    buyers: int = 0  # customers with >= 1 purchase in the period
    repeat_buyers: int = 0  # customers with >= 2 purchases in the period
    new_buyers: int = 0  # buyers whose first purchase ever is in the period
    orders: int = 0  # purchases in the period
    net_spend: float = 0.0  # spend in the period, refunds deducted
    previous_buyers: int = 0  # customers with >= 1 purchase in the previous period
    retained: int = 0  # previous buyers who bought again in the period
    lifetime_customers: int = 0  # customers with >= 1 purchase up to the period end
    lifetime_spend: float = 0.0  # their net spend up to the period end


@dataclass
class PurchaseKpis:
    repeat_rate: float = 0.0
    average_order_value: float = 0.0
    purchase_frequency: float = 0.0
    retention_rate: float = 0.0
    clv_historic: float = 0.0
    orders_per_year: float = 0.0
    expected_lifespan_years: float = 0.0
    clv_predicted: float = 0.0


def purchase_kpis(counts, period_days, max_lifespan_years=MAX_LIFESPAN_YEARS):
    """Rates and lifetime values from ``counts`` over a period of ``period_days``."""
    if period_days <= 0:
        raise ValueError("The period must last at least one day.")
    aov = _ratio(counts.net_spend, counts.orders)
    frequency = _ratio(counts.orders, counts.buyers)
    orders_per_year = frequency * DAYS_PER_YEAR / period_days
    retention = _ratio(counts.retained, counts.previous_buyers)
    lifespan = 0.0
    if counts.previous_buyers:
        churn = 1.0 - retention
        period_years = period_days / DAYS_PER_YEAR
        lifespan = min(period_years / churn, max_lifespan_years) if churn else max_lifespan_years
    return PurchaseKpis(
        repeat_rate=_ratio(counts.repeat_buyers, counts.buyers),
        average_order_value=aov,
        purchase_frequency=frequency,
        retention_rate=retention,
        clv_historic=_ratio(counts.lifetime_spend, counts.lifetime_customers),
        orders_per_year=orders_per_year,
        expected_lifespan_years=lifespan,
        clv_predicted=aov * orders_per_year * lifespan,
    )


# ----------------------------------------------------------------------
# Points
# ----------------------------------------------------------------------
@dataclass
class PointsKpis:
    issued: float = 0.0  # earned, compensation and positive adjustments
    redeemed: float = 0.0  # spent on loyalty rewards
    expired: float = 0.0
    taken_back: float = 0.0  # by refunds and cancellations
    adjusted_out: float = 0.0  # removed by managers' adjustments


def points_kpis(rows):
    """Points movements of the period by kind.

    :param rows: ``(retail_kind or None, sum(issued), sum(used))``; lines
        without a retail kind are Odoo's own loyalty moves: points spent on
        rewards.
    """
    kpis = PointsKpis()
    for kind, issued, used in rows:
        kpis.issued += issued or 0.0
        used = used or 0.0
        if kind == "expire":
            kpis.expired += used
        elif kind in ("refund", "cancel"):
            kpis.taken_back += used
        elif kind == "adjust":
            kpis.adjusted_out += used
        else:
            kpis.redeemed += used
    return kpis


# ----------------------------------------------------------------------
# Cohorts
# ----------------------------------------------------------------------
def add_months(month, count):
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def month_span(first, last):
    """Months from ``first`` to ``last`` included (both first days of a month)."""
    return (last.year - first.year) * 12 + last.month - first.month + 1


@dataclass
class CohortRow:
    month: date
    size: int
    retained: list = field(default_factory=list)  # customers buying in month +k, k >= 1

    def rates(self):
        return [_ratio(count, self.size) for count in self.retained]


# the months a cohort table shows at most (the last ones of a longer period)
COHORT_MONTHS = 24


def cohort_matrix(rows, first_month, last_month, max_months=COHORT_MONTHS):
    """Retention of first-purchase cohorts, month by month.

    :param rows: ``(cohort month, activity month, customers)``: customers whose
        first purchase was in the cohort month and who bought in the activity
        month (both first days of a month)
    :return: one ``CohortRow`` per month from ``first_month`` to
        ``last_month`` (at most the last ``max_months``); ``retained[k - 1]``
        counts the customers of the cohort buying again k months after their
        first month, for the months up to ``last_month``.
    """
    months = month_span(first_month, last_month)
    if months <= 0:
        return []
    if months > max_months:
        first_month = add_months(last_month, 1 - max_months)
        months = max_months
    counts = {(cohort, month): count for cohort, month, count in rows}
    matrix = []
    for index in range(months):
        cohort = add_months(first_month, index)
        offsets = months - index  # month 0 .. the last month of the period
        matrix.append(
            CohortRow(
                month=cohort,
                size=counts.get((cohort, cohort), 0),
                retained=[
                    counts.get((cohort, add_months(cohort, k)), 0) for k in range(1, offsets)
                ],
            )
        )
    return matrix


# ----------------------------------------------------------------------
# Service tickets
# ----------------------------------------------------------------------
def average(total, count):
    return _ratio(total or 0.0, count or 0)
