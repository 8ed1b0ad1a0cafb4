"""Which channel a service notice (an order problem, its resolution) takes.

The customer's preferred channel when they consented to it, else the first
consented channel in the order of ``FALLBACK``; None when they consented to
none (staff then see that the customer was not told).
"""

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
