from odoo import fields, models


class RepairOrder(models.Model):
    _inherit = "repair.order"

    retail_feedback_id = fields.Many2one(
        "retail.feedback",
        string="Feedback Ticket",
        readonly=True,
        copy=False,
        index="btree_not_null",
    )
