"""Tier decision: upgrade at once, downgrade only after a grace period.

A tier ladder is a list of ``(tier_id, minimum_spend)`` with strictly
increasing minimums; the customer's *target* tier is the highest one whose
minimum their rolling spend reaches.
"""

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class TierDecision:
    tier_id: int | None
    below_since: date | None
    changed: bool
    direction: str  # "up", "down", "same" or "new"


def target_tier(ladder, spend):
    """Highest tier of ``ladder`` whose minimum ``spend`` reaches (None below all)."""
    target = None
    for tier_id, minimum in sorted(ladder, key=lambda t: t[1]):
        if spend >= minimum:
            target = tier_id
    return target


def check_ladder(minimums):
    """Return the indexes of thresholds that do not strictly increase."""
    return [i for i in range(1, len(minimums)) if minimums[i] <= minimums[i - 1]]


def decide_tier(ladder, current_tier_id, spend, below_since, today, grace_days, review=False):
    """Decide the tier of one customer.

    :param ladder: ``[(tier_id, minimum_spend)]``
    :param current_tier_id: tier held now (None for none)
    :param spend: rolling spend over the tier window
    :param below_since: date since which the spend is below the current tier
    :param review: True at the nightly review (may downgrade), False on a
        purchase event (never downgrades)
    """
    ranks = {tier_id: rank for rank, (tier_id, _m) in enumerate(sorted(ladder, key=lambda t: t[1]))}
    target = target_tier(ladder, spend)
    if current_tier_id not in ranks:
        return TierDecision(target, None, target is not None, "new")
    current_rank = ranks[current_tier_id]
    target_rank = ranks[target] if target is not None else -1
    if target_rank > current_rank:
        return TierDecision(target, None, True, "up")
    if target_rank == current_rank:
        return TierDecision(current_tier_id, None, below_since is not None, "same")
    # below the current tier's threshold
    since = below_since or today
    if review and (today - since).days >= grace_days:
        return TierDecision(target, None, True, "down")
    return TierDecision(current_tier_id, since, since != below_since, "same")
