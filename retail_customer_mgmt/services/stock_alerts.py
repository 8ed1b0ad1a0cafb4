"""Low-stock rules: threshold precedence, forecast and days of cover."""

from dataclasses import dataclass


@dataclass(frozen=True)
class AlertDecision:
    below: bool
    threshold: float
    source: str  # 'orderpoint', 'product', 'company' or '' (no threshold)
    forecast: float
    days_of_cover: float | None


def pick_threshold(orderpoint_min, product_threshold, company_default):
    """The orderpoint minimum where one exists, else the product's "alert below"
    quantity, else the company default (0 = none)."""
    if orderpoint_min is not None:
        return orderpoint_min, "orderpoint"
    if product_threshold:
        return product_threshold, "product"
    if company_default:
        return company_default, "company"
    return 0.0, ""


def days_of_cover(forecast, sold_last_30_days, forecast_daily=None):
    """Days the forecast stock lasts at the demand forecast's daily pace, or,
    without a demand forecast, at the last 30 days' sales pace (None when
    neither expects a sale)."""
    if forecast_daily and forecast_daily > 0:
        return max(forecast, 0.0) / forecast_daily
    if sold_last_30_days <= 0:
        return None
    return max(forecast, 0.0) / (sold_last_30_days / 30.0)


def decide(
    on_hand_free,
    incoming,
    orderpoint_min,
    product_threshold,
    company_default,
    sold_last_30_days,
    forecast_daily=None,
):
    forecast = on_hand_free + incoming
    threshold, source = pick_threshold(orderpoint_min, product_threshold, company_default)
    below = bool(source) and forecast < threshold
    return AlertDecision(
        below,
        threshold,
        source,
        forecast,
        days_of_cover(forecast, sold_last_30_days, forecast_daily),
    )
