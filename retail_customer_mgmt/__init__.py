from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop the triggers that follow the sale and POS lines for the stored
    product months and the tables beside the models (Odoo drops the tables
    of the models, not the triggers nor the others)."""
    env["retail.product.month"]._drop_triggers()
    env["retail.product.pair"]._drop_state()
