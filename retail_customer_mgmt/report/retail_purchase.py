from typing import NamedTuple

from odoo import api, models
from odoo.tools import SQL


class PurchaseQuery(NamedTuple):
    """What a source's queries are asked for."""

    company: models.BaseModel
    # SQL condition on ``p.commercial_partner_id`` (``p`` = the document's partner)
    partner_filter: SQL
    # only documents dated from this datetime (None: all)
    date_from: object = None
    # "changed since" queries: documents written since ``since``, or dated
    # between ``old_window_start`` and ``window_start`` (they left the window)
    since: object = None
    old_window_start: object = None
    window_start: object = None


class Watch(NamedTuple):
    """A table whose rows are a source's documents, for the triggers that
    keep the per-customer summary of the regrade (see
    ``models/retail_grade_run_summary.py``): a row inserted or deleted, or
    one of ``columns`` changed, makes its customer's history dirty when the
    row counts (``counted``, an SQL condition on the row's alias ``r``)
    before or after."""

    table: str
    # the column of the customer the row belongs to (a contact or a company)
    partner_column: str
    # every column of the row that the source's rows read
    columns: tuple
    # the condition under which the source counts the row, on alias "r"
    counted: SQL


# the columns of a sales or POS order that its purchase row reads
ORDER_WATCHED = ("state", "date_order", "amount_total", "currency_rate")


class PurchaseSource(NamedTuple):
    """One kind of document that counts as a purchase (or nets one out)."""

    # one row per counted document: source, partner_id (commercial), d
    # (datetime), amount (company currency, negative for refunds), is_order
    # (1 for a purchase, 0 for a refund or credit note) and doc_id
    rows: SQL
    # partner_id (the document's partner, not its commercial partner) of the
    # documents whose row may have changed, as asked by the query
    changed: SQL
    # models whose pending writes the queries read
    models: tuple
    # product lines of the documents: doc_id, product_id, qty (negative for
    # refunds); None for a source without product lines
    lines: SQL | None = None
    # the tables whose triggers keep the regrade's per-customer summary up to
    # date; None for a source without them: its company's regrades then read
    # every history (see ``retail.grade.run._summary_usable``)
    watch: tuple | None = None


def date_filter(column, value):
    """``column >= value``, or TRUE when there is no value."""
    return SQL("%s >= %s", SQL(column), value) if value is not None else SQL("TRUE")


def changed_documents(
    table, query, date_column, partner_column="partner_id", where=None, by_day=False
):
    """The "changed since" query of a source whose documents live in
    ``table``: the partners of those written since ``query.since`` or dated
    between the old and the new window start (compared as days when
    ``by_day``, for a Date column)."""
    old, new = query.old_window_start, query.window_start
    if by_day:
        old, new = old and old.date(), new and new.date()
    return SQL(
        """
        SELECT %(partner)s AS partner_id FROM %(table)s
         WHERE company_id = %(company)s AND %(where)s
           AND (write_date >= %(since)s OR (%(date)s >= %(old)s AND %(date)s < %(new)s))
        """,
        partner=SQL.identifier(partner_column),
        table=SQL.identifier(table),
        company=query.company.id,
        where=where or SQL("TRUE"),
        since=query.since,
        date=SQL.identifier(date_column),
        old=old,
        new=new,
    )


class RetailPurchase(models.AbstractModel):
    """What counts as a purchase, with one method per source.

    Every retail figure (purchase statistics, tiers, grading and its
    incremental regrade, recommendations, dashboard, exports, birthday
    greetings) reads the rows of :meth:`_rows_sql`, the sources joined with
    UNION ALL, in the way ``sale/report/sale_report.py`` builds its query from
    ``_select_sale``/``_from_sale``/``_where_sale`` and ``pos_sale`` adds the
    POS orders to it.

    A source is a method named ``_source_<name>(query)`` returning a
    :class:`PurchaseSource`: the rows it counts and, paired with them, the
    query finding the customers whose rows changed, so that an incremental
    regrade cannot forget a source. Another module adds a source by adding
    one such method to this model.
    """

    _name = "retail.purchase"
    _description = "Retail Purchases"

    SOURCE_PREFIX = "_source_"

    @api.model
    def _get_source_names(self):
        cls = type(self)
        return sorted(
            name[len(self.SOURCE_PREFIX) :]
            for name in dir(cls)
            if name.startswith(self.SOURCE_PREFIX) and callable(getattr(cls, name))
        )

    @api.model
    def _sources(self, query):
        return {
            name: getattr(self, self.SOURCE_PREFIX + name)(query)
            for name in self._get_source_names()
        }

    # ------------------------------------------------------------------
    # Sources
    # ------------------------------------------------------------------
    @api.model
    def _source_sale(self, query):
        """Confirmed sales orders, in company currency at the order's rate."""
        return PurchaseSource(
            rows=SQL(
                """
                SELECT 'sale' AS source,
                       p.commercial_partner_id AS partner_id,
                       so.date_order AS d,
                       so.amount_total / COALESCE(NULLIF(so.currency_rate, 0), 1) AS amount,
                       1 AS is_order,
                       so.id AS doc_id
                  FROM sale_order so
                  JOIN res_partner p ON p.id = so.partner_id
                 WHERE so.state = 'sale' AND so.company_id = %s AND %s AND %s
                """,
                query.company.id,
                query.partner_filter,
                date_filter("so.date_order", query.date_from),
            ),
            changed=changed_documents("sale_order", query, "date_order"),
            models=("sale.order", "sale.order.line"),
            watch=(
                Watch(
                    "sale_order",
                    "partner_id",
                    ORDER_WATCHED,
                    SQL("r.state = 'sale'"),
                ),
            ),
            # reward, down-payment and note lines are not products bought
            lines=SQL(
                """
                SELECT l.order_id AS doc_id, l.product_id, l.product_uom_qty AS qty
                  FROM sale_order_line l
                 WHERE l.product_id IS NOT NULL AND l.display_type IS NULL
                   AND NOT COALESCE(l.is_downpayment, FALSE) AND l.reward_id IS NULL
                """
            ),
        )

    @api.model
    def _source_pos(self, query):
        """Paid POS orders; a POS refund (negative total) nets out the spend."""
        return PurchaseSource(
            rows=SQL(
                """
                SELECT 'pos' AS source,
                       p.commercial_partner_id AS partner_id,
                       po.date_order AS d,
                       po.amount_total / COALESCE(NULLIF(po.currency_rate, 0), 1) AS amount,
                       CASE WHEN po.amount_total >= 0 THEN 1 ELSE 0 END AS is_order,
                       po.id AS doc_id
                  FROM pos_order po
                  JOIN res_partner p ON p.id = po.partner_id
                 WHERE po.state IN ('paid', 'done', 'invoiced')
                   AND po.company_id = %s AND %s AND %s
                """,
                query.company.id,
                query.partner_filter,
                date_filter("po.date_order", query.date_from),
            ),
            changed=changed_documents("pos_order", query, "date_order"),
            models=("pos.order", "pos.order.line"),
            watch=(
                Watch(
                    "pos_order",
                    "partner_id",
                    ORDER_WATCHED,
                    SQL("r.state IN ('paid', 'done', 'invoiced')"),
                ),
            ),
            lines=SQL(
                """
                SELECT l.order_id AS doc_id, l.product_id, l.qty
                  FROM pos_order_line l
                 WHERE l.reward_id IS NULL AND NOT COALESCE(l.is_reward_line, FALSE)
                """
            ),
        )

    @api.model
    def _source_sale_refund(self, query):
        """Posted credit notes of sales orders: they net out the spend."""
        return PurchaseSource(
            rows=SQL(
                """
                SELECT 'sale_refund' AS source,
                       p.commercial_partner_id AS partner_id,
                       am.date::timestamp AS d,
                       am.amount_total_signed AS amount,
                       0 AS is_order,
                       am.id AS doc_id
                  FROM account_move am
                  JOIN res_partner p ON p.id = am.commercial_partner_id
                 WHERE am.move_type = 'out_refund' AND am.state = 'posted'
                   AND am.company_id = %s AND %s AND %s
                   AND EXISTS (
                        SELECT 1
                          FROM account_move_line aml
                          JOIN sale_order_line_invoice_rel rel ON rel.invoice_line_id = aml.id
                         WHERE aml.move_id = am.id)
                """,
                query.company.id,
                query.partner_filter,
                date_filter("am.date", query.date_from and query.date_from.date()),
            ),
            changed=changed_documents(
                "account_move",
                query,
                "date",
                partner_column="commercial_partner_id",
                where=SQL("move_type = 'out_refund'"),
                by_day=True,
            ),
            models=("account.move", "account.move.line"),
            # a credit note is linked to its sales order lines before it is
            # posted: its state, date or amount changing is what is watched
            watch=(
                Watch(
                    "account_move",
                    "commercial_partner_id",
                    ("move_type", "state", "date", "amount_total_signed"),
                    SQL("r.move_type = 'out_refund' AND r.state = 'posted'"),
                ),
            ),
            lines=SQL(
                """
                SELECT l.move_id AS doc_id, l.product_id, -l.quantity AS qty
                  FROM account_move_line l
                 WHERE l.display_type = 'product' AND l.product_id IS NOT NULL
                """
            ),
        )

    # ------------------------------------------------------------------
    # Queries over every source
    # ------------------------------------------------------------------
    @api.model
    def _flush(self):
        """Flush what the sources read (call before executing their SQL)."""
        names = set()
        for source in self._sources(PurchaseQuery(self.env.company, SQL("TRUE"))).values():
            names.update(source.models)
        for name in sorted(names):
            self.env[name].flush_model()
        self.env["res.partner"].flush_model(["commercial_partner_id"])

    @api.model
    def _watches(self):
        """The watched tables of every source (see :class:`Watch`), or None
        when a source has none. No company: only the sources' declarations
        are read (the companies' columns may not exist yet at install)."""
        sources = self._sources(PurchaseQuery(self.env["res.company"], SQL("TRUE")))
        if any(source.watch is None for source in sources.values()):
            return None
        return [watch for source in sources.values() for watch in source.watch]

    @api.model
    def _rows_sql(self, company, partner_filter=None, date_from=None):
        """Every counted document of ``company``, one row each (the columns
        of :attr:`PurchaseSource.rows`).

        :param partner_filter: SQL condition on ``p.commercial_partner_id``
        :param date_from: only documents dated from then
        """
        query = PurchaseQuery(company, partner_filter or SQL("TRUE"), date_from)
        return SQL(" UNION ALL ").join(source.rows for source in self._sources(query).values())

    @api.model
    def _aggregates_sql(self, company, partner_ids=None, date_from=None):
        """Per source and customer: amount, order_count, first_date, last_date."""
        partner_filter = None
        if partner_ids is not None:
            partner_filter = SQL("p.commercial_partner_id = ANY(%s)", list(partner_ids))
        return SQL(
            """
            SELECT source, partner_id,
                   SUM(amount) AS amount,
                   COUNT(*) FILTER (WHERE is_order = 1) AS order_count,
                   MIN(d) FILTER (WHERE is_order = 1) AS first_date,
                   MAX(d) FILTER (WHERE is_order = 1) AS last_date
              FROM (%s) o
          GROUP BY source, partner_id
            """,
            self._rows_sql(company, partner_filter, date_from),
        )

    @api.model
    def _changed_buyers_sql(self, company, since, old_window_start, window_start):
        """Commercial partners whose rows may have changed since ``since``: a
        document of any source written since then (new, paid, cancelled,
        refunded...) or dated between ``old_window_start`` and
        ``window_start`` (it left an analysis window), or a contact written
        since then (it may have moved to another company)."""
        query = PurchaseQuery(company, SQL("TRUE"), None, since, old_window_start, window_start)
        changed = [source.changed for source in self._sources(query).values()]
        changed.append(SQL("SELECT id FROM res_partner WHERE write_date >= %s", since))
        return SQL(
            """
            SELECT DISTINCT p.commercial_partner_id
              FROM (%s) t
              JOIN res_partner p ON p.id = t.partner_id
            """,
            SQL(" UNION ALL ").join(changed),
        )

    @api.model
    def _lines_sql(self, company, date_from=None):
        """Product lines of the counted documents of ``company`` (dated from
        ``date_from`` when given): partner_id (commercial), product_id,
        source, doc_id, d (date), qty (negative for refunds and credit
        notes)."""
        sources = self._sources(PurchaseQuery(company, SQL("TRUE"), date_from))
        parts = [
            SQL(
                """
                SELECT d.partner_id, l.product_id, d.source, d.doc_id, d.d, l.qty
                  FROM docs d
                  JOIN (%s) l ON l.doc_id = d.doc_id
                 WHERE d.source = %s
                """,
                source.lines,
                name,
            )
            for name, source in sources.items()
            if source.lines is not None
        ]
        return SQL(
            "WITH docs AS MATERIALIZED (%s) %s",
            self._rows_sql(company, date_from=date_from),
            SQL(" UNION ALL ").join(parts),
        )
