"""RFM scoring, segment matching and churn risk: pure rules.

Scores are 1-5 by quintiles of the company's customers. Cut points are
taken from the sorted values (nearest rank), and a customer's score is 1 +
the number of cut points its value exceeds, so equal values always get
equal scores whatever their order: ties are deterministic. Recency is
reversed: fewer days since the last purchase is better.
"""

from bisect import bisect_left
from dataclasses import dataclass
from itertools import pairwise
from statistics import median


def cut_ranks(n):
    """The 1-based ranks of the four cut points (20/40/60/80 %) among ``n``
    sorted values (nearest rank: the ceiling of n x k / 5)."""
    return [min(n, max(1, -(-n * k // 5))) for k in (1, 2, 3, 4)]


def cut_fractions(n):
    """Fractions whose ``percentile_disc`` in PostgreSQL picks exactly the
    values of :func:`cut_ranks` among ``n`` values: PostgreSQL takes the
    value of rank ceil(fraction x n), and (rank - 0.5) / n x n rounds up to
    the rank whatever the floating-point error."""
    return [(rank - 0.5) / n for rank in cut_ranks(n)]


def quintile_cuts(values):
    """The four cut points (20/40/60/80 %) of ``values`` (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return [0, 0, 0, 0]
    return [ordered[rank - 1] for rank in cut_ranks(len(ordered))]


def score(value, cuts, reverse=False):
    """Score 1-5 of ``value`` against quintile ``cuts``.

    Normal: 1 + number of cuts strictly below ``value`` (higher is better).
    Reverse (recency): 5 - number of cuts strictly below ``value``.
    """
    above = bisect_left(cuts, value)  # cuts are sorted: those strictly below value
    return 5 - above if reverse else 1 + above


@dataclass(frozen=True)
class Metrics:
    partner_id: int
    recency_days: int
    frequency: int
    monetary: float
    order_count: int = 0  # all time, for churn and average basket
    lifetime_spend: float = 0.0
    median_interval: float | None = None
    last_purchase: object = None  # datetime of the last counted order


@dataclass(frozen=True)
class Cuts:
    recency: tuple
    frequency: tuple
    monetary: tuple

    @classmethod
    def from_metrics(cls, metrics):
        metrics = list(metrics)
        return cls(
            tuple(quintile_cuts([m.recency_days for m in metrics])),
            tuple(quintile_cuts([m.frequency for m in metrics])),
            tuple(quintile_cuts([m.monetary for m in metrics])),
        )

    def scores(self, metrics):
        return (
            score(metrics.recency_days, self.recency, reverse=True),
            score(metrics.frequency, self.frequency),
            score(metrics.monetary, self.monetary),
        )


@dataclass(frozen=True)
class SegmentRule:
    segment_id: int
    sequence: int
    r: tuple  # (min, max) inclusive
    f: tuple
    m: tuple
    min_spend: float = 0.0
    max_avg_basket: float = 0.0  # 0 = no condition
    min_avg_basket: float = 0.0

    def matches(self, r, f, m, spend=0.0, avg_basket=0.0):
        if not (
            self.r[0] <= r <= self.r[1]
            and self.f[0] <= f <= self.f[1]
            and self.m[0] <= m <= self.m[1]
        ):
            return False
        if self.min_spend and spend < self.min_spend:
            return False
        if self.min_avg_basket and avg_basket < self.min_avg_basket:
            return False
        return not (self.max_avg_basket and avg_basket > self.max_avg_basket)


def match_segment(rules, r, f, m, spend=0.0, avg_basket=0.0):
    """First rule (by sequence, then id) that matches, or None."""
    return SegmentMatcher(rules).match(r, f, m, spend, avg_basket)


class SegmentMatcher:
    """``match_segment`` for many customers: the rules are sorted once and,
    for each of the 125 score combinations, only the rules whose score ranges
    contain it are tried (then their spend and basket conditions)."""

    def __init__(self, rules):
        self.rules = sorted(rules, key=lambda x: (x.sequence, x.segment_id))
        self._by_scores = {}

    def match(self, r, f, m, spend=0.0, avg_basket=0.0):
        candidates = self._by_scores.get((r, f, m))
        if candidates is None:
            candidates = self._by_scores[(r, f, m)] = [
                rule
                for rule in self.rules
                if rule.r[0] <= r <= rule.r[1]
                and rule.f[0] <= f <= rule.f[1]
                and rule.m[0] <= m <= rule.m[1]
            ]
        for rule in candidates:
            if rule.matches(r, f, m, spend, avg_basket):
                return rule.segment_id
        return None


def coverage(rules):
    """Score combinations no rule covers, and those covered by several.

    Spend and basket conditions are ignored: a combination is "covered" when
    a rule's score ranges contain it.

    :return: (gaps, overlaps) where gaps is a list of (r, f, m) and overlaps a
        dict (r, f, m) -> [segment ids in matching order]
    """
    gaps, overlaps = [], {}
    ordered = sorted(rules, key=lambda x: (x.sequence, x.segment_id))
    for r in range(1, 6):
        for f in range(1, 6):
            for m in range(1, 6):
                hits = [
                    rule.segment_id
                    for rule in ordered
                    if rule.r[0] <= r <= rule.r[1]
                    and rule.f[0] <= f <= rule.f[1]
                    and rule.m[0] <= m <= rule.m[1]
                ]
                if not hits:
                    gaps.append((r, f, m))
                elif len(hits) > 1:
                    overlaps[(r, f, m)] = hits
    return gaps, overlaps


def median_interval(dates):
    """Median number of days between consecutive purchase dates (None below 2)."""
    ordered = sorted(dates)
    gaps = [(b - a).days for a, b in pairwise(ordered)]
    return float(median(gaps)) if gaps else None


def churn_risk(days_since_last, order_count, own_interval, factor, default_interval):
    """A customer is at risk when the time since their last purchase exceeds
    ``factor`` times their usual interval: their own median interval when
    they have 3 orders or more, else the segment's default interval.
    """
    if days_since_last is None or factor <= 0:
        return False
    interval = own_interval if order_count >= 3 and own_interval else default_interval
    if not interval:
        return False
    return days_since_last > factor * interval


def recency_days(now, last_purchase):
    """Whole days from the last purchase to ``now`` (never negative)."""
    return max((now - last_purchase).days, 0)


def needs_full_regrade(previous, window_months, now, full_every_days=7):
    """Whether the nightly regrade must re-read every customer's history.

    The nightly run is incremental: it re-reads only the customers whose
    orders changed or left the analysis window since ``previous`` (a dict
    with ``window_months`` and ``last_full``, or None when the company was
    never graded). A full run is needed the first time, when the window
    length changed, and at least every ``full_every_days`` days, which bounds
    the effect of changes made behind the ORM's back (e.g. a partner merge).
    """
    if not previous or previous.get("last_full") is None:
        return True
    if previous.get("window_months") != window_months:
        return True
    return (now - previous["last_full"]).days >= full_every_days
