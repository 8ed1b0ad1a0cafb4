"""The service a customer gets from their tier and segment.

A tier and a segment may each ask for a service priority (0 normal, 1 high,
2 urgent), their own time to answer (SLA hours, 0 = the company's policy)
and a dedicated salesperson. A customer gets the highest priority of the
two, the shorter of the times, and the tier's salesperson before the
segment's.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class ServiceLevel:
    priority: str = "0"
    sla_hours: float = 0.0
    user_id: int | None = None

    @property
    def vip(self):
        return self.priority != "0"


def combine(tier, segment):
    """The service level of a customer from their tier's and segment's
    (each a ServiceLevel or None)."""
    levels = [level for level in (tier, segment) if level]
    if not levels:
        return ServiceLevel()
    hours = [level.sla_hours for level in levels if level.sla_hours > 0]
    users = [level.user_id for level in levels if level.user_id]
    return ServiceLevel(
        max(level.priority for level in levels),
        min(hours) if hours else 0.0,
        users[0] if users else None,
    )


def ticket_priority(asked, level):
    """A ticket's priority: what was asked, raised to the customer's level."""
    return max(asked or "0", level.priority)


def ticket_hours(policy_hours, level):
    """Hours to solve a ticket: the policy's, or the customer's own SLA when shorter."""
    candidates = [h for h in (policy_hours, level.sla_hours) if h and h > 0]
    return min(candidates) if candidates else None
