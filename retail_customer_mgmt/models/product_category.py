from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.returns import effective_policy, last_return_day, outside_window


class ProductCategory(models.Model):
    _inherit = "product.category"

    retail_return_policy = fields.Boolean(
        "Return Window",
        help="Returns of this category's products are accepted for a number of days after "
        "the purchase. Without a window of its own, a category follows its parent's.",
    )
    retail_return_days = fields.Integer(
        "Return Days",
        default=7,
        help="Days after the purchase (the delivery, when there was one) during which a "
        "return is accepted, e.g. 7 for 7-day no-reason returns; 0 = final sale. Past it, "
        "only a retail manager may accept a return, with a reason.",
    )
    retail_return_conditions = fields.Text(
        "Return Conditions",
        translate=True,
        help="Shown to staff handling a return, e.g. 'unopened, with the receipt'.",
    )

    @api.constrains("retail_return_days")
    def _check_retail_return_days(self):
        if any(category.retail_return_days < 0 for category in self):
            raise ValidationError(self.env._("The return window cannot be negative."))

    def _retail_return_policy(self):
        """The policy of the category (its own, else the nearest parent's)."""
        self.ensure_one()
        chain = self.browse([int(i) for i in reversed(self.parent_path.split("/")[:-1])])
        return effective_policy(
            [
                (c.display_name, c.retail_return_days if c.retail_return_policy else None)
                for c in chain
            ]
        )

    @api.model
    def _retail_check_return_window(self, order, products, reason):
        """Refuse a return of ``products`` bought with ``order`` (a sales
        order: from its delivery, else its date; a POS order: its date)
        outside their categories' windows, unless a retail manager gives
        ``reason``.

        :return: the text to keep on the document when a manager overrode the
            policy, else an empty string
        """
        bought = order.effective_date if order._name == "sale.order" else False
        purchased_on = fields.Date.to_date(bought or order.date_order)
        today = fields.Date.context_today(self)
        late = []
        for product in products:
            policy = product.categ_id.sudo()._retail_return_policy()
            if outside_window(purchased_on, policy, today):
                late.append(
                    self.env._(
                        "%(product)s (%(category)s: %(days)s days, until %(last)s)",
                        product=product.display_name,
                        category=policy.category,
                        days=policy.days,
                        last=last_return_day(purchased_on, policy),
                    )
                )
        if not late:
            return ""
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise UserError(
                self.env._(
                    "The return window is over for %s. Only a retail manager may accept "
                    "this return.",
                    ", ".join(late),
                )
            )
        if not (reason or "").strip():
            raise UserError(
                self.env._(
                    "The return window is over for %s: write why you accept this return "
                    "anyway (policy override reason).",
                    ", ".join(late),
                )
            )
        return self.env._(
            "Return accepted outside the window by %(user)s for %(products)s: %(reason)s",
            user=self.env.user.name,
            products=", ".join(late),
            reason=reason.strip(),
        )
