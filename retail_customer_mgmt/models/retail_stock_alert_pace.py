"""The stored pace of the low-stock scan: done deliveries per day.

The scan needs, per product and warehouse, the units delivered to customers
over the last 30 days. Grouping every done delivery of those days at each
scan cost most of its time (300,000 moves for 100,000 products); the table
``retail_stock_pace_day`` holds them summed per company, product, warehouse
(of the source location) and day (UTC), so the scan reads at most 31 small
rows per product below its threshold, through the primary key.

Kept equal to the moves by statement-level triggers on ``stock_move``
(a delivery done, cancelled back, re-dated, moved to another warehouse,
product, quantity or company, deleted: the old row's contribution is taken
off, the new one's added) and on ``stock_location`` (a location whose usage
or warehouse changes: the products of its done moves are summed again from
their moves). Built from the moves when the table is created, and by
``_retail_pace_rebuild`` on demand. Not a model: nobody reads it over RPC.
The uninstall hook drops the triggers, their functions and the table.
"""

import logging

from odoo import api, models
from odoo.tools import SQL

from .retail_sql import rows_changed, statement_trigger, trigger_function

_logger = logging.getLogger(__name__)

PACE = "retail_stock_pace_day"
MOVE_FUNCTION = "retail_stock_pace_move_changed"
LOCATION_FUNCTION = "retail_stock_pace_location_changed"
# the columns of a move that decide its contribution to the pace
MOVE_COLUMNS = (
    "state",
    "date",
    "product_id",
    "product_qty",
    "company_id",
    "location_id",
    "location_dest_id",
)

_id = SQL.identifier


def deliveries_sql(moves, sign="+"):
    """The rows ``(company, day, product, warehouse, qty)`` of the done
    deliveries among ``moves`` (a table or transition table name), with
    their quantity signed by ``sign``: what the scan counts as sold from a
    warehouse (source location in a warehouse, destination a customer)."""
    return SQL(
        """
        SELECT m.company_id, (m.date)::date AS day, m.product_id, ls.warehouse_id,
               %(sign)s m.product_qty AS qty
          FROM %(moves)s m
          JOIN stock_location ls ON ls.id = m.location_id
          JOIN stock_location ld ON ld.id = m.location_dest_id
         WHERE m.state = 'done' AND ld.usage = 'customer' AND ls.warehouse_id IS NOT NULL
           AND m.product_qty IS NOT NULL AND m.company_id IS NOT NULL
        """,
        sign=SQL(sign),
        moves=_id(moves),
    )


def add_sql(rows):
    """Add the signed ``rows`` to the stored days (one row per key: ON
    CONFLICT may not touch a row twice in one statement)."""
    return SQL(
        """
        INSERT INTO %(pace)s AS t (company_id, product_id, warehouse_id, day, qty)
        SELECT company_id, product_id, warehouse_id, day, SUM(qty)
          FROM (%(rows)s) d
      GROUP BY company_id, product_id, warehouse_id, day
        HAVING SUM(qty) <> 0
      ORDER BY company_id, product_id, warehouse_id, day
            ON CONFLICT (company_id, product_id, warehouse_id, day)
            DO UPDATE SET qty = t.qty + EXCLUDED.qty
        """,
        pace=_id(PACE),
        rows=rows,
    )


class RetailStockAlert(models.Model):
    _inherit = "retail.stock.alert"

    def init(self):
        res = super().init()
        cr = self.env.cr
        cr.execute(SQL("SELECT to_regclass(%s)", PACE))
        created = cr.fetchone()[0] is None
        cr.execute(
            SQL(
                """CREATE TABLE IF NOT EXISTS %s (
                       company_id integer NOT NULL,
                       product_id integer NOT NULL,
                       warehouse_id integer NOT NULL,
                       day date NOT NULL,
                       qty numeric NOT NULL,
                       -- the scan's read per product and warehouse since a
                       -- day is an index-only range scan of this key
                       PRIMARY KEY (company_id, product_id, warehouse_id, day) INCLUDE (qty)
                   )""",
                _id(PACE),
            )
        )
        self._retail_pace_triggers()
        if created:
            self._retail_pace_rebuild()
        return res

    def _retail_pace_triggers(self):
        cr = self.env.cr
        changed = rows_changed(MOVE_COLUMNS)
        # an update adds the new contribution and takes the old one off, for
        # the rows whose relevant columns changed only (Odoo writes moves often)
        move_body = SQL(
            """
            IF TG_OP = 'INSERT' THEN
                %(insert)s;
            ELSIF TG_OP = 'DELETE' THEN
                %(delete)s;
            ELSE
                %(update)s;
            END IF;""",
            insert=add_sql(deliveries_sql("new_rows")),
            delete=add_sql(deliveries_sql("old_rows", "-")),
            update=add_sql(
                SQL(
                    """
                    WITH o AS (SELECT o.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                                WHERE (o.state = 'done' OR n.state = 'done') AND %(changed)s),
                         n AS (SELECT n.* FROM old_rows o JOIN new_rows n ON n.id = o.id
                                WHERE (o.state = 'done' OR n.state = 'done') AND %(changed)s)
                    %(old)s UNION ALL %(new)s
                    """,
                    changed=changed,
                    old=deliveries_sql("o", "-"),
                    new=deliveries_sql("n"),
                )
            ),
        )
        self._retail_pace_function(MOVE_FUNCTION, move_body)
        location_body = SQL(
            """
            DECLARE locations integer[]; products integer[];
            BEGIN
                SELECT array_agg(n.id) INTO locations
                  FROM old_rows o JOIN new_rows n ON n.id = o.id
                 WHERE (o.usage, o.warehouse_id) IS DISTINCT FROM (n.usage, n.warehouse_id);
                IF locations IS NULL THEN
                    RETURN NULL;
                END IF;
                SELECT array_agg(DISTINCT product_id) INTO products FROM (
                    SELECT product_id FROM stock_move
                     WHERE state = 'done' AND location_id = ANY(locations)
                    UNION
                    SELECT product_id FROM stock_move
                     WHERE state = 'done' AND location_dest_id = ANY(locations)
                ) m;
                IF products IS NOT NULL THEN
                    DELETE FROM %(pace)s WHERE product_id = ANY(products);
                    %(insert)s;
                END IF;
                RETURN NULL;
            END""",
            pace=_id(PACE),
            insert=add_sql(
                SQL(
                    "SELECT * FROM (%s) s WHERE s.product_id = ANY(products)",
                    deliveries_sql("stock_move"),
                )
            ),
        )
        self._retail_pace_function(LOCATION_FUNCTION, location_body, block=False)
        triggers = (
            ("stock_move", MOVE_FUNCTION, "INSERT"),
            ("stock_move", MOVE_FUNCTION, "DELETE"),
            ("stock_move", MOVE_FUNCTION, "UPDATE"),
            ("stock_location", LOCATION_FUNCTION, "UPDATE"),
        )
        for table, function, event in triggers:
            statement_trigger(cr, f"{function}_{event.lower()}", table, event, function)

    def _retail_pace_function(self, name, body, block=True):
        """(Re)create the trigger function ``name`` (see
        ``retail_sql.trigger_function``)."""
        trigger_function(self.env.cr, name, body, block=block)

    @api.model
    def _retail_pace_rebuild(self):
        """Every stored day from the moves (at install, or on demand)."""
        self.env["stock.move"].flush_model()
        self.env["stock.location"].flush_model()
        cr = self.env.cr
        cr.execute(SQL("DELETE FROM %s", _id(PACE)))
        cr.execute(add_sql(deliveries_sql("stock_move")))
        rows = cr.rowcount
        cr.execute(SQL("ANALYZE %s", _id(PACE)))
        _logger.info("Low-stock pace rebuilt: %s product days", rows)

    @api.model
    def _retail_pace_drop(self):
        """Uninstall: the triggers (with their functions) and the table."""
        cr = self.env.cr
        for function in (MOVE_FUNCTION, LOCATION_FUNCTION):
            cr.execute(SQL("DROP FUNCTION IF EXISTS %s() CASCADE", _id(function)))
        cr.execute(SQL("DROP TABLE IF EXISTS %s", _id(PACE)))
