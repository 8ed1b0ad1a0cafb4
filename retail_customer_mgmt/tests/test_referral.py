import psycopg2.errors

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.service.model import get_public_method
from odoo.tests import tagged
from odoo.tools import mute_logger

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestReferral(RetailLoyaltyCommon):
    """Referral codes, recording a referrer, and the credit of a referred
    customer's first paid purchase through the ledger, once."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.write(
            {"retail_referral_points_referrer": 50.0, "retail_referral_points_referred": 20.0}
        )
        Partner = cls.env["res.partner"]
        cls.alice = Partner.create({"name": "Alice Referrer"})
        cls.bob = Partner.create({"name": "Bob Referred"})

    def _referral_lines(self, partner):
        return self._lines_of_kind(partner, "referral")

    def test_codes_are_generated_and_unique(self):
        codes = (self.alice | self.bob).mapped("retail_referral_code")
        self.assertTrue(all(codes))
        self.assertNotEqual(codes[0], codes[1])
        copy = self.alice.copy()
        self.assertNotEqual(copy.retail_referral_code, self.alice.retail_referral_code)
        with (
            mute_logger("odoo.sql_db"),
            self.assertRaises(psycopg2.errors.UniqueViolation),
            self.env.cr.savepoint(),
        ):
            self.bob.sudo().write({"retail_referral_code": self.alice.retail_referral_code})
            self.bob.flush_recordset()

    def test_record_by_code_and_bad_inputs(self):
        self.bob.retail_referred_by_code = self.alice.retail_referral_code.lower()
        self.assertEqual(self.bob.retail_referrer_id, self.alice)
        self.assertEqual(self.alice.retail_referral_count, 1)
        with self.assertRaisesMessage(UserError, "No customer has the referral code"):
            self.bob.retail_referred_by_code = "NOPE-NOPE"
        self.assertEqual(self.bob.retail_referrer_id, self.alice, "nothing written")
        with self.assertRaisesMessage(ValidationError, "own referrer"):
            self.alice.retail_referrer_id = self.alice
        with self.assertRaisesMessage(ValidationError, "cannot refer each other"):
            self.alice.retail_referrer_id = self.bob
        self.assertFalse(self.alice.retail_referrer_id)
        # a customer who already paid is not a new customer
        regular = self.env["res.partner"].create({"name": "Regular Ren"})
        self._pos(regular, 30.0, "2026-11-01 10:00:00")
        with self.assertRaisesMessage(ValidationError, "already paid a purchase"):
            regular.retail_referrer_id = self.alice
        self.assertFalse(regular.retail_referrer_id)

    def test_first_paid_pos_order_credits_both_once(self):
        self.bob.retail_referrer_id = self.alice
        unpaid = self._pos(self.bob, 80.0, "2026-11-01 10:00:00", pay=False)
        self.assertFalse(self._referral_lines(self.bob), "not paid, not credited")
        self._pay_pos(unpaid, self.company_1)
        self.assertEqual(self._referral_lines(self.bob).mapped("issued"), [20.0])
        self.assertEqual(self._referral_lines(self.alice).mapped("issued"), [50.0])
        self.assertEqual(self._referral_lines(self.bob).retail_pos_order_id, unpaid)
        self.assertEqual(self._card(self.bob).points, 80.0 + 20.0)
        self.assertEqual(self._card(self.alice).points, 50.0)
        self.assertTrue(self.bob.retail_referral_credited)
        # retries of the paid event, and later purchases: nothing more
        unpaid._retail_credit_referrals()
        unpaid._retail_credit_referrals()
        self._pos(self.bob, 40.0, "2026-11-02 10:00:00")
        self.assertEqual(len(self._referral_lines(self.bob)), 1)
        self.assertEqual(self._card(self.alice).points, 50.0)
        self.assertLedgerBalanced()
        # credited: the referrer cannot change any more
        carl = self.env["res.partner"].create({"name": "Carl Other"})
        with self.assertRaisesMessage(UserError, "credited already"):
            self.bob.retail_referrer_id = carl
        with self.assertRaisesMessage(UserError, "credited already"):
            self.bob.retail_referrer_id = False
        self.assertEqual(self.bob.retail_referrer_id, self.alice)

    def test_first_paid_invoice_credits_both(self):
        self.bob.retail_referrer_id = self.alice
        order = self._sale(self.bob, 300.0, "2026-11-01 10:00:00")
        self.assertFalse(self._referral_lines(self.bob), "confirmed is not paid")
        invoice = order._create_invoices()
        invoice.action_post()
        self.assertFalse(self._referral_lines(self.bob), "invoiced is not paid")
        self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids
        ).create({})._create_payments()
        self.assertEqual(self._referral_lines(self.bob).mapped("issued"), [20.0])
        self.assertEqual(self._referral_lines(self.bob).retail_move_id, invoice)
        self.assertEqual(self._referral_lines(self.alice).mapped("issued"), [50.0])
        invoice._invoice_paid_hook()  # the hook runs again (in payment -> paid)
        self.assertEqual(len(self._referral_lines(self.alice)), 1)
        self.assertLedgerBalanced()

    def test_not_credited_without_points_configured(self):
        self.company_1.write(
            {"retail_referral_points_referrer": 0.0, "retail_referral_points_referred": 0.0}
        )
        self.bob.retail_referrer_id = self.alice
        self._pos(self.bob, 80.0, "2026-11-01 10:00:00")
        self.assertFalse(self._referral_lines(self.bob) | self._referral_lines(self.alice))
        with self.assertRaisesMessage(ValidationError, "Points per currency unit"):
            self.company_1.retail_points_per_unit = -1
        with self.assertRaisesMessage(ValidationError, "referral points cannot be negative"):
            self.company_1.retail_referral_points_referrer = -5

    def test_nobody_credits_a_referral_by_hand(self):
        """Salespeople, cashiers and portal users cannot record a referrer (a
        retail field), the credit is not a public method, and calling the
        public paid event on an unpaid order credits nothing."""
        users = {
            "salesperson": self._retail_user(
                "ref_sales", "base.group_user,sales_team.group_sale_salesman"
            ),
            "cashier": self._retail_user(
                "ref_cashier", "base.group_user,point_of_sale.group_pos_user"
            ),
            "portal": self._retail_user("ref_portal", "base.group_portal"),
            "other company retail user": self._retail_user(
                "ref_other", "retail_customer_mgmt.group_retail_user", company=self.company_2
            ),
        }
        self.bob.company_id = self.company_1
        for name, user in users.items():
            with self.subTest(user=name), self.assertRaises(AccessError):
                self.bob.with_user(user).write({"retail_referrer_id": self.alice.id})
        self.assertFalse(self.bob.retail_referrer_id)
        for method in ("_retail_credit_referrals", "_retail_paid_buyers"):
            with self.assertRaises(AccessError):
                get_public_method(self.env["res.partner"], method)
        with self.assertRaises(AccessError):
            get_public_method(self.env["pos.order"], "_retail_credit_referrals")
        self.bob.retail_referrer_id = self.alice
        unpaid = self._pos(self.bob, 80.0, "2026-11-01 10:00:00", pay=False)
        cashier = users["cashier"]
        with self.assertRaises(UserError):
            unpaid.with_user(cashier).action_pos_order_paid()
        self.assertFalse(self._referral_lines(self.bob) | self._referral_lines(self.alice))
