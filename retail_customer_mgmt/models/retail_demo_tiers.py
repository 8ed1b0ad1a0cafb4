from datetime import timedelta

from odoo import api, fields, models

from .retail_demo import _deliver


class RetailDemo(models.AbstractModel):
    """The tier part of the demo story: one customer climbs from Silver to
    Gold on a purchase, another loses Gold at the nightly review once her
    spend stayed below it for the grace period."""

    _inherit = "retail.demo"

    @api.model
    def _demo_load_tiers(self):
        company = self._ref("base.main_company")
        # Lin Tao: two tea cakes make him Silver, five more make him Gold (the
        # upgrade happens on the purchase, with the upgrade mail)
        self._demo_order("res_partner_lin_tao_demo", "product_puerh_cake_demo", 2)
        self._demo_order("res_partner_lin_tao_demo", "product_puerh_cake_demo", 5)
        self._demo_downgrade_after_grace(company)

    def _demo_downgrade_after_grace(self, company):
        """Guo Jing bought seven tea cakes 14 months ago (Gold) and two more
        7 months ago. The nightly review of 40 days ago saw her spend of the
        last 12 months below Gold; today's review, past the grace period,
        moves her down to Silver.

        Time moves as it does in a shop: each purchase and each review is
        played at its own date (freezegun, which Odoo itself requires), by the
        same code as in production; no tier, date or figure is written here.
        """
        # imported here: only the demo needs it (a requirement of Odoo's own
        # test framework, installed with Odoo)
        from freezegun import freeze_time  # pylint: disable=import-outside-toplevel

        partner = self._ref("res_partner_guo_jing_demo")
        now = fields.Datetime.now()
        for days_ago, quantity in ((420, 7), (210, 2)):
            with freeze_time(now - timedelta(days=days_ago)):
                order = self._demo_order(
                    "res_partner_guo_jing_demo", "product_puerh_cake_demo", quantity
                )
                _deliver(order.picking_ids)
        grace = company.retail_tier_grace_days
        with freeze_time(now - timedelta(days=grace + 10)):
            partner._retail_update_tiers(company, review=True)
        partner._retail_update_tiers(company, review=True)
        # the points of last year's purchase expired, oldest first
        self.env["loyalty.card"]._cron_retail_expire_points()
