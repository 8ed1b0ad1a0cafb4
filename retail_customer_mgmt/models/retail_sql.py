"""Settings of the transactions of the addon's set-based jobs and reports,
shared by the regrade, the low-stock scan and the product analysis."""


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
