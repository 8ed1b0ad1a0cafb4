"""Monthly demand forecast, seasonal index and reordering proposals.

A series is a list of monthly quantities, oldest first, ending with the last
complete month. Methods (Hyndman & Athanasopoulos, *Forecasting: Principles
and Practice*, chapters 5 and 8):

- Holt-Winters (additive, or multiplicative when asked and every month sold)
  with at least two full seasons of history and demand in most months;
- seasonal naive (the same month a year earlier) with one full season;
- simple exponential smoothing with less history, or for intermittent
  demand (most months without a sale), where a seasonal model would only
  fit noise.

Smoothing constants are fixed (not fitted), so that a forecast can be
computed by hand and the nightly job stays linear in the number of series.
"""

from collections import defaultdict

SEASON = 12
ALPHA = 0.3  # level
BETA = 0.1  # trend
GAMMA = 0.2  # season
# Holt-Winters only when at least this share of the history's months sold
DENSE_SHARE = 0.5

SEASONAL_NAIVE = "seasonal_naive"
HOLT_WINTERS = "holt_winters"
SES = "ses"
NONE = "none"


def trim_leading_zeros(series):
    """The series from its first sale on (the product's history)."""
    for index, value in enumerate(series):
        if value:
            return list(series[index:])
    return []


def ses(series, horizon, alpha=ALPHA):
    """Simple exponential smoothing: a flat forecast at the last level,
    the level starting at the first value."""
    if not series:
        return [0.0] * horizon
    level = float(series[0])
    for value in series[1:]:
        level = alpha * value + (1 - alpha) * level
    return [level] * horizon


def seasonal_naive(series, horizon, season=SEASON):
    """Each month as the same month of the last season."""
    if len(series) < season:
        raise ValueError("seasonal naive needs a full season of history")
    last = series[-season:]
    return [float(last[h % season]) for h in range(horizon)]


def holt_winters(
    series,
    horizon,
    season=SEASON,
    multiplicative=False,
    alpha=ALPHA,
    beta=BETA,
    gamma=GAMMA,
):
    """Holt-Winters with a trend and a seasonal component.

    Initialisation from the first two seasons: the trend is the change of
    the seasons' means per month; the first season's mean is the level at
    its middle month, so the level at month 0 is that mean less the trend
    of half a season, and the state before month 0 one trend lower; the
    seasonal components are the first season's deviations from (ratios to)
    that line. A series that is exactly a line plus (times) a season is
    then forecast exactly. The recursion runs over the whole series.
    """
    if len(series) < 2 * season:
        raise ValueError("Holt-Winters needs two full seasons of history")
    first = series[:season]
    second = series[season : 2 * season]
    trend = (sum(second) - sum(first)) / season / season
    start = sum(first) / season - trend * (season - 1) / 2
    line = [start + trend * t for t in range(season)]
    level = start - trend
    if multiplicative:
        if min(line) <= 0 or min(series) <= 0:
            raise ValueError("multiplicative Holt-Winters needs sales in every month")
        seasonal = [value / base for value, base in zip(first, line, strict=True)]
    else:
        seasonal = [value - base for value, base in zip(first, line, strict=True)]
    for t, value in enumerate(series):
        s = seasonal[t % season]
        previous_level = level
        if multiplicative:
            level = alpha * value / s + (1 - alpha) * (level + trend)
            trend = beta * (level - previous_level) + (1 - beta) * trend
            seasonal[t % season] = gamma * value / level + (1 - gamma) * s
        else:
            level = alpha * (value - s) + (1 - alpha) * (level + trend)
            trend = beta * (level - previous_level) + (1 - beta) * trend
            seasonal[t % season] = gamma * (value - level) + (1 - gamma) * s
    n = len(series)
    out = []
    for h in range(1, horizon + 1):
        s = seasonal[(n + h - 1) % season]
        out.append((level + h * trend) * s if multiplicative else level + h * trend + s)
    return out


def choose_method(history, season=SEASON):
    """The method a history (trimmed of its leading zeros) supports."""
    if not history:
        return NONE
    if len(history) < season:
        return SES
    if sum(1 for value in history if value) < DENSE_SHARE * len(history):
        return SES
    if len(history) >= 2 * season:
        return HOLT_WINTERS
    return SEASONAL_NAIVE


def forecast(series, horizon, season=SEASON, multiplicative=False):
    """``(method, [quantity per month ahead])``, never negative."""
    history = trim_leading_zeros(series)
    method = choose_method(history, season)
    if method == NONE:
        values = [0.0] * horizon
    elif method == SES:
        values = ses(history, horizon)
    elif method == SEASONAL_NAIVE:
        values = seasonal_naive(history, horizon, season)
    else:
        use_multiplicative = multiplicative and min(history) > 0
        values = holt_winters(history, horizon, season, multiplicative=use_multiplicative)
    return method, [max(value, 0.0) for value in values]


def seasonal_index(monthly):
    """``{month (1-12): index}`` from ``{(year, month): quantity}``: the mean of
    each calendar month over the mean of all the months given (1 = an
    average month, 1.5 = half again as much). Empty without sales."""
    if not monthly:
        return {}
    overall = sum(monthly.values()) / len(monthly)
    if overall <= 0:
        return {}
    by_month = defaultdict(list)
    for (_year, month), quantity in monthly.items():
        by_month[month].append(quantity)
    return {month: sum(values) / len(values) / overall for month, values in by_month.items()}


def reorder_proposal(monthly_forecast, lead_days, review_days, safety_days=0.0):
    """Proposed (minimum, maximum) of a reordering rule from the next month's
    forecast: the minimum covers the lead time and the safety days at the
    forecast daily pace, the maximum adds one review period."""
    if lead_days < 0 or review_days < 0 or safety_days < 0:
        raise ValueError("lead time, review period and safety days cannot be negative")
    daily = max(monthly_forecast, 0.0) / 30.0
    minimum = daily * (lead_days + safety_days)
    return minimum, minimum + daily * review_days


def daily_pace(monthly_forecast):
    """Forecast units per day of a month (30 days)."""
    return max(monthly_forecast, 0.0) / 30.0
