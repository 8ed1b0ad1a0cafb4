from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop the triggers that follow the sale and POS lines for the stored
    product months, the stock moves for the low-stock scan's stored pace and
    the orders, credit notes and contacts for the regrade's summary,
    and the tables beside the models (Odoo drops the tables of the models,
    not the triggers, nor tables that are not models)."""
    env["retail.product.month"]._drop_triggers()
    env["retail.product.pair"]._drop_state()
    env["retail.stock.alert"]._retail_pace_drop()
    env["retail.grade.run"]._summary_drop()
