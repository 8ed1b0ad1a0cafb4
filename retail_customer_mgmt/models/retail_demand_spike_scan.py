import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.demand_spikes import SpikeRule, days_of_cover, decide, sum_by

_logger = logging.getLogger(__name__)


class RetailDemandSpike(models.Model):
    """The demand-spike scan: a constant number of queries for any number of
    products (sales, stock, forecast and open alerts read in one query each;
    alerts closed, updated and created in one statement each)."""

    _inherit = "retail.demand.spike"

    # ------------------------------------------------------------------
    # Scan: a constant number of queries for any number of products
    # ------------------------------------------------------------------
    @api.model
    def _spike_rule(self, company):
        return SpikeRule(
            company.retail_spike_recent_days,
            company.retail_spike_baseline_days,
            company.retail_spike_factor,
            company.retail_spike_min_qty,
        )

    @api.model
    def _read_sales(self, company, rule, now):
        """``{product id: (recent units, baseline units)}`` and ``{product id:
        (category id, responsible id)}``: units of confirmed sales orders and
        paid POS orders (walk-in tickets included, refunds netted), one query."""
        for model in (
            "sale.order",
            "sale.order.line",
            "pos.order",
            "pos.order.line",
            "product.product",
            "product.template",
        ):
            self.env[model].flush_model()
        recent_start = now - timedelta(days=rule.recent_days)
        start = recent_start - timedelta(days=rule.baseline_days)
        self.env.cr.execute(
            SQL(
                """
                SELECT s.product_id, pt.categ_id, (pt.responsible_id ->> %(company_key)s)::int,
                       COALESCE(SUM(s.qty) FILTER (WHERE s.d >= %(recent)s), 0),
                       COALESCE(SUM(s.qty) FILTER (WHERE s.d < %(recent)s), 0)
                  FROM (
                    SELECT l.product_id, l.product_uom_qty AS qty, so.date_order AS d
                      FROM sale_order_line l JOIN sale_order so ON so.id = l.order_id
                     WHERE so.state = 'sale' AND so.company_id = %(company)s
                       AND so.date_order >= %(start)s AND so.date_order < %(now)s
                       AND l.product_id IS NOT NULL AND l.display_type IS NULL
                       AND NOT COALESCE(l.is_downpayment, FALSE) AND l.reward_id IS NULL
                    UNION ALL
                    SELECT l.product_id, l.qty, po.date_order
                      FROM pos_order_line l JOIN pos_order po ON po.id = l.order_id
                     WHERE po.state IN ('paid', 'done', 'invoiced')
                       AND po.company_id = %(company)s
                       AND po.date_order >= %(start)s AND po.date_order < %(now)s
                       AND l.reward_id IS NULL AND NOT COALESCE(l.is_reward_line, FALSE)
                  ) s
                  JOIN product_product pp ON pp.id = s.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE pt.type = 'consu'
              GROUP BY s.product_id, pt.categ_id, pt.responsible_id
                """,
                company_key=str(company.id),
                company=company.id,
                recent=recent_start,
                start=start,
                now=now,
            )
        )
        sales, products = {}, {}
        for product_id, categ_id, responsible_id, recent, baseline in self.env.cr.fetchall():
            sales[product_id] = (recent, baseline)
            products[product_id] = (categ_id, responsible_id)
        return sales, products

    @api.model
    def _read_stock(self, company, product_ids, categ_ids):
        """``{product id: (category id, free on hand, incoming)}`` in the
        company's warehouses for the given products and every product of the
        given categories, one query."""
        for model in ("stock.quant", "stock.move", "stock.location"):
            self.env[model].flush_model()
        self.env.cr.execute(
            SQL(
                """
                WITH wanted AS (
                    SELECT pp.id, pt.categ_id
                      FROM product_product pp
                      JOIN product_template pt ON pt.id = pp.product_tmpl_id
                     WHERE pp.id = ANY(%(products)s) OR pt.categ_id = ANY(%(categs)s)
                ), stock AS (
                    SELECT q.product_id, SUM(q.quantity - q.reserved_quantity) AS qty, 0 AS incoming
                      FROM stock_quant q JOIN stock_location l ON l.id = q.location_id
                     WHERE l.usage = 'internal' AND l.warehouse_id IS NOT NULL
                       AND q.company_id = %(company)s
                       AND q.product_id IN (SELECT id FROM wanted)
                  GROUP BY q.product_id
                    UNION ALL
                    SELECT m.product_id, 0, SUM(m.product_qty)
                      FROM stock_move m
                      JOIN stock_location ld ON ld.id = m.location_dest_id
                      JOIN stock_location ls ON ls.id = m.location_id
                     WHERE m.state IN ('waiting', 'confirmed', 'partially_available', 'assigned')
                       AND m.company_id = %(company)s AND ld.usage = 'internal'
                       AND ld.warehouse_id IS NOT NULL
                       AND ls.warehouse_id IS DISTINCT FROM ld.warehouse_id
                       AND m.product_id IN (SELECT id FROM wanted)
                  GROUP BY m.product_id
                )
                SELECT w.id, w.categ_id, COALESCE(SUM(s.qty), 0), COALESCE(SUM(s.incoming), 0)
                  FROM wanted w LEFT JOIN stock s ON s.product_id = w.id
              GROUP BY w.id, w.categ_id
                """,
                products=list(product_ids),
                categs=list(categ_ids),
                company=company.id,
            )
        )
        return {
            product_id: (categ_id, float(on_hand), float(incoming))
            for product_id, categ_id, on_hand, incoming in self.env.cr.fetchall()
        }

    @api.model
    def _read_forecast(self, company, product_ids, categ_ids):
        """``{product id: (forecast this month, next month)}`` of the nightly
        forecast (``retail.product.forecast``), all warehouses, one query."""
        self.env["retail.product.forecast"].flush_model()
        self.env.cr.execute(
            SQL(
                """
                SELECT f.product_id,
                       COALESCE(SUM(f.qty) FILTER (WHERE f.month_index = 1), 0),
                       COALESCE(SUM(f.qty) FILTER (WHERE f.month_index = 2), 0)
                  FROM retail_product_forecast f
                  JOIN product_product pp ON pp.id = f.product_id
                  JOIN product_template pt ON pt.id = pp.product_tmpl_id
                 WHERE f.company_id = %(company)s AND f.month_index IN (1, 2)
                   AND (f.product_id = ANY(%(products)s) OR pt.categ_id = ANY(%(categs)s))
              GROUP BY f.product_id
                """,
                company=company.id,
                products=list(product_ids),
                categs=list(categ_ids),
            )
        )
        return {p: (float(now), float(nxt)) for p, now, nxt in self.env.cr.fetchall()}

    @api.model
    def _read_alerts(self, company, since):
        """Open alerts ``{(kind, target id): id}`` and the targets of the
        alerts closed since ``since`` (one query)."""
        self.flush_model()
        self.env.cr.execute(
            SQL(
                """SELECT id, kind, COALESCE(product_id, categ_id), state
                     FROM retail_demand_spike
                    WHERE company_id = %s AND (state = 'open' OR closed_at >= %s)""",
                company.id,
                since,
            )
        )
        opened, recently_closed = {}, set()
        for alert_id, kind, target, state in self.env.cr.fetchall():
            if state == "open":
                opened[(kind, target)] = alert_id
            else:
                recently_closed.add((kind, target))
        return opened, recently_closed

    @api.model
    def _scan(self, company):
        """Open, update and close the demand-spike alerts of ``company``;
        return the new alerts."""
        rule = self._spike_rule(company)
        now = fields.Datetime.now()
        sales, products = self._read_sales(company, rule, now)
        per_product = {("product", p): qty for p, qty in sales.items()}
        per_category = {
            ("category", c): qty for c, qty in sum_by(sales, lambda p: products[p][0]).items()
        }
        spikes = {}
        for key, (recent, baseline) in {**per_product, **per_category}.items():
            decision = decide(recent, baseline, rule)
            if decision.spike:
                spikes[key] = (recent, baseline, decision)
        stock = self._read_stock(company, *self._targets(spikes))
        forecast = self._read_forecast(company, *self._targets(spikes))
        by_product = {
            p: (on_hand, incoming, *forecast.get(p, (0.0, 0.0)))
            for p, (_c, on_hand, incoming) in stock.items()
        }
        by_category = sum_by(by_product, lambda p: stock[p][0])
        opened, recently_closed = self._read_alerts(company, now - timedelta(days=rule.recent_days))
        values = {}
        for (kind, target), (recent, baseline, decision) in spikes.items():
            on_hand, incoming, forecast_now, forecast_next = (
                by_product if kind == "product" else by_category
            ).get(target, (0.0, 0.0, 0.0, 0.0))
            values[(kind, target)] = {
                "recent_days": rule.recent_days,
                "baseline_days": rule.baseline_days,
                "recent_qty": recent,
                "baseline_qty": baseline,
                "recent_pace": decision.recent_pace,
                "usual_pace": decision.usual_pace,
                "ratio": decision.ratio,
                "on_hand_qty": on_hand,
                "incoming_qty": incoming,
                "forecasted_qty": on_hand + incoming,
                "days_of_cover": days_of_cover(on_hand + incoming, decision.recent_pace),
                "forecast_qty": forecast_now,
                "forecast_next_qty": forecast_next,
            }
        ended = [alert_id for key, alert_id in opened.items() if key not in spikes]
        self._close_ended(ended, now)
        self._update_figures({opened[key]: vals for key, vals in values.items() if key in opened})
        new_keys = [key for key in values if key not in opened and key not in recently_closed]
        created = self._create_alerts(company, new_keys, values, products)
        _logger.info(
            "Demand-spike scan of %s: %s spiking, %s new, %s ended",
            company.name,
            len(spikes),
            len(created),
            len(ended),
        )
        return created

    @staticmethod
    def _targets(spikes):
        """The product ids and the category ids of ``spikes``."""
        return (
            [target for kind, target in spikes if kind == "product"],
            [target for kind, target in spikes if kind == "category"],
        )

    @api.model
    def _close_ended(self, alert_ids, now):
        self.env.cr.execute(
            SQL(
                """UPDATE retail_demand_spike
                      SET state = 'closed', close_reason = 'ended', closed_at = %s,
                          write_date = %s, write_uid = %s
                    WHERE id = ANY(%s)""",
                now,
                now,
                self.env.uid,
                alert_ids,
            )
        )
        self.invalidate_model(["state", "close_reason", "closed_at"])

    FIGURES = (
        "recent_qty",
        "baseline_qty",
        "recent_pace",
        "usual_pace",
        "ratio",
        "on_hand_qty",
        "incoming_qty",
        "forecasted_qty",
        "days_of_cover",
        "forecast_qty",
        "forecast_next_qty",
    )

    @api.model
    def _update_figures(self, values_by_id):
        """Write the current figures of the open alerts in one query."""
        ids = list(values_by_id)
        columns = [[values_by_id[i][name] for i in ids] for name in self.FIGURES]
        self.env.cr.execute(
            SQL(
                """UPDATE retail_demand_spike a
                      SET %s, write_date = NOW() AT TIME ZONE 'UTC', write_uid = %s
                     FROM unnest(%s::int[], %s) AS v(id, %s)
                    WHERE a.id = v.id""",
                SQL(", ").join(
                    SQL("%s = v.%s", SQL.identifier(name), SQL.identifier(name))
                    for name in self.FIGURES
                ),
                self.env.uid,
                ids,
                SQL(", ").join(SQL("%s::float8[]", column) for column in columns),
                SQL(", ").join(SQL.identifier(name) for name in self.FIGURES),
            )
        )
        self.invalidate_model(list(self.FIGURES))

    @api.model
    def _create_alerts(self, company, keys, values, products):
        # sudo: the scan runs as the cron user and opens alerts for the buyer
        Spike = self.sudo().with_context(
            mail_create_nolog=True, mail_create_nosubscribe=True, tracking_disable=True
        )
        buyer = company.retail_spike_user_id.id
        created = Spike.create(
            [
                {
                    "kind": kind,
                    "product_id": target if kind == "product" else False,
                    "categ_id": target if kind == "category" else False,
                    "company_id": company.id,
                    "user_id": buyer or (products[target][1] if kind == "product" else False),
                    **values[(kind, target)],
                }
                for kind, target in keys
            ]
        )
        created.filtered("user_id")._schedule_activities()
        return created

    def _schedule_activities(self):
        if not self:
            return
        activity_type = self.env.ref("retail_customer_mgmt.mail_activity_type_demand_spike")
        model_id = self.env["ir.model"]._get_id(self._name)
        today = fields.Date.context_today(self)
        self.env["mail.activity"].sudo().with_context(mail_activity_quick_update=True).create(
            [
                {
                    "res_model_id": model_id,
                    "res_id": spike.id,
                    "activity_type_id": activity_type.id,
                    "user_id": spike.user_id.id,
                    "summary": self.env._(
                        "%(name)s sells %(ratio).1f times faster than usual",
                        name=spike.display_name,
                        ratio=spike.ratio,
                    ),
                    "date_deadline": today,
                }
                for spike in self
            ]
        )

    @api.model
    def _cron_retail_spike_scan(self):
        for company in self.env["res.company"].search([]):
            self._scan(company)
