from datetime import datetime

import psycopg2
from dateutil.relativedelta import relativedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPointsEarning(RetailLoyaltyCommon):
    def test_sale_confirmation_earns_with_tier_multiplier(self):
        partner = self.env["res.partner"].create({"name": "Silver Sun"})
        partner.with_company(self.company_1).retail_tier_id = self.silver
        order = self._sale(partner, 200.0, "2026-11-01 10:00:00")
        card = self._card(partner)
        self.assertEqual(card.points, 300.0, "200 x 1 point x 1.5 (Silver)")
        line = card.history_ids
        self.assertEqual(len(line), 1)
        self.assertEqual(
            (line.retail_kind, line.issued, line.retail_sale_order_id), ("earn", 300.0, order)
        )
        self.assertIn(order.name, line.description)
        self.assertEqual(partner.with_company(self.company_1).retail_points, 300.0)
        self.assertLedgerBalanced()

    def test_same_order_never_earns_twice(self):
        partner = self.env["res.partner"].create({"name": "Retry Rui"})
        order = self._sale(partner, 100.0, "2026-11-01 10:00:00")
        order._retail_sync_points()
        order._retail_sync_points()
        self.assertEqual(self._card(partner).points, 100.0)
        self.assertEqual(len(self._lines(partner)), 1)
        # the uniqueness is the database's, not only a Python check
        line = self._lines(partner)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.env.cr.execute(
                "INSERT INTO loyalty_history (card_id, description, issued, used, retail_key)"
                " VALUES (%s, 'again', 100, 0, %s)",
                (line.card_id.id, line.retail_key),
            )

    def test_one_card_per_customer(self):
        partner = self.env["res.partner"].create({"name": "Card Chen"})
        first = self.Card._retail_cards_for(partner, self.program)[partner]
        again = self.Card._retail_cards_for(partner, self.program)[partner]
        self.assertEqual(first, again)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.IntegrityError),
            self.env.cr.savepoint(),
        ):
            self.Card.create(
                {
                    "program_id": self.program.id,
                    "partner_id": partner.id,
                    "retail_card_key": first.retail_card_key,
                }
            )

    def test_cancel_takes_back_and_reconfirm_earns_again(self):
        partner = self.env["res.partner"].create({"name": "Cancel Cai"})
        order = self._sale(partner, 150.0, "2026-11-01 10:00:00")
        order.with_context(disable_cancel_warning=True).action_cancel()
        card = self._card(partner)
        self.assertEqual(card.points, 0.0)
        self.assertEqual(self._lines(partner).mapped("retail_kind"), ["earn", "cancel"])
        order.action_draft()
        order.action_confirm()
        self.assertEqual(card.points, 150.0, "a re-confirmed order earns again")
        self.assertLedgerBalanced()

    def test_credit_notes_take_back_earned_points_only(self):
        partner = self.env["res.partner"].create({"name": "Refund Ren"})
        partner.with_company(self.company_1).retail_tier_id = self.silver
        order = self._sale(partner, 300.0, "2026-11-01 10:00:00")  # 450 points
        card = self._card(partner)
        self.assertEqual(card.points, 450.0)
        self._refund_sale(order, 100.0)
        self.assertEqual(card.points, 300.0, "a third refunded: a third of the points back")
        refund_line = self._lines(partner).filtered(lambda h: h.retail_kind == "refund")
        self.assertEqual(refund_line.used, 150.0)
        self.assertTrue(refund_line.retail_move_id)
        self.assertIn(refund_line.retail_move_id.name, refund_line.description)
        # the customer spends 250 points, then the rest of the order is refunded:
        # only what the order still holds is taken back, never more than earned
        self.env["loyalty.history"]._retail_post(
            [{"card_id": card.id, "description": "reward", "used": 250.0}]
        )
        self._refund_sale(order, 500.0)
        taken = sum(
            self._lines(partner).filtered(lambda h: h.retail_kind == "refund").mapped("used")
        )
        self.assertEqual(taken, 450.0, "never more than the order earned")
        self.assertEqual(card.points, -250.0 + 450.0 - 450.0)
        self.assertLedgerBalanced()

    def test_credit_note_posted_by_an_accountant(self):
        accountant = self._retail_user("points_accountant", "account.group_account_invoice")
        partner = self.env["res.partner"].create({"name": "Account Ai"})
        order = self._sale(partner, 200.0, "2026-11-01 10:00:00")
        invoice = order._create_invoices()
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_user(accountant)
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "returned"})
        )
        reversal.refund_moves()
        credit_note = invoice.reversal_move_ids
        credit_note.with_user(accountant).action_post()
        self.assertEqual(self._card(partner).points, 0.0, "the whole order was refunded")
        self.assertLedgerBalanced()

    def test_pos_order_earns_once_and_refund_takes_back(self):
        partner = self.env["res.partner"].create({"name": "Shop Shi"})
        order = self._pos(partner, 80.0, "2026-11-01 10:00:00")
        card = self._card(partner)
        self.assertEqual(card.points, 80.0)
        self.assertEqual(
            self._lines(partner).retail_key, f"earn:pos.order:{order._retail_order_key()}"
        )
        # two orders of the same customer both earn
        self._pos(partner, 20.0, "2026-11-01 11:00:00")
        self.assertEqual(card.points, 100.0)
        order._retail_points_on_paid()  # a retried sync
        self.assertEqual(card.points, 100.0)
        refund = self._refund_pos(order, "2026-11-02 10:00:00")
        self.assertEqual(card.points, 20.0)
        refund._retail_points_on_paid()
        self.assertEqual(card.points, 20.0)
        self.assertEqual(self._lines(partner).mapped("retail_kind"), ["earn", "earn", "refund"])
        self.assertLedgerBalanced()

    def test_invoice_payment_trigger(self):
        self.company_1.retail_points_trigger = "paid"
        partner = self.env["res.partner"].create({"name": "Paid Pan"})
        order = self._sale(partner, 120.0, "2026-11-01 10:00:00")
        self.assertFalse(self._card(partner).points, "nothing on confirmation")
        invoice = order._create_invoices()
        invoice.action_post()
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(self._card(partner).points, 120.0)
        self.assertLedgerBalanced()

    def test_reward_redemption_uses_the_same_balance(self):
        """Odoo's own sales reward flow spends the points our ledger credited."""
        self.company_1.retail_point_value = 0.1
        self.program.reward_ids.discount = 0.1
        partner = self.env["res.partner"].create({"name": "Reward Ruan"})
        self._sale(partner, 500.0, "2026-11-01 10:00:00")
        card = self._card(partner)
        self.assertEqual(card.points, 500.0)
        order = self._sale(partner, 100.0, "2026-11-02 10:00:00", confirm=False)
        order._update_programs_and_rewards()
        claimable = order._get_claimable_rewards()
        self.assertIn(card, claimable, "the retail card is offered in the sales reward flow")
        reward = claimable[card][:1]
        order._apply_program_reward(reward, card)
        order.action_confirm()
        # 500 points at 0.10 pay 50.00 of the 100.00 order; the 50.00 left earn 50
        spent = self._lines_of_kind(partner, "redeem")
        self.assertEqual(spent.mapped("used"), [500.0])
        self.assertEqual(spent.retail_sale_order_id, order)
        earned = self._lines_of_kind(partner, "earn").filtered(
            lambda h: h.retail_sale_order_id == order
        )
        self.assertEqual(earned.issued, 50.0)
        self.assertEqual(card.points, 50.0)
        self.assertFalse(
            card.history_ids.filtered(lambda h: not h.retail_kind),
            "Odoo's own history line for the card is left to the ledger",
        )
        self.assertLedgerBalanced()


@tagged("post_install", "-at_install")
class TestPointsExpiryAndAdjustments(RetailLoyaltyCommon):
    def test_expiry_oldest_first(self):
        self.company_1.retail_points_expiry_months = 6
        partner = self.env["res.partner"].create({"name": "Expiry Yu"})
        card = self.Card._retail_cards_for(partner, self.program)[partner]
        self.env["loyalty.history"]._retail_post(
            [
                {
                    "card_id": card.id,
                    "description": "Jan",
                    "issued": 100.0,
                    "retail_kind": "earn",
                    "retail_key": "t:jan",
                    "retail_date": datetime(2025, 1, 10),
                    "retail_expiry_date": "2025-07-10",
                },
                {
                    "card_id": card.id,
                    "description": "Mar",
                    "issued": 50.0,
                    "retail_kind": "earn",
                    "retail_key": "t:mar",
                    "retail_date": datetime(2025, 3, 1),
                    "retail_expiry_date": "2025-09-01",
                },
                {
                    "card_id": card.id,
                    "description": "reward",
                    "used": 120.0,
                    "retail_date": datetime(2025, 4, 1),
                },
            ]
        )
        self.assertEqual(card.points, 30.0)
        with freeze_time("2025-07-11 01:00:00"):
            self.Card._cron_retail_expire_points()
            self.assertEqual(card.points, 30.0, "January's lot was used first: nothing expires")
        with freeze_time("2025-08-15 01:00:00"):
            self.assertEqual(partner.with_company(self.company_1).retail_points_expiring, 30.0)
        with freeze_time("2025-09-02 01:00:00"):
            self.Card._cron_retail_expire_points()
            self.Card._cron_retail_expire_points()  # a second run the same day
        self.assertEqual(card.points, 0.0)
        expired = card.history_ids.filtered(lambda h: h.retail_kind == "expire")
        self.assertEqual(expired.mapped("used"), [30.0])
        self.assertLedgerBalanced()

    def test_points_earned_before_expiry_was_switched_on(self):
        """Points without expiry date (earned while expiry was off) never
        expire, and do not break the expiring figure nor the expiry run."""
        partner = self.env["res.partner"].create({"name": "Before Bo"})
        self._sale(partner, 80.0, "2026-11-01 10:00:00")
        self.assertFalse(self._lines(partner).retail_expiry_date)
        self.company_1.retail_points_expiry_months = 12
        self._sale(partner, 20.0, "2026-11-02 10:00:00")
        partner = partner.with_company(self.company_1)
        self.assertEqual(partner.retail_points, 100.0)
        self.assertEqual(partner.retail_points_expiring, 0.0)
        with freeze_time(fields.Datetime.now() + relativedelta(years=3)):
            self.Card._cron_retail_expire_points()
        self.assertEqual(self._card(partner).points, 80.0, "only the dated points expired")
        self.assertLedgerBalanced()

    def test_order_points_get_expiry_date(self):
        self.company_1.retail_points_expiry_months = 12
        partner = self.env["res.partner"].create({"name": "Dated Du"})
        with freeze_time("2026-02-28 15:00:00"):
            self._sale(partner, 40.0, "2026-02-28 15:00:00")
        # confirmed on 28 February 2026: the points expire on 28 February 2027
        self.assertEqual(str(self._lines(partner).retail_expiry_date), "2027-02-28")

    def test_ledger_check_job_reports_broken_cards(self):
        """The daily ledger check lists the cards whose balance differs from
        their history, and logs them for the administrator."""
        partner = self.env["res.partner"].create({"name": "Drift Du"})
        self._sale(partner, 70.0, "2026-11-01 10:00:00")
        card = self._card(partner)
        self.assertFalse(
            {card.id} & set(self.Card._cron_retail_check_ledger()), "a sound card is not listed"
        )
        self.env.flush_all()
        self.env.cr.execute("UPDATE loyalty_card SET points = 75 WHERE id = %s", [card.id])
        with self.assertLogs(
            "odoo.addons.retail_customer_mgmt.models.loyalty_card", "WARNING"
        ) as logs:
            mismatches = self.Card._cron_retail_check_ledger()
        self.assertEqual(mismatches[card.id], (75.0, 70.0))
        self.assertIn("differs from their history", logs.output[0])

    def test_manager_adjustment(self):
        manager = self._retail_user("points_manager", "retail_customer_mgmt.group_retail_manager")
        partner = self.env["res.partner"].create({"name": "Adjust An"})
        wizard = (
            self.env["retail.points.adjust"]
            .with_user(manager)
            .create(
                {
                    "partner_id": partner.id,
                    "operation": "add",
                    "points": 50,
                    "reason": "birthday gift",
                }
            )
        )
        wizard.action_apply()
        wizard.action_apply()  # double click
        card = self._card(partner)
        self.assertEqual(card.points, 50.0)
        line = card.history_ids
        self.assertEqual((line.retail_kind, line.retail_user_id), ("adjust", manager))
        self.assertIn("birthday gift", line.description)
        too_much = (
            self.env["retail.points.adjust"]
            .with_user(manager)
            .create(
                {
                    "partner_id": partner.id,
                    "operation": "remove",
                    "points": 80,
                    "reason": "error",
                }
            )
        )
        with self.assertRaisesMessage(UserError, "negative"):
            too_much.action_apply()
        self.assertEqual(card.points, 50.0, "nothing written")
        self.assertEqual(len(card.history_ids), 1)
        self.assertLedgerBalanced()

    def test_adjustment_needs_manager_and_reason(self):
        user = self._retail_user("points_user", "retail_customer_mgmt.group_retail_user")
        partner = self.env["res.partner"].create({"name": "No Rights"})
        with self.assertRaises(AccessError):
            self.env["retail.points.adjust"].with_user(user).create(
                {
                    "partner_id": partner.id,
                    "points": 10,
                    "reason": "please",
                }
            )
        wizard = self.env["retail.points.adjust"].create(
            {
                "partner_id": partner.id,
                "points": 10,
                "reason": "   ",
            }
        )
        with self.assertRaisesMessage(UserError, "reason"):
            wizard.action_apply()
        with self.assertRaisesMessage(UserError, "greater than zero"):
            wizard.write({"reason": "ok", "points": -5})
            wizard.action_apply()
        self.assertFalse(self._card(partner).history_ids)

    def test_reconcile_reports_broken_cards(self):
        partner = self.env["res.partner"].create({"name": "Broken Bo"})
        self._sale(partner, 70.0, "2026-11-01 10:00:00")
        card = self._card(partner)
        self.assertLedgerBalanced()
        # edited in the database, behind the ORM (which refuses it)
        self.env.flush_all()
        self.env.cr.execute("UPDATE loyalty_card SET points = 999 WHERE id = %s", [card.id])
        card.invalidate_recordset(["points"])
        self.assertEqual(
            self.env["loyalty.history"]._retail_ledger_mismatches(self.program),
            {card.id: (999.0, 70.0)},
        )
        action = self.Card.action_retail_check_ledger()
        self.assertEqual(action["domain"], [("id", "in", [card.id])])
