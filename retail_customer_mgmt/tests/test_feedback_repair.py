from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestFeedbackRepair(RetailCommon):
    """A repair request opens an Odoo repair order of the product bought,
    linked both ways, whose status shows on the ticket."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create({"name": "Repair Ren"})
        cls.technician = cls._retail_user(
            "rep_agent", "retail_customer_mgmt.group_retail_user,stock.group_stock_user"
        )
        cls.order = cls._sale(cls.customer, 100.0, "2026-11-10 10:00:00")

    def _ticket(self, **values):
        return self.env["retail.feedback"].create(
            {
                "subject": "Kettle stopped heating",
                "feedback_type": "repair",
                "partner_id": self.customer.id,
                "sale_order_id": self.order.id,
                "product_id": self.product.id,
                **values,
            }
        )

    def test_repair_order_linked_both_ways(self):
        ticket = self._ticket()
        action = ticket.with_user(self.technician).action_retail_create_repair()
        repair = ticket.repair_id
        self.assertEqual((action["res_model"], action["res_id"]), ("repair.order", repair.id))
        self.assertEqual(
            (repair.partner_id, repair.product_id, repair.retail_feedback_id, repair.company_id),
            (self.customer, self.product, ticket, self.company_1),
        )
        self.assertIn(ticket.name, str(repair.internal_notes))
        self.assertIn(self.order.name, str(repair.internal_notes))
        self.assertEqual(ticket.repair_state, "draft")
        repair.action_validate()
        self.assertEqual(ticket.repair_state, "confirmed")
        with self.assertRaisesMessage(UserError, "already has repair order"):
            ticket.action_retail_create_repair()
        self.assertEqual(
            self.env["repair.order"].search_count([("retail_feedback_id", "=", ticket.id)]), 1
        )

    def test_bad_requests_create_nothing(self):
        with self.assertRaisesMessage(UserError, "Only a repair request"):
            self._ticket(feedback_type="complaint").action_retail_create_repair()
        with self.assertRaisesMessage(UserError, "names no product"):
            self._ticket(product_id=False).action_retail_create_repair()
        self.assertFalse(self.env["repair.order"].search([("partner_id", "=", self.customer.id)]))

    def test_rights_of_the_repair_app_apply(self):
        ticket = self._ticket()
        agent = self._retail_user("rep_plain", "retail_customer_mgmt.group_retail_user")
        cashier = self._retail_user("rep_cashier", "point_of_sale.group_pos_user")
        portal = self._retail_user("rep_portal", "base.group_portal")
        elsewhere = self._retail_user(
            "rep_other",
            "retail_customer_mgmt.group_retail_manager,stock.group_stock_user",
            company=self.company_2,
        )
        for user in (agent, cashier, portal, elsewhere):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                ticket.with_user(user).action_retail_create_repair()
        self.assertFalse(ticket.repair_id)
