from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosPoints(RetailLoyaltyCommon):
    """POS orders synced as the till sends them: what they earn, spend and
    take back is computed on the server, whatever the client says."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._retail_user(
            "points_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.cheap = cls.env["product.product"].create(
            {
                "name": "Retail Tea Cup",
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
                "available_in_pos": True,
            }
        )

    def _customer(self, name, points=0.0):
        """A customer whose card holds ``points`` earned at the till."""
        partner = self.env["res.partner"].create({"name": name})
        if points:
            self._sync(self._pos_payload(partner, [(self.product, 1, points)]), self.cashier)
            self.assertEqual(self._card(partner).points, points)
        return partner

    def _exceptions(self, order):
        return self.env["retail.order.exception"].search(
            [("pos_order_id", "=", order.id), ("exception_type", "=", "points")]
        )

    # ------------------------------------------------------------------
    # rewards are charged at sync, from their definition
    # ------------------------------------------------------------------
    def test_reward_charged_at_sync_without_confirm(self):
        """An offline till syncs an order with a points discount and never
        calls confirm_coupon_programs: the points are still charged."""
        partner = self._customer("Offline Ou", 300.0)
        card = self._card(partner)
        # 40.00 of tea, 1.20 off paid with points; the till declares 1 point
        payload = self._pos_payload(
            partner, [(self.product, 1, 40.0), (self._reward(), 1, -1.2, 1.0, "r1")]
        )
        order = self._sync(payload, self.cashier)
        # 120 points spent (1.20 at 0.01), 38 earned on the 38.80 paid
        self.assertEqual(self._lines_of_kind(partner, "redeem").mapped("used"), [120.0])
        self.assertEqual(card.points, 300.0 - 120.0 + 38.0)
        self.assertEqual(order.lines.filtered("reward_id").coupon_id, card)
        self.assertIn("declared 1.0 points", order.message_ids[:1].body)
        # the till retries the sync: nothing more
        self._sync(dict(payload), self.cashier)
        self.assertEqual(card.points, 218.0)
        self.assertEqual(order.with_user(self.cashier).retail_points_spent, 120.0)
        self.assertLedgerBalanced()

    def test_confirm_never_moves_a_retail_card_from_client_values(self):
        partner = self._customer("Tamper Tang", 300.0)
        card = self._card(partner)
        other_program = self.env["loyalty.program"].create(
            {"name": "Other loyalty", "program_type": "loyalty", "company_id": self.company_1.id}
        )
        order = self._sync(
            self._pos_payload(
                partner, [(self.product, 1, 40.0), (self._reward(), 1, -1.2, 120.0, "r1")]
            ),
            self.cashier,
        )
        self.assertEqual(card.points, 218.0)
        PosOrder = order.with_user(self.cashier)
        for program_values in ({}, {"program_id": other_program.id}, {"program_id": False}):
            result = PosOrder.confirm_coupon_programs(
                {str(card.id): {"points": 100000, "coupon_id": card.id, **program_values}}
            )
            self.assertEqual(result["coupon_updates"][0]["points"], 218.0)
        # a "gift card" update naming the retail card, and a new card
        # requested in the retail program for the customer
        PosOrder.confirm_coupon_programs(
            {
                "-5": {"points": 5000, "giftCardId": card.id, "program_id": other_program.id},
                "-6": {"points": 5000, "program_id": self.program.id, "partner_id": partner.id},
            }
        )
        PosOrder.add_loyalty_history_lines(
            [
                {"order_id": order.id, "card_id": card.id, "won": 5000, "spent": 0},
                {"order_id": order.id, "card_id": -6, "won": 5000, "spent": 0},
            ],
            [{"id": card.id, "old_id": -6}],
        )
        self.env.invalidate_all()
        self.assertEqual(card.points, 218.0)
        self.assertEqual(len(card.history_ids), 3, "earn, earn, redeem: nothing from the client")
        self.assertEqual(self.Card.search_count([("partner_id", "=", partner.id)]), 1)
        self.assertLedgerBalanced()

    def test_the_till_refuses_a_reward_the_card_cannot_pay(self):
        partner = self._customer("Short Shi", 250.0)
        card = self._card(partner)
        answer = (
            self.env["pos.order"]
            .with_user(self.cashier)
            .validate_coupon_programs({str(card.id): -5000.0}, [])
        )
        self.assertFalse(answer["successful"])
        self.assertEqual(
            answer["payload"]["message"],
            "Short Shi has 250 Points: this reward needs 5000 Points. "
            "Remove the reward or lower it.",
        )
        self.assertEqual(answer["payload"]["updated_points"], {card.id: 250.0})
        for login, groups in (
            ("val_portal", "base.group_portal"),
            ("val_employee", "base.group_user"),
        ):
            user = self._retail_user(login, groups)
            with self.subTest(user=login), self.assertRaises(AccessError):
                self.env["pos.order"].with_user(user).validate_coupon_programs(
                    {str(card.id): -5000.0}, []
                )
        ok = (
            self.env["pos.order"]
            .with_user(self.cashier)
            .validate_coupon_programs({str(card.id): -200.0}, [])
        )
        self.assertTrue(ok["successful"])

    def test_overdraft_is_charged_kept_and_owned(self):
        """Two offline tills (or a tampered one) spend more than the card holds:
        the paid order is kept and charged in full, a manager owns the
        overdraft, and the card cannot pay rewards until it is back above 0."""
        manager = self._retail_user(
            "overdraft_manager", "retail_customer_mgmt.group_retail_manager"
        )
        self.company_1.retail_feedback_manager_id = manager
        partner = self._customer("Over Ouyang", 250.0)
        card = self._card(partner)
        payload = self._pos_payload(
            partner, [(self.product, 1, 60.0), (self._reward(), 1, -50.0, 5000.0, "r1")]
        )
        order = self._sync(payload, self.cashier)
        self.assertEqual(order.state, "paid")
        # 5,000 spent, 10 earned on the 10.00 paid
        self.assertEqual(card.points, 250.0 - 5000.0 + 10.0)
        exception = self._exceptions(order)
        self.assertEqual(len(exception), 1)
        self.assertEqual((exception.user_id, exception.partner_id), (manager, partner))
        self.assertIn("-4740", exception.detail)
        self._sync(dict(payload), self.cashier)  # retried sync
        self.assertEqual(card.points, -4740.0)
        self.assertEqual(len(self._exceptions(order)), 1)
        answer = (
            self.env["pos.order"]
            .with_user(self.cashier)
            .validate_coupon_programs({str(card.id): -1.0}, [])
        )
        self.assertFalse(answer["successful"], "no reward while the balance is below zero")
        self.assertLedgerBalanced()

    def test_points_discount_without_customer_is_owned(self):
        payload = self._pos_payload(
            False, [(self.product, 1, 60.0), (self._reward(), 1, -5.0, 500.0, "r1")]
        )
        order = self._sync(payload, self.cashier)
        self.assertEqual(order.state, "paid", "a paid order is never lost")
        exception = self._exceptions(order)
        self.assertEqual(len(exception), 1)
        self.assertIn("without a customer", exception.detail)

    # ------------------------------------------------------------------
    # refunds and exchanges
    # ------------------------------------------------------------------
    def test_exchange_takes_back_the_returned_lines(self):
        """Returned 50.00 and bought 80.00 in one order (total 30.00): the
        returned line's 50 points go, the new line's 80 come."""
        partner = self._customer("Swap Su")
        original = self._sync(self._pos_payload(partner, [(self.cheap, 2, 50.0)]), self.cashier)
        card = self._card(partner)
        self.assertEqual(card.points, 100.0)
        exchange = self._sync(
            self._pos_payload(
                partner,
                [(self.cheap, -1, 50.0), (self.product, 1, 80.0)],
                refunded={0: original.lines},
            ),
            self.cashier,
        )
        self.assertEqual(exchange.amount_total, 30.0)
        self.assertEqual(self._lines_of_kind(partner, "refund").mapped("used"), [50.0])
        self.assertEqual(
            self._lines_of_kind(partner, "earn")
            .filtered(lambda h: h.retail_pos_order_id == exchange)
            .issued,
            80.0,
        )
        self.assertEqual(card.points, 130.0)
        self.assertLedgerBalanced()

    def test_refund_without_customer_takes_back(self):
        partner = self._customer("Anonymous Refund An")
        original = self._sync(self._pos_payload(partner, [(self.cheap, 2, 50.0)]), self.cashier)
        self._sync(
            self._pos_payload(False, [(self.cheap, -2, 50.0)], refunded={0: original.lines}),
            self.cashier,
        )
        self.assertEqual(self._card(partner).points, 0.0)
        self.assertEqual(self._lines_of_kind(partner, "refund").mapped("used"), [100.0])
        self.assertLedgerBalanced()

    def test_partial_then_full_refund_of_an_order_paid_with_points(self):
        partner = self._customer("Half Han", 300.0)
        card = self._card(partner)
        original = self._sync(
            self._pos_payload(
                partner, [(self.cheap, 2, 50.0), (self._reward(), 1, -1.0, 100.0, "r1")]
            ),
            self.cashier,
        )
        # 100 spent, 99 earned on the 99.00 paid
        self.assertEqual(card.points, 299.0)
        product_line = original.lines.filtered(lambda line: not line.reward_id)
        reward_line = original.lines - product_line
        self._sync(
            self._pos_payload(partner, [(self.cheap, -1, 50.0)], refunded={0: product_line}),
            self.cashier,
        )
        # 49.00 of the 99.00 still kept: floor(99 x 49 / 99) = 49 points stay
        self.assertEqual(card.points, 299.0 - 50.0)
        self._sync(
            self._pos_payload(
                partner,
                [(self.cheap, -1, 50.0), (self._reward(), -1, -1.0, -100.0, "r1")],
                refunded={0: product_line, 1: reward_line},
            ),
            self.cashier,
        )
        # the rest (49.00) takes back the last 49 points; the reward's 100 points come back
        self.assertEqual(card.points, 300.0)
        self.assertEqual(
            sorted(self._lines_of_kind(partner, "redeem").mapped(lambda h: h.issued - h.used)),
            [-100.0, 100.0],
        )
        self.assertLedgerBalanced()

    def test_credit_note_of_an_invoiced_pos_order(self):
        partner = self._customer("Invoice Yin")
        payload = self._pos_payload(partner, [(self.cheap, 2, 50.0)])
        payload["to_invoice"] = True
        order = self._sync(payload)
        invoice = order.account_move
        self.assertTrue(invoice)
        self.assertEqual(self._card(partner).points, 100.0)
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "damaged"})
        )
        credit_note = self.env["account.move"].browse(reversal.refund_moves()["res_id"])
        credit_note.invoice_line_ids.price_unit = 20.0  # 2 x 20.00 = 40.00 refunded
        credit_note.action_post()
        self.assertEqual(self._card(partner).points, 60.0)
        credit_note.sudo()._retail_take_back_points()  # run again: takes back once
        self.assertEqual(self._card(partner).points, 60.0)
        self.assertLedgerBalanced()

    # ------------------------------------------------------------------
    # cards that moved
    # ------------------------------------------------------------------
    def test_archived_card_is_reactivated(self):
        partner = self._customer("Archived Ai", 100.0)
        card = self._card(partner)
        card.active = False
        self._sync(self._pos_payload(partner, [(self.product, 1, 30.0)]), self.cashier)
        self.assertTrue(card.active)
        self.assertEqual(card.points, 130.0)
        self.assertEqual(
            self.Card.with_context(active_test=False).search_count(
                [("partner_id", "=", partner.id), ("program_id", "=", self.program.id)]
            ),
            1,
        )

    def test_reassigned_card_gives_a_clear_error(self):
        partner = self._customer("Moved Mo", 100.0)
        other = self.env["res.partner"].create({"name": "Holder He"})
        card = self._card(partner)
        with self.assertRaisesMessage(UserError, "stays with its customer"):
            card.partner_id = other
        # moved behind the ORM (an import, a merge script)
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE loyalty_card SET partner_id = %s WHERE id = %s", [other.id, card.id]
        )
        self.env.invalidate_all()
        with self.assertRaisesMessage(UserError, f"The retail card {card.code} of Moved Mo"):
            self._sale(partner, 10.0, "2026-11-02 10:00:00")
