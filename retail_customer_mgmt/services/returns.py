"""Return policy: a window in days per product category, inherited by
subcategories, counted from the purchase (the delivery when there was one).

A category without its own window takes its parent's; a category chain with
no window anywhere has no policy (returns are not limited). A window of 0 days
means no returns without a manager's override.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Policy:
    days: int  # the window; returns allowed up to and including purchase + days
    category: str  # the category that sets it (for the message)


def effective_policy(chain):
    """The policy of a category from its chain ``[(name, days or None), ...]``,
    the category first, then its parent, up to the root."""
    for name, days in chain:
        if days is not None:
            return Policy(days, name)
    return None


def last_return_day(purchased_on: date, policy):
    """The last day a return is accepted (None without a policy)."""
    if policy is None:
        return None
    return purchased_on + timedelta(days=policy.days)


def outside_window(purchased_on: date, policy, today: date):
    """Whether a return asked on ``today`` is outside the policy's window."""
    last = last_return_day(purchased_on, policy)
    return last is not None and today > last
