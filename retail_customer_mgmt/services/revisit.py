"""Through which channel a revisit reaches a customer.

The customer's preferred channel when they consented to it; else the
segment's usual channel (a visit for occasional big orders, a call for
frequent small ones) when they consented to it; else the first channel
they consented to, in the order of ``CHANNELS``. None: nobody may contact
them, and staff see them in the list of customers without a channel.
"""

from .notices import first_consented

CHANNELS = ("phone", "visit", "email", "sms", "wechat")


def revisit_channel(preferred, consented, segment_channel=None):
    """:param consented: the channels the customer may be contacted on."""
    return first_consented((preferred, segment_channel, *CHANNELS), consented)
