"""Settings of the transactions of the addon's set-based jobs and reports,
shared by the regrade, the low-stock scan and the product analysis; and the
statement-level triggers of the tables they keep beside Odoo's."""

from odoo.tools import SQL

# the transition tables of a statement-level trigger, per event
TRANSITIONS = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}


def no_jit(cr):
    """No JIT compilation for the rest of the transaction: the plans of
    statements over millions of rows cost enough for PostgreSQL to compile
    and optimise them, which took longer than the statements themselves
    (19 s of 31 s for the product analysis at 100,000 products)."""
    cr.execute("SET LOCAL jit = off")


def heavy_job_settings(cr):
    """The settings of a scheduled job's transaction (again after each
    commit): its statements read millions of rows once, so sort and group
    in memory, and no JIT compilation (it costs more than it saves here)."""
    cr.execute("SET LOCAL work_mem = '256MB'; SET LOCAL jit = off")


def statement_trigger(cr, name, table, event, function):
    """(Re)create the trigger ``name`` that runs ``function`` after each
    statement of ``event`` on ``table``, with its transition tables
    (``new_rows``, ``old_rows``). The names are the module's constants."""
    cr.execute(SQL("DROP TRIGGER IF EXISTS %s ON %s", SQL.identifier(name), SQL.identifier(table)))
    cr.execute(
        SQL(
            "CREATE TRIGGER %s AFTER %s ON %s REFERENCING %s "
            "FOR EACH STATEMENT EXECUTE FUNCTION %s()",
            SQL.identifier(name),
            SQL(event),
            SQL.identifier(table),
            SQL(TRANSITIONS[event]),
            SQL.identifier(function),
        )
    )


def trigger_function(cr, name, body, block=True):
    """(Re)create the PL/pgSQL trigger function ``name``: ``body`` followed
    by ``RETURN NULL`` in a block, or, with ``block=False``, ``body`` as the
    whole block (one with its own DECLARE). The SQL is the module's."""
    if block:
        body = SQL("BEGIN %s RETURN NULL; END", body)
    cr.execute(
        SQL(
            "CREATE OR REPLACE FUNCTION %s() RETURNS trigger LANGUAGE plpgsql AS $$ %s $$",
            SQL.identifier(name),
            body,
        )
    )


def rows_changed(columns):
    """``(o.a, o.b) IS DISTINCT FROM (n.a, n.b)``: whether ``columns`` differ
    between the old row ``o`` and the new row ``n`` of an update."""
    columns = list(columns)
    return SQL(
        "(%s) IS DISTINCT FROM (%s)",
        SQL(", ").join(SQL.identifier("o", name) for name in columns),
        SQL(", ").join(SQL.identifier("n", name) for name in columns),
    )
