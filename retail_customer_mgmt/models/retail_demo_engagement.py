from dateutil.relativedelta import relativedelta

from odoo import Command, api, models

from .retail_demo import _deliver


class RetailDemo(models.AbstractModel):
    _inherit = "retail.demo"

    @api.model
    def _demo_load_stock_alerts(self):
        """The nightly scan opens the alerts; the jasmine box's responsible
        acknowledges hers; the celadon cups arrive and their alert closes."""
        Alert = self.env["retail.stock.alert"]
        company = self._ref("base.main_company")
        Alert._scan(company)
        jasmine = Alert.search([("product_id", "=", self._ref("product_jasmine_box_demo").id)])
        jasmine.activity_ids.action_feedback(feedback="Ordered 30 boxes from the tea farm.")
        cups = self._ref("product_celadon_cups_demo")
        warehouse = self._ref("stock.warehouse0")
        suppliers = self._ref("stock.stock_location_suppliers")
        receipt = self.env["stock.picking"].create(
            {
                "picking_type_id": warehouse.in_type_id.id,
                "partner_id": self._ref("base.res_partner_1").id,
                "location_id": suppliers.id,
                "location_dest_id": warehouse.lot_stock_id.id,
                "move_ids": [
                    Command.create(
                        {
                            "name": cups.name,
                            "product_id": cups.id,
                            "product_uom_qty": 12.0,
                            "product_uom": cups.uom_id.id,
                            "location_id": suppliers.id,
                            "location_dest_id": warehouse.lot_stock_id.id,
                        }
                    )
                ],
            }
        )
        receipt.action_confirm()
        _deliver(receipt)
        Alert._scan(company)

    @api.model
    def _demo_load_engagement(self):
        """A birthday today, greeted with its coupon; a manager's points
        adjustment; points expired after their validity."""
        company = self._ref("base.main_company")
        Greeting = self.env["retail.birthday.greeting"]
        today = Greeting._retail_company_today(company)
        self._ref("res_partner_zhou_xin_demo").retail_birthday = today - relativedelta(years=28)
        Greeting._retail_greet(company, today)
        card = self.env["loyalty.card"].search(
            [
                ("partner_id", "=", self._ref("res_partner_emma_johnson_demo").id),
                ("program_id", "=", company.retail_loyalty_program_id.id),
            ]
        )
        card.with_user(self._ref("base.user_admin"))._retail_adjust(
            50.0, "Goodwill: a paper bag tore on the way out.", "demo-adjust-emma"
        )
        self.env["loyalty.card"]._cron_retail_expire_points()
        self._demo_redeem(company)

    def _demo_redeem(self, company):
        """Wang Fang pays part of a teapot with her points (Odoo's reward line;
        the ledger takes the points when the order is confirmed)."""
        partner = self._ref("res_partner_wang_fang_demo")
        card = self.env["loyalty.card"].search(
            [
                ("partner_id", "=", partner.id),
                ("program_id", "=", company.retail_loyalty_program_id.id),
            ]
        )
        order = self.env["sale.order"].create(
            {
                "partner_id": partner.id,
                "user_id": self._ref("base.user_admin").id,
                "order_line": [Command.create({"product_id": self._ref("product_teapot_demo").id})],
            }
        )
        order._update_programs_and_rewards()
        order._apply_program_reward(order._get_claimable_rewards()[card][:1], card)
        order.action_confirm()
        _deliver(order.picking_ids)
