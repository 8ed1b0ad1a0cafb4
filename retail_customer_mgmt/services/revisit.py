"""Through which channel a revisit reaches a customer.

The customer's preferred channel when they consented to it; else the
segment's usual channel (a visit for occasional big orders, a call for
frequent small ones) when they consented to it; else the first channel
they consented to, in the order of ``CHANNELS``. None: nobody may contact
them, and staff see them in the list of customers without a channel.
"""

CHANNELS = ("phone", "visit", "email", "sms", "wechat")


def revisit_channel(preferred, consented, segment_channel=None):
    """:param consented: the channels the customer may be contacted on."""
    for channel in (preferred, segment_channel):
        if channel and channel in consented:
            return channel
    for channel in CHANNELS:
        if channel in consented:
            return channel
    return None
