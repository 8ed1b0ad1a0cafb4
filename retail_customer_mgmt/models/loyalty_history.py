from odoo import fields, models


class LoyaltyHistory(models.Model):
    _inherit = "loyalty.history"

    retail_kind = fields.Selection(
        [
            ("earn", "Earned"),
            ("refund", "Refund"),
            ("cancel", "Cancelled Order"),
            ("expire", "Expired"),
            ("adjust", "Manual Adjustment"),
            ("compensation", "Compensation"),
        ],
        string="Retail Movement",
        readonly=True,
        index=True,
    )
    retail_key = fields.Char(
        readonly=True,
        copy=False,
        help="Idempotency key: a movement with the same key is never written twice.",
    )
    retail_date = fields.Datetime(
        string="Effective Date", readonly=True, default=fields.Datetime.now
    )
    retail_expiry_date = fields.Date(string="Points Expire On", readonly=True)
    retail_base_amount = fields.Float(
        string="Base Amount",
        readonly=True,
        help="Amount the points were earned on, or the refunded amount of a refund.",
    )
    retail_earn_id = fields.Many2one(
        "loyalty.history",
        string="Earning Movement",
        readonly=True,
        index="btree_not_null",
        ondelete="restrict",
    )
    retail_sale_order_id = fields.Many2one(
        "sale.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    retail_pos_order_id = fields.Many2one(
        "pos.order", readonly=True, index="btree_not_null", ondelete="set null"
    )
    retail_move_id = fields.Many2one(
        "account.move", readonly=True, index="btree_not_null", ondelete="set null"
    )
    retail_tier_id = fields.Many2one("retail.tier", readonly=True, ondelete="set null")
    retail_multiplier = fields.Float(readonly=True)
    retail_user_id = fields.Many2one(
        "res.users", string="Adjusted By", readonly=True, ondelete="set null"
    )

    _sql_constraints = [
        (
            "retail_key_unique",
            "UNIQUE (retail_key)",
            "This points movement has already been recorded.",
        ),
    ]
