"""Demand spikes: a product or category selling much faster than usual.

The usual pace is the units sold per day over the ``baseline_days`` before
the recent window; the recent pace is the units sold per day over the last
``recent_days``. A spike is a recent pace at least ``factor`` times the usual
pace, on at least ``min_qty`` units sold in the recent window (so that 3
units instead of 1 is not a spike). Something that did not sell in the
baseline window has no usual pace: it is new, not spiking.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class SpikeRule:
    recent_days: int = 7
    baseline_days: int = 90
    factor: float = 3.0
    min_qty: float = 10.0


@dataclass(frozen=True)
class SpikeDecision:
    spike: bool
    recent_pace: float  # units per day over the recent window
    usual_pace: float  # units per day over the baseline window
    ratio: float | None  # recent / usual pace; None without a usual pace


def pace(units, days):
    """Units per day (0 for an empty window)."""
    return units / days if days > 0 else 0.0


def decide(recent_qty, baseline_qty, rule):
    """Whether ``recent_qty`` units in the recent window, after
    ``baseline_qty`` units in the baseline window, is a spike under ``rule``."""
    recent = pace(max(recent_qty, 0.0), rule.recent_days)
    usual = pace(max(baseline_qty, 0.0), rule.baseline_days)
    ratio = recent / usual if usual > 0 else None
    spike = ratio is not None and recent_qty >= rule.min_qty and ratio >= rule.factor
    return SpikeDecision(spike, recent, usual, ratio)


def days_of_cover(stock, recent_pace):
    """Days the stock lasts at the recent pace (None when nothing sells)."""
    if recent_pace <= 0:
        return None
    return max(stock, 0.0) / recent_pace


def sum_by(rows, key):
    """Sum the numeric tuples of ``rows`` {item: (a, b, ...)} per ``key(item)``
    (e.g. products into their category); items whose key is None are left out."""
    totals = {}
    for item, values in rows.items():
        group = key(item)
        if group is None:
            continue
        previous = totals.get(group)
        totals[group] = (
            tuple(values)
            if previous is None
            else tuple(map(sum, zip(previous, values, strict=True)))
        )
    return totals
