from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPointsAttacks(RetailLoyaltyCommon):
    """Every group calls, with its own rights, what a client can reach (every
    public method is callable over RPC): only the ledger moves a retail
    balance, whatever Odoo's ACLs give."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            "salesperson": cls._retail_user(
                "atk_sales", "base.group_user,sales_team.group_sale_salesman"
            ),
            "cashier": cls._retail_user(
                "atk_cashier", "base.group_user,point_of_sale.group_pos_user"
            ),
            "retail user": cls._retail_user("atk_retail", "retail_customer_mgmt.group_retail_user"),
            "sales manager": cls._retail_user(
                "atk_sales_manager", "base.group_user,sales_team.group_sale_manager"
            ),
            "portal": cls._retail_user("atk_portal", "base.group_portal"),
            "other company": cls._retail_user(
                "atk_other",
                "base.group_user,sales_team.group_sale_manager,point_of_sale.group_pos_manager",
                company=cls.company_2,
            ),
        }
        cls.victim = cls.env["res.partner"].create({"name": "Victim Wei"})
        cls._sale(cls.victim, 100.0, "2026-11-01 10:00:00")
        cls.card = cls.env["loyalty.card"].search(
            [("program_id", "=", cls.program.id), ("partner_id", "=", cls.victim.id)]
        )
        cls.earn_line = cls.card.history_ids
        cls.other_program = cls.env["loyalty.program"].create(
            {"name": "Other loyalty", "program_type": "loyalty", "company_id": cls.company_1.id}
        )

    def _attacks(self):
        card, line = self.card, self.earn_line
        History = self.env["loyalty.history"]
        Card = self.env["loyalty.card"]

        def update_balance(env):
            wizard = env["loyalty.card.update.balance"].create(
                {"card_id": card.id, "new_balance": 100000, "description": "gift"}
            )
            wizard.action_update_card_point()

        def adjust(env):
            env["retail.points.adjust"].create(
                {"partner_id": self.victim.id, "points": 100000, "reason": "gift"}
            ).action_apply()

        return {
            "write points": lambda env: card.with_env(env).write({"points": 100000}),
            "create history": lambda env: History.with_env(env).create(
                {"card_id": card.id, "description": "gift", "issued": 100000}
            ),
            "edit history": lambda env: line.with_env(env).write(
                {"issued": 100000, "retail_base_amount": 1.0}
            ),
            "delete history": lambda env: line.with_env(env).unlink(),
            "update balance": update_balance,
            "adjust points": adjust,
            "new card with points": lambda env: Card.with_env(env).create(
                {"program_id": self.program.id, "partner_id": self.victim.id, "points": 100000}
            ),
            "delete card": lambda env: card.with_env(env).unlink(),
            "give card away": lambda env: card.with_env(env).write(
                {"partner_id": self.users["cashier"].partner_id.id}
            ),
            "move card out": lambda env: card.with_env(env).write(
                {"program_id": self.other_program.id}
            ),
        }

    def _state(self):
        self.env.invalidate_all()
        return (
            self.card.points,
            self.card.partner_id,
            self.card.program_id,
            self.card.history_ids.mapped(lambda h: (h.issued, h.used, h.retail_base_amount)),
        )

    def test_every_group_is_refused_with_nothing_written(self):
        before = self._state()
        for role, user in self.users.items():
            env = self.env(user=user)
            for name, attack in self._attacks().items():
                with (
                    self.subTest(role=role, attack=name),
                    mute_logger("odoo.addons.base.models.ir_model", "odoo.models"),
                ):
                    with self.assertRaises(UserError), self.env.cr.savepoint():
                        attack(env)
                    self.assertEqual(self._state(), before)

    def test_even_superuser_code_cannot_bypass_the_ledger(self):
        """Odoo's own flows run parts of their work as superuser (the POS's
        confirm_coupon_programs moves cards in sudo): sudo does not open the
        ledger either."""
        before = self._state()
        for name, attack in self._attacks().items():
            if name in ("adjust points", "update balance"):
                continue  # the manager's adjustment, a ledger entry point (tested below)
            with self.subTest(attack=name):
                with self.assertRaises(UserError), self.env.cr.savepoint():
                    attack(self.env(su=True))
                self.assertEqual(self._state(), before)

    def test_update_balance_is_the_managers_adjustment(self):
        manager = self._retail_user("atk_manager", "retail_customer_mgmt.group_retail_manager")
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(manager)
            .create({"card_id": self.card.id, "new_balance": 130.0, "description": "goodwill"})
        )
        wizard.action_update_card_point()
        wizard.action_update_card_point()  # double click
        adjust = self.card.history_ids.filtered(lambda h: h.retail_kind == "adjust")
        self.assertEqual((adjust.issued, adjust.retail_user_id), (30.0, manager))
        self.assertIn("goodwill", adjust.description)
        self.assertEqual(self.card.points, 130.0)
        self.assertLedgerBalanced()

    def test_pos_client_values_never_move_a_retail_card(self):
        """A cashier replays pos_loyalty's calls with their own numbers."""
        cashier = self.users["cashier"]
        order = self._sync(self._pos_payload(self.victim, [(self.product, 1, 10.0)]), cashier)
        balance = self.card.points
        self.assertEqual(balance, 110.0)
        PosOrder = order.with_user(cashier)
        PosOrder.confirm_coupon_programs(
            {str(self.card.id): {"points": 100000, "coupon_id": self.card.id}}
        )
        PosOrder.add_loyalty_history_lines(
            [{"order_id": order.id, "card_id": self.card.id, "won": 100000, "spent": 0}], []
        )
        self.env.invalidate_all()
        self.assertEqual(self.card.points, balance)
        self.assertEqual(len(self.card.history_ids), 2)

    def test_other_programs_keep_odoos_behaviour(self):
        """Cards of Odoo's other loyalty programs are not the ledger's business."""
        partner = self.env["res.partner"].create({"name": "Gift Guo"})
        card = self.env["loyalty.card"].create(
            {"program_id": self.other_program.id, "partner_id": partner.id, "points": 10}
        )
        wizard = (
            self.env["loyalty.card.update.balance"]
            .with_user(self.users["sales manager"])
            .create({"card_id": card.id, "new_balance": 25.0, "description": "gift"})
        )
        wizard.action_update_card_point()
        self.assertEqual(card.points, 25.0)
        self.assertEqual(card.history_ids.issued, 15.0)
        card.with_user(self.users["salesperson"]).points = 40.0
        self.assertEqual(card.points, 40.0)
        card.write({"program_id": self.other_program.id, "partner_id": self.victim.id})
        self.assertEqual(card.partner_id, self.victim)
        # a card moved into the retail program would bring its points with it
        with self.assertRaisesMessage(UserError, "into or out of the retail program"):
            card.program_id = self.program
        card.sudo().unlink()  # nobody but the superuser deletes loyalty cards in Odoo
        self.assertFalse(card.exists())

    def test_retail_program_cannot_be_deleted(self):
        with self.assertRaisesMessage(UserError, "the retail program holds the customers' ledger"):
            self.program.unlink()
        self.assertTrue(self.card.exists())

    def test_outside_cards_created_by_odoo_join_the_ledger(self):
        """Odoo's own flows may create the customer's card in the retail
        program (with 0 points): it gets the key that keeps it unique, and the
        ledger uses it."""
        partner = self.env["res.partner"].create({"name": "Fresh Fu"})
        card = self.env["loyalty.card"].create(
            {"program_id": self.program.id, "partner_id": partner.id}
        )
        self.assertEqual(card.retail_card_key, f"{self.program.id}:{partner.id}")
        self._sale(partner, 40.0, "2026-11-02 10:00:00", qty=1.0)
        self.assertEqual(card.points, 40.0)
        self.assertEqual(self._card(partner), card)

    def test_retail_is_decided_from_the_cards_program(self):
        self.assertEqual(self.card.program_id, self.company_1.retail_loyalty_program_id)
        self.assertTrue(self.card._retail_is_retail_card())
        self.assertFalse(
            self.env["loyalty.card"]
            .create({"program_id": self.other_program.id})
            ._retail_is_retail_card()
        )
