"""When a customer's birthday is greeted.

* A birthday is greeted on its month and day in the company's local date
  (the time zone of the company's address, else UTC): the daily job may run
  at night in UTC while the shop is already in the next day.
* Customers born on 29 February are greeted on 28 February in years without
  a 29 February, and on 29 February in leap years.
* At most one greeting per customer and year: the year of the greeting day
  is the key the database keeps unique.
"""

import calendar
from datetime import date, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def greeted_days(today):
    """The ``(month, day)`` birthdays greeted on ``today``."""
    days = [(today.month, today.day)]
    if (today.month, today.day) == (2, 28) and not calendar.isleap(today.year):
        days.append((2, 29))
    return days


def is_greeted_on(birthday, today):
    """Whether a customer born on ``birthday`` is greeted on ``today``."""
    return (birthday.month, birthday.day) in greeted_days(today)


def greeting_day(birthday, year):
    """The day of ``year`` on which a customer born on ``birthday`` is greeted."""
    if (birthday.month, birthday.day) == (2, 29) and not calendar.isleap(year):
        return date(year, 2, 28)
    return date(year, birthday.month, birthday.day)


def local_today(now_utc, tz_name):
    """The date at ``now_utc`` (naive UTC datetime) in time zone ``tz_name``
    (UTC when empty or unknown)."""
    aware = now_utc.replace(tzinfo=timezone.utc) if now_utc.tzinfo is None else now_utc
    try:
        zone = ZoneInfo(tz_name) if tz_name else timezone.utc
    except (ZoneInfoNotFoundError, ValueError):
        zone = timezone.utc
    return aware.astimezone(zone).date()
