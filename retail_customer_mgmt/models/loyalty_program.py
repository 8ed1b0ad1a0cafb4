from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..services.marketing import promotion_targets


class LoyaltyProgram(models.Model):
    _inherit = "loyalty.program"

    retail_notify_days = fields.Integer(
        "Notify Buyers of the Last (days)",
        default=90,
        help="'Notify interested customers' targets the customers who bought the "
        "promotion's products or categories within this many days.",
    )

    @api.constrains("retail_notify_days")
    def _check_retail_notify_days(self):
        for program in self:
            if program.retail_notify_days <= 0:
                raise ValidationError(
                    self.env._(
                        "Promotion %s: customers to notify bought within at least one day.",
                        program.name,
                    )
                )

    def _retail_filter_retail(self):
        """The programs that are a company's retail points program (one query)."""
        if not self:
            return self
        # sudo: whether a program is retail is company configuration, decided
        # on the server whoever asks (a cashier, a salesperson, an RPC client)
        companies = (
            self.env["res.company"].sudo().search([("retail_loyalty_program_id", "in", self.ids)])
        )
        return self.filtered(lambda program: program in companies.retail_loyalty_program_id)

    def unlink(self):
        if self._retail_filter_retail():
            self.env["loyalty.card"]._retail_refuse(
                self.env._("the retail program holds the customers' ledger")
            )
        return super().unlink()

    def action_retail_notify_customers(self):
        return self._retail_notify("mail")

    def action_retail_notify_customers_sms(self):
        return self._retail_notify("sms")

    def _retail_notify(self, mailing_type):
        """A mailing to the customers who bought the products or categories of
        the promotion within its window (an audience kept per promotion)."""
        self.ensure_one()
        Partner = self.env["res.partner"]
        Partner._retail_check_campaign_rights()
        if self._retail_filter_retail():
            raise UserError(
                self.env._(
                    "%s is the retail points program: notify customers of a promotion or "
                    "coupon program instead.",
                    self.name,
                )
            )
        targets = [(rule.product_ids.ids, rule.product_category_id.id) for rule in self.rule_ids]
        targets += [
            (reward.discount_product_ids.ids, reward.discount_product_category_id.id)
            for reward in self.reward_ids
            if reward.reward_type == "discount" and reward.discount_applicability == "specific"
        ]
        product_ids, category_ids = promotion_targets(targets)
        if not product_ids and not category_ids:
            raise UserError(
                self.env._(
                    "%s applies to every product: name products or a category in its "
                    "conditions or rewards to notify the customers who bought them.",
                    self.name,
                )
            )
        values = {
            "name": self.env._("Buyers for %s", self.name),
            "company_id": self.company_id.id or self.env.company.id,
            "product_ids": [Command.set(sorted(product_ids))],
            "category_ids": [Command.set(sorted(category_ids))],
            "days": self.retail_notify_days,
            "program_id": self.id,
        }
        Audience = self.env["retail.audience"]
        audience = Audience.search([("program_id", "=", self.id)], limit=1)
        if audience:
            audience.write(values)
        else:
            audience = Audience.create(values)
        return Partner._retail_open_campaign(
            mailing_type, [("retail_audience_ids", "in", audience.ids)], self.name
        )
