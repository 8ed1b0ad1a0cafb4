"""Which channel a service notice (an order problem, its resolution) takes.

The customer's preferred channel when they consented to it, else the first
consented channel in the order of ``FALLBACK``; None when they consented to
none (staff then see that the customer was not told).
"""

from .birthday import local_today

FALLBACK = ("email", "sms", "phone", "wechat")
# the exception types the customer is told about (an abnormal amount or a
# points overdraft is the shop's own check, not news for the customer)
CUSTOMER_FACING = ("stock", "late", "address", "product")


def first_consented(candidates, consented):
    """The first of ``candidates`` (None entries skipped) in ``consented``,
    the channels the customer may be reached on (consent given and an
    address for it); None when there is none."""
    return next((c for c in candidates if c and c in consented), None)


def pick_channel(preferred, consented):
    """:param preferred: the preferred channel or None"""
    return first_consented((preferred, *FALLBACK), consented)


def delivery_is_late(due_utc, now_utc, tz_name):
    """A delivery is late once the day it was due has passed in the shop's
    time zone (``tz_name``): one due today, even at an hour already gone, is
    on time until midnight. An order confirmed this morning gets a delivery
    scheduled at the confirmation time; it is not late an hour later."""
    return local_today(due_utc, tz_name) < local_today(now_utc, tz_name)
