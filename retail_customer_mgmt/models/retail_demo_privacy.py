import io
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.tools import SQL


class RetailDemo(models.AbstractModel):
    """The privacy part of the demo story: a customer who stopped buying six
    years ago is proposed for anonymisation; the manager's export of the
    customer analysis, a customer's copy of her data and a list export are
    in the access log."""

    _inherit = "retail.demo"

    @api.model
    def _demo_load_privacy(self):
        company = self._ref("base.main_company")
        lapsed = self._ref("res_partner_lapsed_demo")
        order = self.env["sale.order"].create(
            {
                "partner_id": lapsed.id,
                "user_id": self._ref("base.user_admin").id,
                "order_line": [
                    Command.create(
                        {"product_id": self._ref("product_teapot_demo").id, "product_uom_qty": 1}
                    )
                ],
            }
        )
        order.action_confirm()
        long_ago = fields.Datetime.now() - timedelta(days=6 * 365)
        order.date_order = long_ago
        # the contact came with the shop's previous system, which kept its
        # creation date: the job proposes only customers known for years
        self.env.flush_all()
        self.env.cr.execute(
            SQL("UPDATE res_partner SET create_date = %s WHERE id = %s", long_ago, lapsed.id)
        )
        lapsed.invalidate_recordset(["create_date"])
        self.env["res.partner"]._cron_retail_anonymize_candidates()
        today = fields.Date.context_today(self)
        admin = self._ref("base.user_admin")
        self.env["retail.dashboard"].with_user(admin)._retail_xlsx(
            "customers", company, today - timedelta(days=365), today, io.BytesIO()
        )
        # 李娜 asked for a copy of her personal data (what the download of
        # the contact's "Copy of Personal Data" gathers), and the manager
        # exported the list of the Gold customers from the contacts list
        self._ref("res_partner_li_na_demo").with_user(admin)._retail_data_copy()
        gold = self.env["res.partner"].search(
            [("retail_tier_id", "=", self._ref("retail_tier_gold").id)]
        )
        gold.with_user(admin).export_data(["name", "email", "phone"])
