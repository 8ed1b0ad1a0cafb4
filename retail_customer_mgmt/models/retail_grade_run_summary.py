"""The regrade's per-customer summary, kept up to date by triggers.

A regrade needs, per customer, the figures of ``_metrics_sql``: last
purchase, orders and spend in the analysis window, all-time orders and
spend, the fingerprint of the purchase dates and the median days between
purchases (which needs every purchase date in order). Reading and sorting
every order of a company at each full regrade cost most of its time
(7 x the bare aggregate of the same orders at 100,000 customers).

``retail_customer_summary`` holds those figures per company and customer
(commercial partner), computed by ``_metrics_sql`` itself, so that every
regrade, first, full or incremental, reads them instead of the orders:

- statement-level triggers on the tables of the purchase sources (see
  ``Watch`` in ``report/retail_purchase.py``: sales orders, POS orders,
  credit notes) note the customers of the documents inserted, deleted or
  changed in a column the source reads, in ``retail_customer_summary_dirty``,
  and a row trigger on ``res_partner`` the customers a contact leaves or
  joins (its commercial partner changing);
- each regrade first recomputes the noted customers from their documents,
  and moves the window figures of the others to its own window start by
  taking off (or adding back) the documents between the two starts: the
  spends are kept numeric, so the result is exactly what a rebuild gives;
- a company's summary is built from every document the first time
  (``_summary_build``), and again on demand;
- a customer deleted leaves the summary at once (a statement trigger on
  ``res_partner``): the regrade's batches, which may run hours after its
  staging, read only customers that exist, without a lookup of each.

Not a model: nobody reads or writes it over RPC. A purchase source without
``watch`` (another module's) cannot be followed: while there is one, the
regrades read every history as before (``_summary_usable``). The uninstall
hook drops the triggers, their functions and the tables.
"""

import logging

from odoo import api, fields, models
from odoo.tools import SQL

from .retail_sql import rows_changed, statement_trigger, trigger_function

_logger = logging.getLogger(__name__)

SUMMARY = "retail_customer_summary"
DIRTY = "retail_customer_summary_dirty"
STATE = "retail_customer_summary_state"
FUNCTION = "retail_customer_summary_{}_changed"
PARTNER_FUNCTION = "retail_customer_summary_partner_changed"
PARTNER_DELETED = "retail_customer_summary_partner_deleted"

_id = SQL.identifier


class RetailGradeRun(models.Model):
    _inherit = "retail.grade.run"

    staged_summary = fields.Boolean(
        "Read from the Summary",
        readonly=True,
        help="The run graded the customers' summary kept up to date by the database, "
        "without reading their orders again.",
    )

    def init(self):
        res = super().init()
        cr = self.env.cr
        cr.execute(
            SQL(
                """
                CREATE TABLE IF NOT EXISTS %(summary)s (
                    company_id integer NOT NULL,
                    partner_id integer NOT NULL,
                    last_purchase timestamp,
                    frequency integer NOT NULL,
                    monetary numeric NOT NULL,
                    order_count integer NOT NULL,
                    lifetime_spend numeric NOT NULL,
                    date_fingerprint float8,
                    median_interval float8,
                    PRIMARY KEY (company_id, partner_id)
                );
                CREATE TABLE IF NOT EXISTS %(dirty)s (
                    company_id integer NOT NULL,
                    partner_id integer NOT NULL
                );
                CREATE INDEX IF NOT EXISTS %(dirty_index)s ON %(dirty)s (company_id);
                -- per company, the window start its summary counts from
                CREATE TABLE IF NOT EXISTS %(state)s (
                    company_id integer PRIMARY KEY,
                    window_start timestamp NOT NULL
                )
                """,
                summary=_id(SUMMARY),
                dirty=_id(DIRTY),
                dirty_index=_id(f"{DIRTY}_company_index"),
                state=_id(STATE),
            )
        )
        self._summary_triggers()
        # customers deleted before their trigger existed (an upgrade)
        cr.execute(
            SQL(
                """DELETE FROM %s s
                    WHERE NOT EXISTS (SELECT 1 FROM res_partner p WHERE p.id = s.partner_id)""",
                _id(SUMMARY),
            )
        )
        return res

    # ------------------------------------------------------------------
    # Triggers
    # ------------------------------------------------------------------
    @api.model
    def _summary_function_body(self, watch):
        """Note the (company, customer) of the rows that count, inserted or
        deleted, and of those whose read columns changed and that count
        before or after (both customers and companies when they changed)."""
        partner = _id("r", watch.partner_column)
        columns = ("company_id", watch.partner_column, *watch.columns)
        return SQL(
            """
            IF TG_OP = 'INSERT' THEN
                INSERT INTO %(dirty)s (company_id, partner_id)
                SELECT DISTINCT r.company_id, %(partner)s FROM new_rows r
                 WHERE %(partner)s IS NOT NULL AND r.company_id IS NOT NULL AND %(counted)s;
            ELSIF TG_OP = 'DELETE' THEN
                INSERT INTO %(dirty)s (company_id, partner_id)
                SELECT DISTINCT r.company_id, %(partner)s FROM old_rows r
                 WHERE %(partner)s IS NOT NULL AND r.company_id IS NOT NULL AND %(counted)s;
            ELSE
                INSERT INTO %(dirty)s (company_id, partner_id)
                SELECT DISTINCT k.company_id, k.partner_id
                  FROM (SELECT r.*, COALESCE(%(counted)s, FALSE) AS retail_counted
                          FROM old_rows r) o
                  JOIN (SELECT r.*, COALESCE(%(counted)s, FALSE) AS retail_counted
                          FROM new_rows r) n ON n.id = o.id,
                       LATERAL (VALUES (o.company_id, o.%(column)s),
                                       (n.company_id, n.%(column)s)) k(company_id, partner_id)
                 WHERE (o.retail_counted OR n.retail_counted) AND %(changed)s
                   AND k.partner_id IS NOT NULL AND k.company_id IS NOT NULL;
            END IF;""",
            dirty=_id(DIRTY),
            partner=partner,
            column=_id(watch.partner_column),
            counted=watch.counted,
            changed=rows_changed(columns),
        )

    @api.model
    def _summary_triggers(self):
        """(Re)create the triggers of the watched tables and of res_partner;
        the SQL is this module's and the sources' constants."""
        cr = self.env.cr
        watches = self.env["retail.purchase"]._watches() or []
        for watch in watches:
            function = FUNCTION.format(watch.table)
            trigger_function(cr, function, self._summary_function_body(watch))
            for event in ("INSERT", "DELETE", "UPDATE"):
                statement_trigger(cr, f"{function}_{event.lower()}", watch.table, event, function)
        # a contact joining or leaving a company moves its documents from one
        # customer to another: a row trigger, fired only when Odoo writes the
        # column and it changes (partners are written often), not when a new
        # partner gets its first one (its documents are noted by their own)
        trigger_function(
            cr,
            PARTNER_FUNCTION,
            SQL(
                """
                INSERT INTO %s (company_id, partner_id)
                SELECT c.id, v.partner_id
                  FROM res_company c,
                       (VALUES (OLD.commercial_partner_id), (NEW.commercial_partner_id))
                       v(partner_id)
                 WHERE v.partner_id IS NOT NULL;""",
                _id(DIRTY),
            ),
        )
        cr.execute(
            SQL(
                """
                DROP TRIGGER IF EXISTS %(function)s ON res_partner;
                CREATE TRIGGER %(function)s AFTER UPDATE OF commercial_partner_id ON res_partner
                   FOR EACH ROW
                  WHEN (OLD.commercial_partner_id IS NOT NULL
                        AND OLD.commercial_partner_id IS DISTINCT FROM NEW.commercial_partner_id)
               EXECUTE FUNCTION %(function)s()
                """,
                function=_id(PARTNER_FUNCTION),
            )
        )
        trigger_function(
            cr,
            PARTNER_DELETED,
            SQL("DELETE FROM %s s USING old_rows r WHERE s.partner_id = r.id;", _id(SUMMARY)),
        )
        statement_trigger(cr, PARTNER_DELETED, "res_partner", "DELETE", PARTNER_DELETED)

    @api.model
    def _summary_usable(self):
        """Whether every purchase source is watched by its triggers (one
        query); a source added since the triggers were made gets its own,
        and every company's summary is built again."""
        watches = self.env["retail.purchase"]._watches()
        if watches is None:
            return False
        names = sorted({FUNCTION.format(watch.table) + "_update" for watch in watches})
        names.append(PARTNER_DELETED)
        self.env.cr.execute(SQL("SELECT count(*) FROM pg_trigger WHERE tgname = ANY(%s)", names))
        if self.env.cr.fetchone()[0] < len(names):
            self._summary_triggers()
            self.env.cr.execute(SQL("DELETE FROM %s", _id(STATE)))
        return True

    @api.model
    def _summary_drop(self):
        """Uninstall: the triggers (with their functions) and the tables."""
        cr = self.env.cr
        cr.execute(
            SQL(
                "SELECT proname FROM pg_proc WHERE proname LIKE %s",
                FUNCTION.format("%"),
            )
        )
        functions = [name for (name,) in cr.fetchall()] + [PARTNER_FUNCTION, PARTNER_DELETED]
        for function in functions:
            cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", _id(function)))
        for table in (SUMMARY, DIRTY, STATE):
            cr.execute(SQL("DROP TABLE IF EXISTS %s", _id(table)))

    # ------------------------------------------------------------------
    # Build and refresh
    # ------------------------------------------------------------------
    def _summary_insert_sql(self, company, window_start, partner_filter):
        return SQL(
            """
            INSERT INTO %(summary)s (
                company_id, partner_id, last_purchase, frequency, monetary, order_count,
                lifetime_spend, date_fingerprint, median_interval)
            SELECT %(company)s, m.partner_id, m.last_purchase, m.frequency, m.monetary,
                   m.order_count, m.lifetime_spend, m.date_fingerprint, m.median_interval
              FROM (%(metrics)s) m
            """,
            summary=_id(SUMMARY),
            company=company.id,
            metrics=self._metrics_sql(company, window_start, partner_filter, exact=True),
        )

    @api.model
    def _summary_build(self, company, window_start):
        """The company's summary from every document (its first regrade, or
        on demand); return the customers summed."""
        cr = self.env.cr
        self.env["retail.purchase"]._flush()
        cr.execute(
            SQL(
                """
                DELETE FROM %(dirty)s WHERE company_id = %(company)s;
                DELETE FROM %(summary)s WHERE company_id = %(company)s
                """,
                dirty=_id(DIRTY),
                summary=_id(SUMMARY),
                company=company.id,
            )
        )
        cr.execute(self._summary_insert_sql(company, window_start, SQL("TRUE")))
        count = cr.rowcount
        cr.execute(
            SQL(
                """
                INSERT INTO %(state)s (company_id, window_start) VALUES (%(company)s, %(start)s)
                ON CONFLICT (company_id) DO UPDATE SET window_start = EXCLUDED.window_start;
                ANALYZE %(summary)s
                """,
                state=_id(STATE),
                company=company.id,
                start=window_start,
                summary=_id(SUMMARY),
            )
        )
        _logger.info("Retail customer summary of %s built: %s customers", company.name, count)
        return count

    @api.model
    def _summary_refresh(self, company, window_start):
        """Bring the company's summary to now and to ``window_start``: the
        noted customers recomputed from their documents, the others' window
        figures moved from the summary's window start to this one. A
        constant number of statements; return the customers recomputed and
        the ids noted (the only ones whose rows may have gone: None when
        the summary was built from scratch).

        A document committed by another transaction while this runs is
        either read by it or noted for the next refresh, which recomputes
        its customer (the note stays until a refresh takes it). One
        exception, until that next refresh: a back-dated document in the
        slice the window moves over, of a customer not noted before, is
        taken off once too many (see the ROADMAP)."""
        cr = self.env.cr
        self.env["retail.purchase"]._flush()
        self.env["res.partner"].flush_model(["commercial_partner_id"])
        cr.execute(
            SQL(
                "SELECT window_start FROM %s WHERE company_id = %s FOR UPDATE",
                _id(STATE),
                company.id,
            )
        )
        row = cr.fetchone()
        if not row:
            return self._summary_build(company, window_start), None
        # the noted contacts, their customers (commercial partners), and the
        # customers themselves (a contact that was deleted or left)
        cr.execute(
            SQL(
                """
                WITH noted AS (DELETE FROM %(dirty)s WHERE company_id = %(company)s
                               RETURNING partner_id)
                SELECT COALESCE(array_agg(DISTINCT x), '{}') FROM (
                    SELECT partner_id FROM noted
                     UNION ALL
                    SELECT p.commercial_partner_id FROM noted n
                      JOIN res_partner p ON p.id = n.partner_id
                ) ids(x) WHERE x IS NOT NULL
                """,
                dirty=_id(DIRTY),
                company=company.id,
            )
        )
        ids = cr.fetchone()[0]
        if ids:
            cr.execute(
                SQL(
                    "DELETE FROM %s WHERE company_id = %s AND partner_id = ANY(%s)",
                    _id(SUMMARY),
                    company.id,
                    ids,
                )
            )
        if row[0] != window_start:
            cr.execute(self._summary_move_window_sql(company, row[0], window_start))
        count = 0
        if ids:
            cr.execute(
                self._summary_insert_sql(
                    company, window_start, SQL("p.commercial_partner_id = ANY(%s)", ids)
                )
            )
            count = cr.rowcount
        cr.execute(
            SQL(
                "UPDATE %s SET window_start = %s WHERE company_id = %s",
                _id(STATE),
                window_start,
                company.id,
            )
        )
        return count, ids

    def _summary_move_window_sql(self, company, old, new):
        """Move the window figures from ``old`` to ``new``: the documents
        dated between them leave the window (``new`` later) or enter it
        (``new`` earlier, a longer window)."""
        sign, low, high = (1, old, new) if new > old else (-1, new, old)
        return SQL(
            """
            UPDATE %(summary)s s
               SET frequency = s.frequency - %(sign)s * d.frequency,
                   monetary = s.monetary - %(sign)s * d.monetary
              FROM (SELECT partner_id,
                           COUNT(*) FILTER (WHERE is_order = 1) AS frequency,
                           COALESCE(SUM(amount), 0)::numeric AS monetary
                      FROM (%(rows)s) o
                     WHERE d >= %(low)s AND d < %(high)s
                  GROUP BY partner_id) d
             WHERE s.company_id = %(company)s AND s.partner_id = d.partner_id
            """,
            summary=_id(SUMMARY),
            sign=sign,
            rows=self.env["retail.purchase"]._rows_sql(company, date_from=low),
            low=low,
            high=high,
            company=company.id,
        )

    def _summary_metrics_sql(self, company):
        """The company's summary as the staged metrics (``METRIC_COLUMNS``)."""
        return SQL(
            """
            SELECT partner_id, last_purchase, frequency, monetary::float8 AS monetary,
                   order_count, lifetime_spend::float8 AS lifetime_spend, date_fingerprint,
                   median_interval
              FROM %s WHERE company_id = %s
            """,
            _id(SUMMARY),
            company.id,
        )
