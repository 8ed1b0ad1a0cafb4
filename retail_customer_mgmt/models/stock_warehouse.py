from odoo import fields, models


class StockWarehouse(models.Model):
    _inherit = "stock.warehouse"

    retail_responsible_id = fields.Many2one(
        "res.users",
        string="Stock Alert Responsible",
        help="Receives the low-stock activities of products without a responsible.",
    )
