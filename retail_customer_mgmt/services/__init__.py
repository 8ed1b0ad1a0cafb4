"""Pure business rules of retail_customer_mgmt.

Nothing in this package imports odoo: the rules take plain Python values and
return plain Python values, so they are tested in milliseconds and reused by
models, scheduled jobs and benchmarks alike.
"""
