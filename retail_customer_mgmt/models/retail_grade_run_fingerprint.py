from odoo import models
from odoo.tools import SQL


class RetailGradeRun(models.Model):
    """The weekly full regrade without sorting every order.

    The usual interval of a customer (the median of the days between their
    purchases) needs their purchase dates in order: a run that reads every
    history (the first one, the weekly full one) would sort every order of
    the company, the bulk of its time. Each grade keeps a fingerprint of the
    purchase dates it was computed from (a sum of hashes of the dates,
    computed by a hash aggregate, no sort, with the order count). A full run
    on a company whose grades carry fingerprints aggregates every history
    without sorting, keeps the stored interval of the customers whose
    fingerprint and order count did not change, and sorts only the orders of
    the others. The other figures are aggregated again for every customer,
    as in any full run.
    """

    _inherit = "retail.grade.run"

    def _fingerprinted(self):
        """Whether the company's grades carry fingerprints (not before its
        first run)."""
        self.env.cr.execute(
            """
            SELECT EXISTS (SELECT 1 FROM retail_customer_grade
                            WHERE company_id = %s AND date_fingerprint IS NOT NULL)
            """,
            [self.company_id.id],
        )
        return self.env.cr.fetchone()[0]

    def _stage_fingerprint_sql(self):
        """Stage every customer's metrics (as ``_stage_sql`` does) in two
        passes over the orders: one hash aggregate of every history, joined
        with the stored grades (the customers whose dates changed are marked
        ``resort``), then the medians of the marked customers only."""
        self.ensure_one()
        company, table = self.company_id, self._metric_table()
        Purchase = self.env["retail.purchase"]
        same = SQL(
            "COALESCE(g.date_fingerprint = a.date_fingerprint AND g.order_count = a.order_count, "
            "FALSE)"
        )
        return SQL(
            """
            DROP TABLE IF EXISTS %(table)s;
            CREATE UNLOGGED TABLE %(table)s AS
              WITH orders AS (%(orders)s), summary AS (
                  SELECT partner_id, %(aggregates)s
                    FROM orders
                GROUP BY partner_id
                  HAVING COUNT(*) FILTER (WHERE is_order = 1) > 0
              )
            SELECT a.*,
                   CASE WHEN a.order_count >= 2 AND %(same)s THEN g.median_interval
                   END AS median_interval,
                   a.order_count >= 2 AND NOT %(same)s AS resort
              FROM summary a
              LEFT JOIN retail_customer_grade g
                     ON g.partner_id = a.partner_id AND g.company_id = %(company)s;
            CREATE UNIQUE INDEX ON %(table)s (partner_id);
            ANALYZE %(table)s;
            UPDATE %(table)s t SET median_interval = s.median_interval
              FROM (SELECT partner_id,
                           percentile_cont(0.5) WITHIN GROUP (ORDER BY gap) AS median_interval
                      FROM (SELECT partner_id,
                                   EXTRACT(EPOCH FROM d - LAG(d) OVER (
                                       PARTITION BY partner_id ORDER BY d)) / 86400.0 AS gap
                              FROM (%(resorted)s) o
                             WHERE is_order = 1) timeline
                  GROUP BY partner_id) s
             WHERE t.partner_id = s.partner_id;
            ANALYZE %(table)s
            """,
            table=table,
            orders=Purchase._rows_sql(company),
            aggregates=self._history_aggregates_sql(self.window_start),
            same=same,
            company=company.id,
            resorted=Purchase._rows_sql(
                company,
                SQL("p.commercial_partner_id IN (SELECT partner_id FROM %s WHERE resort)", table),
            ),
        )
