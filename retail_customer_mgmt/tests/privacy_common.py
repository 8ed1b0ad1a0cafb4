from odoo.tools import SQL

# the column types personal data is written in
TEXT_TYPES = ("character varying", "text", "jsonb")


def scan_database(cr, terms):
    """``{(table, column): number of rows}`` of every text, varchar and jsonb
    column of every table of the database holding one of ``terms``
    (case-insensitive). One query per table."""
    cr.execute(
        """
        SELECT c.table_name, array_agg(c.column_name::text ORDER BY c.column_name)
          FROM information_schema.columns c
          JOIN information_schema.tables t
            ON t.table_schema = c.table_schema AND t.table_name = c.table_name
         WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'
           AND c.data_type IN %s
         GROUP BY c.table_name
        """,
        [TEXT_TYPES],
    )
    patterns = [f"%{term}%" for term in terms]
    found = {}
    for table, columns in cr.fetchall():
        matches = [
            SQL("COUNT(*) FILTER (WHERE %s::text ILIKE ANY(%s))", SQL.identifier(col), patterns)
            for col in columns
        ]
        cr.execute(SQL("SELECT %s FROM %s", SQL(", ").join(matches), SQL.identifier(table)))
        for column, count in zip(columns, cr.fetchone(), strict=True):
            if count:
                found[(table, column)] = count
    return found


def scan_rows(cr, table, column, terms, where=None):
    """The ids of the rows of ``table`` whose ``column`` holds one of ``terms``
    (and match ``where``, an SQL condition)."""
    cr.execute(
        SQL(
            "SELECT id FROM %s WHERE %s::text ILIKE ANY(%s) AND %s ORDER BY id",
            SQL.identifier(table),
            SQL.identifier(column),
            [f"%{term}%" for term in terms],
            where or SQL("TRUE"),
        )
    )
    return [row[0] for row in cr.fetchall()]
