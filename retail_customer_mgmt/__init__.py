from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Drop the triggers that follow the sale and POS lines for the stored
    product months (Odoo drops the tables of the models, not the triggers)."""
    env["retail.product.month"]._drop_triggers()
