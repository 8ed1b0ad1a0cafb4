from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .exception_common import RetailExceptionCommon


@tagged("post_install", "-at_install")
class TestReturnPolicy(RetailExceptionCommon):
    """A return window per product category (inherited by subcategories),
    applied to return tickets and to the refund and exchange resolutions;
    outside it only a retail manager may accept, with a reason kept."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Category = cls.env["product.category"]
        cls.tea_category = Category.create(
            {"name": "Tea", "retail_return_policy": True, "retail_return_days": 7}
        )
        cls.puerh = Category.create({"name": "Pu-erh", "parent_id": cls.tea_category.id})
        cls.tea.categ_id = cls.puerh
        # shop staff who also sell and handle stock, as in a store
        staff = ",".join(
            (
                "sales_team.group_sale_salesman_all_leads",
                "stock.group_stock_user",
                "account.group_account_invoice",
            )
        )
        cls.agent = cls._retail_user("rp_agent", f"retail_customer_mgmt.group_retail_user,{staff}")
        cls.manager_user = cls._retail_user(
            "rp_manager", f"retail_customer_mgmt.group_retail_manager,{staff}"
        )

    def _delivered(self, qty=2.0):
        self._stock(10)
        order = self._order(qty=qty)
        self._validate_picking(order.picking_ids)
        return order

    def _late(self, order, days):
        """Move the purchase ``days`` days into the past."""
        order.effective_date = fields.Datetime.now() - timedelta(days=days)

    def test_subcategory_follows_its_parent(self):
        policy = self.puerh._retail_return_policy()
        self.assertEqual((policy.days, policy.category), (7, "Tea"))
        self.puerh.write({"retail_return_policy": True, "retail_return_days": 0})
        self.assertEqual(self.puerh._retail_return_policy().days, 0)
        self.assertIsNone(self.env.ref("product.product_category_all")._retail_return_policy())
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.tea_category.retail_return_days = -1

    def test_return_ticket(self):
        order = self._delivered()
        Ticket = self.env["retail.feedback"]
        ticket = Ticket.create(
            {
                "subject": "Changed my mind",
                "feedback_type": "return",
                "partner_id": self.customer.id,
                "sale_order_id": order.id,
            }
        )
        self._late(order, 7)
        self.assertEqual(
            ticket.with_user(self.agent).action_create_return()["res_model"],
            "stock.return.picking",
            "the 7th day is still in the window",
        )
        self._late(order, 8)
        with self.assertRaisesMessage(UserError, "Only a retail manager"):
            ticket.with_user(self.agent).action_create_return()
        with self.assertRaisesMessage(UserError, "write why"):
            ticket.with_user(self.manager_user).action_create_return()
        ticket.return_override_reason = "Gift, the customer was abroad"
        action = ticket.with_user(self.manager_user).action_create_return()
        self.assertEqual(action["res_model"], "stock.return.picking")
        self.assertIn("Gift, the customer was abroad", ticket.message_ids[0].body)
        self.assertIn("Tea: 7 days", ticket.message_ids[0].body)

    def test_refund_and_exchange_resolutions(self):
        order = self._delivered(qty=4.0)
        order._create_invoices().action_post()
        exception = self._exception(order, product_id=self.tea.id, quantity=1.0)
        self._late(order, 30)
        with self.assertRaisesMessage(UserError, "Only a retail manager"):
            self._resolve_exception(exception, "refund", self.agent, refund_amount=50.0)
        with self.assertRaisesMessage(UserError, "write why"):
            self._resolve_exception(exception, "exchange", self.manager_user)
        self.assertFalse(exception.refund_move_id or exception.return_picking_id, "nothing written")
        self.assertEqual(exception.state, "new")
        self._resolve_exception(
            exception,
            "refund",
            self.manager_user,
            refund_amount=50.0,
            policy_override_reason="Broken seal found late",
        )
        self.assertEqual(exception.refund_move_id.amount_total, 50.0)
        self.assertEqual(exception.policy_override_reason, "Broken seal found late")
        self.assertIn("outside the window", exception.message_ids[0].body)

    def test_no_policy_no_limit(self):
        self.tea_category.retail_return_policy = False
        order = self._delivered()
        self._late(order, 400)
        exception = self._exception(order, product_id=self.tea.id, quantity=1.0)
        self._resolve_exception(exception, "exchange", self.agent)
        self.assertEqual(exception.resolution, "exchange")

    def test_policy_is_for_managers_to_set(self):
        for login, groups in (
            ("rp_seller", "sales_team.group_sale_salesman"),
            ("rp_cashier", "point_of_sale.group_pos_user"),
        ):
            user = self._retail_user(login, groups)
            with self.assertRaises(AccessError):
                self.tea_category.with_user(user).retail_return_days = 365
        self.assertEqual(self.tea_category.retail_return_days, 7)
