"""Points arithmetic: earning, refund take-back and FIFO expiry."""

import math
from dataclasses import dataclass
from datetime import date


def earned_points(amount, rate, multiplier):
    """Whole points earned on ``amount`` (company currency).

    Points are rounded down: a customer never gets a point for a fraction of
    the amount that earns it. Negative amounts earn nothing.
    """
    if amount <= 0 or rate <= 0 or multiplier <= 0:
        return 0.0
    # the epsilon absorbs binary noise (e.g. 0.1 * 3 * 10 = 2.9999999996)
    return float(math.floor(amount * rate * multiplier + 1e-6))


def refund_takeback(earned, base_amount, refunded_before, refunded_now, taken_before):
    """Points to take back when ``refunded_now`` of an order is refunded.

    The points that remain after a refund are those the still-kept amount
    would have earned at the same rate, rounded down; the take-back is the
    difference with what remains now. A full refund takes back everything,
    and the total taken back never exceeds what the order earned.

    :param earned: points the order earned
    :param base_amount: amount the points were earned on
    :param refunded_before: amount refunded by earlier refunds
    :param refunded_now: amount refunded by this refund
    :param taken_before: points taken back by earlier refunds
    """
    if earned <= 0 or base_amount <= 0 or refunded_now <= 0:
        return 0.0
    kept_amount = max(base_amount - refunded_before - refunded_now, 0.0)
    should_remain = float(math.floor(earned * kept_amount / base_amount + 1e-6))
    remaining_now = max(earned - taken_before, 0.0)
    return max(min(remaining_now - should_remain, remaining_now), 0.0)


@dataclass
class Lot:
    """Points earned at once, expiring together."""

    key: int
    earned_on: date
    expires_on: date | None
    points: float  # net of take-backs of this very lot


def replay_expiry(lots, debits, until):
    """Points that must have expired by ``until`` under oldest-first use.

    ``debits`` are ``(date, points)`` uses of the balance (rewards, manual
    debits, take-backs not tied to a lot) but *not* earlier expiry lines:
    the replay recomputes expiry from scratch. Each debit consumes the
    oldest lots still alive on its date; a lot's remainder expires on its
    expiry date.

    :return: total points expired by ``until`` (inclusive)
    """
    lots = sorted(lots, key=lambda lot: (lot.earned_on, lot.key))
    remaining = {lot.key: lot.points for lot in lots}
    events = [
        (lot.expires_on, 0, lot)
        for lot in lots
        if lot.expires_on is not None and lot.expires_on <= until
    ]
    events += [(day, 1, points) for day, points in debits if day <= until]
    # a lot expiring on day D can no longer be used on D: expire first
    events.sort(key=lambda e: (e[0], e[1]))
    expired = 0.0
    for day, kind, payload in events:
        if kind == 0:
            expired += remaining[payload.key]
            remaining[payload.key] = 0.0
            continue
        to_consume = payload
        for lot in lots:
            if to_consume <= 0:
                break
            if lot.earned_on > day or remaining[lot.key] <= 0:
                continue
            if lot.expires_on is not None and lot.expires_on <= day:
                continue
            used = min(remaining[lot.key], to_consume)
            remaining[lot.key] -= used
            to_consume -= used
    return expired


def points_to_expire(lots, debits, already_expired, today):
    """Points to write off today, given what earlier expiry lines removed."""
    return max(replay_expiry(lots, debits, today) - already_expired, 0.0)


def reward_cost(claims):
    """Points that rewards paid with points cost, from their definition.

    :param claims: ``(discount_mode, discount, required_points, amount)`` per
        claimed reward, ``amount`` being the (negative) total of its lines.
        A per-point discount costs its amount divided by the value of a
        point; any other reward its required points once per claim. What a
        client declares the reward costs is not an input.
    """
    cost = 0.0
    for mode, discount, required_points, amount in claims:
        if mode == "per_point" and discount > 0:
            cost += -amount / discount
        else:
            cost += required_points
    return round(max(cost, 0.0), 2)
