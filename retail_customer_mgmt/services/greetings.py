"""Which days the daily greetings job handles, and which occasions fall on a day.

* The job remembers the last day it finished (per company). A run handles
  every day after it up to today, so a day missed (server down, job failed)
  is caught up by the next run; at most ``max_days`` days back, so that a
  job switched on again after months does not greet for stale occasions.
  The first run handles today only.
* An occasion is either the same day every year (``fixed``: the shop's
  anniversary, National Day), or the dates the shop enters year by year
  (``dated``: Spring Festival and Mid-Autumn follow the lunar calendar, which
  the shop reads from its own calendar; no lunar arithmetic here), or each
  customer's own membership anniversary (``member``).
* A greeting is keyed by customer, occasion and the year of the occasion
  day: a caught-up 31 December greeted on 1 January belongs to the old year.
"""

from datetime import timedelta

from .birthday import greeted_days


def days_to_handle(last_done, today, max_days=31):
    """The days a run on ``today`` handles, oldest first."""
    if last_done is None:
        return [today]
    if last_done >= today:
        return []
    first = max(last_done + timedelta(days=1), today - timedelta(days=max_days - 1))
    return [first + timedelta(days=n) for n in range((today - first).days + 1)]


def fixed_occasion_on(month, day, when):
    """Whether an occasion held every year on ``month``/``day`` falls on ``when``
    (29 February: on 28 February in other years)."""
    return (month, day) in greeted_days(when)


def member_anniversary_on(joined, when):
    """Whether ``when`` is a membership anniversary of a customer who joined
    on ``joined`` (not the day they joined)."""
    return when.year > joined.year and (joined.month, joined.day) in greeted_days(when)
