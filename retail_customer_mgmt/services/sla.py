"""SLA arithmetic for feedback tickets."""

from datetime import timedelta

AT_RISK_SHARE = 0.25  # at risk when less than a quarter of the SLA time is left


def sla_deadline(opened_at, hours):
    """Deadline of a ticket opened at ``opened_at`` with ``hours`` to solve it."""
    if not hours:
        return None
    return opened_at + timedelta(hours=hours)


def sla_state(opened_at, deadline, now, closed_at=None):
    """'on_time', 'at_risk' or 'breached' (of a closed ticket: at its closing)."""
    if not deadline:
        return "on_time"
    moment = closed_at or now
    if moment > deadline:
        return "breached"
    if closed_at:
        return "on_time"
    total = (deadline - opened_at).total_seconds()
    left = (deadline - now).total_seconds()
    if total > 0 and left < total * AT_RISK_SHARE:
        return "at_risk"
    return "on_time"
