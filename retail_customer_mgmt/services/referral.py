"""Referral codes and the rules of recording a referral.

* A code is 10 characters from an alphabet without look-alike characters
  (no 0/O, 1/I/L), so that it is read out at the till and typed without
  mistakes; 32 ** 10 codes make a collision unlikely, and the database
  keeps them unique anyway.
* A customer has at most one referrer, never themselves, nor a customer they
  referred; once the referral was credited it cannot change.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code(choice=secrets.choice):
    return "".join(choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text):
    """What the customer said or typed, as stored: upper case, no spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")


def referral_problem(customer_id, referrer_id, referrers_referrer_id, credited):
    """Why ``referrer_id`` cannot be recorded as the referrer of ``customer_id``
    (a short key), or None.

    :param referrers_referrer_id: the referrer's own referrer (or None)
    :param credited: the customer's referral was already credited
    """
    if credited:
        return "credited"
    if referrer_id is None:
        return None
    if referrer_id == customer_id:
        return "self"
    if referrers_referrer_id == customer_id:
        return "mutual"
    return None
