from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestSalePoints(RetailLoyaltyCommon):
    """Sales orders, invoices and credit notes: each takes back or charges
    exactly what it should, in the ledger."""

    def _pay(self, invoice):
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))

    def _credit_note(self, invoice, line_prices):
        """Post a credit note of ``invoice`` with the unit price of each line set."""
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "damaged"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        for line, price in zip(credit_note.invoice_line_ids, line_prices, strict=True):
            line.price_unit = price
        credit_note.action_post()
        return credit_note

    def test_confirmed_order_changed_before_invoicing(self):
        partner = self.env["res.partner"].create({"name": "Change Cao"})
        order = self._sale(partner, 200.0, "2026-11-01 10:00:00", qty=2.0)
        card = self._card(partner)
        self.assertEqual(card.points, 200.0)
        order.order_line.product_uom_qty = 1.0
        self.assertEqual(card.points, 100.0, "the reduced order keeps the points of 100.00")
        order.order_line.product_uom_qty = 3.0
        self.assertEqual(card.points, 300.0)
        order._retail_sync_points()  # run again: nothing to do
        self.assertEqual(card.points, 300.0)
        self.assertEqual(self._lines(partner).mapped("retail_kind"), ["earn", "refund", "earn"])
        # once invoiced, changes go through credit notes
        invoice = order._create_invoices()
        invoice.action_post()
        self._credit_note(invoice, [50.0])  # 3 x 50.00 refunded
        self.assertEqual(card.points, 150.0)
        order._action_cancel()
        self.assertEqual(card.points, 0.0)
        self.assertLedgerBalanced()

    def test_paid_trigger_applies_a_credit_note_posted_before_the_payment(self):
        self.company_1.retail_points_trigger = "paid"
        partner = self.env["res.partner"].create({"name": "Early Credit E"})
        order = self._sale(partner, 200.0, "2026-11-01 10:00:00", qty=2.0)
        invoice = order._create_invoices()
        invoice.action_post()
        self._credit_note(invoice, [25.0])  # 2 x 25.00 = 50.00 before the payment
        self.assertFalse(self._card(partner).points)
        self._pay(invoice)
        self.assertEqual(self._card(partner).points, 150.0)
        self.assertEqual(self._lines_of_kind(partner, "refund").mapped("used"), [50.0])
        self.assertLedgerBalanced()

    def test_paid_trigger_multi_order_invoice_earns_per_order(self):
        self.company_1.retail_points_trigger = "paid"
        partner = self.env["res.partner"].create({"name": "Two Orders Tu"})
        first = self._sale(partner, 100.0, "2026-11-01 10:00:00")
        second = self._sale(partner, 300.0, "2026-11-01 11:00:00")
        invoice = (first | second)._create_invoices()
        invoice.action_post()
        self._pay(invoice)
        earned = self._lines_of_kind(partner, "earn")
        self.assertEqual(
            sorted((line.retail_sale_order_id.id, line.issued) for line in earned),
            sorted([(first.id, 100.0), (second.id, 300.0)]),
        )
        # a credit note of the second order's line takes back from its earning only
        line_of = {line.sale_line_ids.order_id: line for line in invoice.invoice_line_ids}
        prices = [0.0 if line == line_of[first] else 300.0 for line in invoice.invoice_line_ids]
        self._credit_note(invoice, prices)
        back = self._lines_of_kind(partner, "refund")
        self.assertEqual(back.retail_earn_id.retail_sale_order_id, second)
        self.assertEqual(back.used, 300.0)
        self.assertEqual(self._card(partner).points, 100.0)
        self.assertLedgerBalanced()

    def test_sale_reward_cancelled_gives_the_points_back(self):
        self.company_1.retail_point_value = 0.1
        self.program.reward_ids.discount = 0.1
        partner = self.env["res.partner"].create({"name": "Cancel Cui"})
        self._sale(partner, 500.0, "2026-11-01 10:00:00")
        card = self._card(partner)
        order = self._sale(partner, 100.0, "2026-11-02 10:00:00", confirm=False)
        order._update_programs_and_rewards()
        order._apply_program_reward(order._get_claimable_rewards()[card][:1], card)
        order.action_confirm()
        self.assertEqual(card.points, 50.0)  # 500 spent, 50 earned
        with self.assertRaisesMessage(UserError, "confirmed order"):
            order.order_line.filtered("reward_id").unlink()
        order._action_cancel()
        self.assertEqual(card.points, 500.0, "the 500 spent come back, the 50 earned go")
        order.action_draft()
        order.action_confirm()  # confirmed again, without its reward (Odoo removed it)
        self.assertEqual(card.points, 600.0)
        self.assertLedgerBalanced()

    def test_order_in_another_currency_earns_in_company_currency(self):
        """300.00 in a currency worth half the company's earns 150 points, and
        a credit note of 100.00 of it (50.00 in company currency) takes back 50."""
        company = self.company_1
        code = "CNY" if company.currency_id.name == "EUR" else "EUR"
        foreign = self.setup_other_currency(code, rates=[("2020-01-01", 2.0)])
        pricelist = self.env["product.pricelist"].create(
            {"name": f"{code} prices", "currency_id": foreign.id, "company_id": company.id}
        )
        partner = self.env["res.partner"].create({"name": "Foreign Fang"})
        order = self._sale(partner, 300.0, "2026-11-01 10:00:00", confirm=False)
        order.write({"pricelist_id": pricelist.id})
        order.order_line.price_unit = 300.0
        order.action_confirm()
        self.assertEqual((order.currency_id, order.amount_total), (foreign, 300.0))
        self.assertEqual(self._card(partner).points, 150.0)
        invoice = order._create_invoices()
        invoice.action_post()
        self._credit_note(invoice, [100.0])
        self.assertEqual(self._card(partner).points, 100.0)
        self.assertLedgerBalanced()

    def test_compensation_points_limit(self):
        self.company_1.retail_compensation_limit = 200.0
        user = self._retail_user("comp_user", "retail_customer_mgmt.group_retail_user")
        manager = self._retail_user("comp_manager", "retail_customer_mgmt.group_retail_manager")
        partner = self.env["res.partner"].create({"name": "Comp Kong"})

        def exception(points):
            order = self._sale(partner, 10.0, "2026-11-01 10:00:00")
            return self.env["retail.order.exception"].create(
                {
                    "sale_order_id": order.id,
                    "partner_id": partner.id,
                    "exception_type": "product",
                    "compensation_points": points,
                }
            )

        big = exception(5000.0)
        with self.assertRaisesMessage(AccessError, "above 200.0 points need a retail manager"):
            self._resolve_exception(big, "compensation", user, compensation_points=5000.0)
        self.assertEqual(self._card(partner).points, 10.0, "nothing written")
        self._resolve_exception(big, "compensation", manager, compensation_points=5000.0)
        self.assertEqual(self._card(partner).points, 5010.0)
        self.assertEqual(big.state, "resolved")
        small = exception(200.0)
        self._resolve_exception(small, "compensation", user, compensation_points=200.0)
        self.assertEqual(self._card(partner).points, 5220.0)
        self.assertLedgerBalanced()
