from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ProductTemplate(models.Model):
    _inherit = "product.template"

    retail_alert_below = fields.Float(
        string="Alert Below",
        digits="Product Unit of Measure",
        help="Open a low-stock alert when the forecast falls below this quantity in a "
        "warehouse (used when the warehouse has no reordering rule for the product).",
    )
    # low-stock alerts are read by stock and retail users only (salespeople
    # and cashiers read products too, and must not fail on this count)
    retail_stock_alert_count = fields.Integer(
        compute="_compute_retail_stock_alert_count",
        groups="stock.group_stock_user,retail_customer_mgmt.group_retail_user",
    )

    @api.constrains("retail_alert_below")
    def _check_retail_alert_below(self):
        for template in self:
            if template.retail_alert_below < 0:
                raise ValidationError(
                    self.env._(
                        "The low-stock alert quantity of %s cannot be negative.", template.name
                    )
                )

    def _compute_retail_stock_alert_count(self):
        data = dict(
            self.env["retail.stock.alert"]._read_group(
                [("product_tmpl_id", "in", self.ids), ("state", "=", "open")],
                ["product_tmpl_id"],
                ["__count"],
            )
        )
        for template in self:
            template.retail_stock_alert_count = data.get(template, 0)

    def action_retail_view_stock_alerts(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_stock_alert_action"
        )
        action["domain"] = [("product_tmpl_id", "=", self.id)]
        return action
