from odoo import fields, models


class RetailFeedback(models.Model):
    """Return requests follow the return policy of the products' categories."""

    _inherit = "retail.feedback"

    return_override_reason = fields.Text(
        "Policy Override Reason",
        tracking=True,
        copy=False,
        help="Why a retail manager accepts this return outside the return window.",
    )

    def action_create_return(self):
        self.ensure_one()
        order = self.sale_order_id
        if order and order.state == "sale":
            override = self.env["product.category"]._retail_check_return_window(
                order,
                self.product_id or order.order_line.product_id,
                self.return_override_reason,
            )
            if override:
                self.message_post(body=override)
        return super().action_create_return()
