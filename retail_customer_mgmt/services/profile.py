"""The customer profile as a cashier edits it at the till.

A WeChat ID follows WeChat's own rule (6 to 20 characters, letters, digits,
"_" or "-", starting with a letter). An edit sent by a till carries only the
fields the cashier touched; what equals the profile already is dropped, so
that an edit replayed or sent twice changes nothing and a consent given
before keeps the day it was given.
"""

import re

CONSENT_CHANNELS = ("email", "sms", "phone", "wechat")
# the profile fields a till may write, nothing else
POS_PROFILE_FIELDS = (
    "retail_birthday",
    "retail_preferred_channel",
    "retail_wechat_id",
    *(f"retail_consent_{channel}" for channel in CONSENT_CHANNELS),
)
WECHAT_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]{5,19}")


def wechat_id_valid(value):
    """True when ``value`` (already stripped) is a WeChat ID, or empty."""
    return not value or bool(WECHAT_ID.fullmatch(value))


def normalize(fname, value):
    """A till's value as the profile stores it: empty texts are False,
    texts are stripped, consents are booleans."""
    if fname.startswith("retail_consent_"):
        return bool(value)
    if isinstance(value, str):
        value = value.strip()
    return value or False


def profile_changes(current, requested):
    """The fields of ``requested`` whose value differs from ``current``.

    :param current: ``{field: value}`` of the profile (values as stored,
        dates as ``YYYY-MM-DD`` strings or False)
    :param requested: ``{field: value}`` sent by the till
    :return: ``(changes, unknown)``: the normalized changes, and the names
        the till may not write
    """
    unknown = sorted(set(requested) - set(POS_PROFILE_FIELDS))
    changes = {}
    for fname in POS_PROFILE_FIELDS:
        if fname not in requested:
            continue
        value = normalize(fname, requested[fname])
        if value != normalize(fname, current.get(fname)):
            changes[fname] = value
    return changes, unknown
