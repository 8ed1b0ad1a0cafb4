"""Tier decision: upgrade at once, downgrade only after a grace period.

A tier is reached on the customer's rolling spend, on their number of orders
in the same window, or on both (each threshold reached). A ladder is a list
of tiers, each either ``(tier_id, minimum_spend)`` (a spend tier, as before)
or a :class:`TierRule`; a valid ladder is ordered so that each tier is at
least as hard to reach as the one below on both figures and harder on one
(:func:`check_rules`), which makes the tiers a customer reaches nested: the
*target* tier is the highest one they reach.
"""

from dataclasses import dataclass
from datetime import date

BASES = ("spend", "orders", "both")


@dataclass(frozen=True)
class TierRule:
    tier_id: int
    min_spend: float = 0.0
    min_orders: int = 0
    basis: str = "spend"  # "spend", "orders" or "both"

    def thresholds(self):
        """``(spend, orders)`` this tier requires; a figure it does not use
        requires nothing."""
        spend = self.min_spend if self.basis in ("spend", "both") else 0.0
        orders = self.min_orders if self.basis in ("orders", "both") else 0
        return spend, orders

    def reached(self, spend, orders):
        min_spend, min_orders = self.thresholds()
        return spend >= min_spend and orders >= min_orders


@dataclass(frozen=True)
class TierDecision:
    tier_id: int | None
    below_since: date | None
    changed: bool
    direction: str  # "up", "down", "same" or "new"


def _rules(ladder):
    rules = [entry if isinstance(entry, TierRule) else TierRule(*entry) for entry in ladder]
    # the order of a valid ladder; sorted() is stable for equal thresholds
    return sorted(rules, key=TierRule.thresholds)


def target_tier(ladder, spend, orders=0):
    """Highest tier of ``ladder`` that ``spend`` and ``orders`` reach (None below all)."""
    target = None
    for rule in _rules(ladder):
        if rule.reached(spend, orders):
            target = rule.tier_id
    return target


def check_ladder(minimums):
    """Return the indexes of thresholds that do not strictly increase."""
    return [i for i in range(1, len(minimums)) if minimums[i] <= minimums[i - 1]]


def check_rules(rules):
    """Indexes of the tiers of ``rules`` (in the ladder's order) that are not
    harder to reach than the tier before: each tier needs at least the spend
    and the orders of the previous one, and more of one of them."""
    broken = []
    for i in range(1, len(rules)):
        spend, orders = rules[i].thresholds()
        prev_spend, prev_orders = rules[i - 1].thresholds()
        if (
            spend < prev_spend
            or orders < prev_orders
            or (spend, orders) == (prev_spend, prev_orders)
        ):
            broken.append(i)
    return broken


def decide_tier(
    ladder, current_tier_id, spend, below_since, today, grace_days, review=False, orders=0
):
    """Decide the tier of one customer.

    :param ladder: ``[(tier_id, minimum_spend)]`` or ``[TierRule]``
    :param current_tier_id: tier held now (None for none)
    :param spend: rolling spend over the tier window
    :param below_since: date since which the customer is below the current tier
    :param review: True at the nightly review (may downgrade), False on a
        purchase event (never downgrades)
    :param orders: orders over the tier window
    """
    ranks = {rule.tier_id: rank for rank, rule in enumerate(_rules(ladder))}
    target = target_tier(ladder, spend, orders)
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
