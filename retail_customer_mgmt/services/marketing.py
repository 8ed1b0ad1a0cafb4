"""Campaign rules: audiences, consent and what a campaign brought back.

* Audiences compare days relative to the moment a mailing is sent ("first
  purchase within 30 days"), so a scheduled mailing picks its recipients on
  the day it goes out, not on the day it was prepared.
* Consent follows the channel of the mailing: an email campaign needs the
  email consent, an SMS campaign the SMS consent.
* A promotion is announced to the buyers of what it is about: the products
  and categories its rules and rewards name. One naming none applies to
  everything, and there is nobody in particular to notify.
* A campaign is credited with the orders its recipients place within its
  attribution window after it was sent.
"""

from datetime import timedelta

# mailing type (Odoo's mailing.mailing.mailing_type) -> consent channel
MAILING_CHANNELS = {"mail": "email", "sms": "sms"}

# "days since" compared with a threshold -> the date comparison that means it
DAYS_TO_DATE_OPERATOR = {"<=": ">=", "<": ">", ">=": "<=", ">": "<"}


def consent_channel(mailing_type):
    """The consent a mailing of ``mailing_type`` needs (None: not a campaign
    channel of the profile)."""
    return MAILING_CHANNELS.get(mailing_type)


def days_condition(operator, days, now):
    """``(date operator, date)`` meaning "days since the date ``operator``
    ``days``" at ``now``; None when the operator is not a comparison."""
    if operator not in DAYS_TO_DATE_OPERATOR:
        return None
    return DAYS_TO_DATE_OPERATOR[operator], now - timedelta(days=days)


def window_start(now, days):
    """Start of a purchase window of ``days`` days ending at ``now``."""
    if days <= 0:
        raise ValueError("a purchase window has at least one day")
    return now - timedelta(days=days)


def promotion_targets(targets):
    """Products and categories a promotion is about.

    :param targets: ``(product ids, category id or None)`` per rule that
        triggers the promotion and per reward that discounts specific
        products; an entry naming neither (a rule on any product, a reward
        on the whole order) adds nothing.
    :return: ``(product ids, category ids)``; both empty when the promotion
        names no product nor category (nobody in particular to notify).
    """
    products, categories = set(), set()
    for product_ids, category_id in targets:
        products.update(product_ids)
        if category_id:
            categories.add(category_id)
    return products, categories


def rate(part, whole):
    """Percentage of ``part`` in ``whole``, 0 when there is no whole."""
    return round(100.0 * part / whole, 1) if whole else 0.0
