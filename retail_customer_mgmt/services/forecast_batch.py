"""The forecast of ``services/forecast.py`` for many series at once (NumPy).

The nightly job forecasts every product and warehouse: one Python loop per
series would cost tens of microseconds each (seconds for 100,000 series).
Here the series sharing a history length run the same recursion as arrays,
one step per month, so the cost grows with the months, not the series.
``forecast.forecast`` stays the definition; the tests check both agree on
random series.
"""

import numpy as np

from . import forecast as fc


def history_lengths(matrix):
    """Months since each row's first sale (0 for a row without sale)."""
    nonzero = matrix != 0
    any_sale = nonzero.any(axis=1)
    first = np.where(any_sale, nonzero.argmax(axis=1), matrix.shape[1])
    return matrix.shape[1] - first


def _ses(history, horizon):
    level = history[:, 0].copy()
    for t in range(1, history.shape[1]):
        level = fc.ALPHA * history[:, t] + (1 - fc.ALPHA) * level
    return np.repeat(level[:, None], horizon, axis=1)


def _seasonal_naive(history, horizon, season):
    last = history[:, -season:]
    return last[:, [h % season for h in range(horizon)]]


def _holt_winters(history, horizon, season):
    """Additive Holt-Winters, initialised as ``forecast.holt_winters``."""
    first = history[:, :season]
    second = history[:, season : 2 * season]
    trend = (second.sum(axis=1) - first.sum(axis=1)) / season / season
    start = first.mean(axis=1) - trend * (season - 1) / 2
    line = start[:, None] + trend[:, None] * np.arange(season)[None, :]
    seasonal = first - line
    level = start - trend
    alpha, beta, gamma = fc.ALPHA, fc.BETA, fc.GAMMA
    for t in range(history.shape[1]):
        value = history[:, t]
        s = seasonal[:, t % season]
        previous = level
        level = alpha * (value - s) + (1 - alpha) * (level + trend)
        trend = beta * (level - previous) + (1 - beta) * trend
        seasonal[:, t % season] = gamma * (value - level) + (1 - gamma) * s
    n = history.shape[1]
    steps = np.arange(1, horizon + 1)
    season_index = [(n + h - 1) % season for h in steps]
    return level[:, None] + steps[None, :] * trend[:, None] + seasonal[:, season_index]


def forecast_batch(matrix, horizon, season=fc.SEASON):
    """``(methods, values)`` for each row of ``matrix`` (series of equal
    length, oldest month first): the method names (list) and a (rows,
    horizon) array, as ``forecast.forecast`` (additive) gives them."""
    matrix = np.asarray(matrix, dtype=float)
    rows = matrix.shape[0]
    values = np.zeros((rows, horizon))
    methods = np.full(rows, fc.NONE, dtype=object)
    lengths = history_lengths(matrix)
    nonzero_months = (matrix != 0).sum(axis=1)
    for length in np.unique(lengths):
        if length == 0:
            continue
        group = lengths == length
        history = matrix[group, matrix.shape[1] - length :]
        dense = nonzero_months[group] >= fc.DENSE_SHARE * length
        if length < season:
            kinds = [(np.ones(len(history), dtype=bool), fc.SES)]
        elif length < 2 * season:
            kinds = [(~dense, fc.SES), (dense, fc.SEASONAL_NAIVE)]
        else:
            kinds = [(~dense, fc.SES), (dense, fc.HOLT_WINTERS)]
        indices = np.flatnonzero(group)
        for mask, method in kinds:
            if not mask.any():
                continue
            part = history[mask]
            if method == fc.SES:
                result = _ses(part, horizon)
            elif method == fc.SEASONAL_NAIVE:
                result = _seasonal_naive(part, horizon, season)
            else:
                result = _holt_winters(part, horizon, season)
            values[indices[mask]] = result
            methods[indices[mask]] = method
    return methods.tolist(), np.maximum(values, 0.0)


def reorder_proposals(monthly_forecast, lead_days, review_days, safety_days=0.0):
    """``forecast.reorder_proposal`` for an array of next-month forecasts:
    (minimum array, maximum array)."""
    if lead_days < 0 or review_days < 0 or safety_days < 0:
        raise ValueError("lead time, review period and safety days cannot be negative")
    daily = np.maximum(np.asarray(monthly_forecast, dtype=float), 0.0) / 30.0
    minimum = daily * (lead_days + safety_days)
    return minimum, minimum + daily * review_days
