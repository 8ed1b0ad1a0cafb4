"""Satisfaction survey rules: the Net Promoter Score, scores as percentages,
the monthly trend, and when a customer may be asked again.

"How likely are you to recommend us?" is answered from 0 to 10: 9 and 10
are promoters, 0 to 6 detractors, 7 and 8 passives. The NPS is the share of
promoters minus the share of detractors, in points from -100 to 100.
"""

from datetime import timedelta

PROMOTER_MIN = 9
DETRACTOR_MAX = 6
MEASURES = ("overall", "service", "product", "recommend")


def nps_category(score):
    """'promoter', 'passive' or 'detractor' for a 0-10 answer."""
    if score >= PROMOTER_MIN:
        return "promoter"
    if score <= DETRACTOR_MAX:
        return "detractor"
    return "passive"


def nps_points(score):
    """What one answer adds to the NPS average: 100, 0 or -100."""
    return {"promoter": 100, "passive": 0, "detractor": -100}[nps_category(score)]


def nps(scores):
    """The NPS of the 0-10 answers ``scores``, None without answers."""
    scores = list(scores)
    if not scores:
        return None
    return sum(nps_points(score) for score in scores) / len(scores)


def score_percent(score, scale_min, scale_max):
    """A score on its scale as a percentage of the scale (1 of 1-5 is 0 %,
    5 of 1-5 is 100 %), so scales of different lengths can be averaged."""
    if scale_max <= scale_min:
        raise ValueError("the scale needs a maximum above its minimum")
    return (score - scale_min) * 100.0 / (scale_max - scale_min)


def monthly_trend(rows):
    """:param rows: ``(month, response, measure, percent, nps_points)`` per
    answer, ``month`` a sortable key (a date on the 1st), ``response`` the
    id of the survey response, ``nps_points`` None but for the recommend
    question.
    :return: ``[{"month", "responses", "nps", "overall", "service",
    "product"}]`` per month, oldest first; a measure nobody answered in a
    month is None (not 0)."""
    months = {}
    responses = {}
    for month, response, measure, percent, points in rows:
        bucket = months.setdefault(month, {m: [] for m in MEASURES})
        bucket[measure].append(points if measure == "recommend" else percent)
        responses.setdefault(month, set()).add(response)
    trend = []
    for month in sorted(months):
        bucket = months[month]
        trend.append(
            {
                "month": month,
                "responses": len(responses[month]),
                "nps": _average(bucket["recommend"]),
                **{m: _average(bucket[m]) for m in MEASURES if m != "recommend"},
            }
        )
    return trend


def _average(values):
    return sum(values) / len(values) if values else None


def may_ask_again(last_asked, now, period_days):
    """Whether a customer last asked at ``last_asked`` (None: never) may
    get a periodic survey at ``now``: at most once per ``period_days``."""
    return last_asked is None or now - last_asked >= timedelta(days=period_days)
