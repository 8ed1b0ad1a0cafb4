from odoo import api, models


class RetailDemo(models.AbstractModel):
    _inherit = "retail.demo"

    @api.model
    def _demo_load_demand_spikes(self):
        """Some tea left on the shelf, the nightly forecast with the tea's
        history, then the hourly scan: the Dragon Well tea's sales spike opens
        an alert for the buyer (the admin)."""
        self._demo_stock("product_dragon_well_demo", 9.0)
        company = self._ref("base.main_company")
        company.retail_spike_user_id = self._ref("base.user_admin")
        self.env["retail.product.forecast"]._cron_refresh_forecast()
        self.env["retail.demand.spike"]._scan(company)
