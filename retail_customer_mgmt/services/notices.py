"""Which channel a service notice (an order problem, its resolution) takes.

The customer's preferred channel when they consented to it, else the first
consented channel in the order of ``FALLBACK``; None when they consented to
none (staff then see that the customer was not told).
"""

FALLBACK = ("email", "sms", "phone", "wechat")
# the exception types the customer is told about (an abnormal amount or a
# points overdraft is the shop's own check, not news for the customer)
CUSTOMER_FACING = ("stock", "late", "address", "product")


def pick_channel(preferred, consented):
    """:param preferred: the preferred channel or None
    :param consented: the channels the customer may be reached on (consent
        given and an address for it)"""
    if preferred in consented:
        return preferred
    return next((channel for channel in FALLBACK if channel in consented), None)
