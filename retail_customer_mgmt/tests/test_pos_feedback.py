import base64
from datetime import timedelta

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import RetailCommon

# a 1x1 PNG, as a phone camera would send a (much larger) one
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
    )
).decode()


@tagged("post_install", "-at_install")
class TestPosFeedback(RetailCommon):
    """Feedback logged at the till (pos.order.retail_pos_log_feedback), by a
    cashier who is not a retail user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._retail_user(
            "feedback_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.customer = cls.env["res.partner"].create({"name": "Feedback Fang"})
        cls.order = cls._pos(cls.customer, 80.0, "2026-11-01 10:00:00")
        SLA = cls.env["retail.feedback.sla"]
        key = {"company_id": cls.company_1.id, "feedback_type": "complaint", "priority": "0"}
        policy = SLA.search([(field, "=", value) for field, value in key.items()])
        (policy or SLA.create(key)).hours = 24
        cls.category = cls.env["retail.feedback.category"].create(
            {"name": "Packaging", "company_id": cls.company_1.id}
        )
        cls.other_category = cls.env["retail.feedback.category"].create(
            {"name": "Packaging B", "company_id": cls.company_2.id}
        )

    def _log(self, vals, order=None, user=None):
        order = (order or self.order).with_user(user or self.cashier)
        return order.retail_pos_log_feedback(vals)

    def _tickets(self):
        return self.env["retail.feedback"].search([("pos_order_id", "=", self.order.id)])

    def test_cashier_logs_a_complaint_about_a_past_order(self):
        result = self._log(
            {
                "feedback_type": "complaint",
                "category_id": self.category.id,
                "description": "The lid was cracked.\nShe wants a new one.",
                "photo": PNG,
                "photo_name": "lid.png",
            }
        )
        ticket = self._tickets()
        self.assertEqual(ticket.id, result["id"])
        self.assertEqual(ticket.name, result["name"])
        self.assertEqual(ticket.partner_id, self.customer)
        self.assertEqual(ticket.channel, "pos")
        self.assertEqual(ticket.company_id, self.company_1)
        self.assertEqual(ticket.category_id, self.category)
        self.assertIn("The lid was cracked.<br>She wants a new one.", ticket.description)
        self.assertEqual(ticket.sla_deadline, ticket.opened_at + timedelta(hours=24))
        photo = self.env["ir.attachment"].search(
            [("res_model", "=", "retail.feedback"), ("res_id", "=", ticket.id)]
        )
        self.assertEqual(photo.mimetype, "image/png")
        self.assertEqual(photo.name, "lid.png")
        # the customer card of the till counts the open ticket
        status = (
            self.customer.with_user(self.cashier)
            .with_company(self.company_1)
            .read(["retail_pos_open_tickets", "retail_pos_open_exceptions"])[0]
        )
        self.assertEqual(status["retail_pos_open_tickets"], 1)
        self.assertEqual(status["retail_pos_open_exceptions"], 0)

    def test_options_for_the_form(self):
        options = self.env["pos.order"].with_user(self.cashier).retail_pos_feedback_options()
        self.assertIn({"id": "complaint", "name": "Complaint"}, options["types"])
        names = [c["name"] for c in options["categories"]]
        self.assertIn("Packaging", names)
        self.assertNotIn("Packaging B", names, "categories of the cashier's company only")

    def test_category_of_every_company(self):
        """A category without company serves every shop (a bug the service
        tour found: such a category was refused)."""
        shared = self.env["retail.feedback.category"].create({"name": "Service"})
        self._log({"feedback_type": "complaint", "description": "x", "category_id": shared.id})
        self.assertEqual(self._tickets().category_id, shared)

    def test_bad_input_creates_nothing(self):
        cases = [
            ({"feedback_type": "rant", "description": "x"}, "what kind of feedback"),
            ({"feedback_type": "complaint", "description": "  "}, "Write what the customer"),
            (
                {"feedback_type": "complaint", "description": "x", "photo": "not base64!"},
                "could not be read",
            ),
            (
                {
                    "feedback_type": "complaint",
                    "description": "x",
                    "photo": base64.b64encode(b"%PDF-1.4 not an image").decode(),
                },
                "Only a photo",
            ),
            (
                {
                    "feedback_type": "complaint",
                    "description": "x",
                    "category_id": self.other_category.id,
                },
                "does not exist in this shop",
            ),
        ]
        for vals, text in cases:
            with self.subTest(vals=vals), self.assertRaisesMessage(UserError, text):
                self._log(vals)
        self.assertFalse(self._tickets())

    def test_who_may_log(self):
        salesman = self._retail_user("feedback_sales", "sales_team.group_sale_salesman")
        portal = self._retail_user("feedback_portal", "base.group_portal")
        other_cashier = self._retail_user(
            "feedback_cashier_2",
            "base.group_user,point_of_sale.group_pos_user",
            company=self.company_2,
        )
        vals = {"feedback_type": "complaint", "description": "x"}
        for user in (salesman, portal, other_cashier):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._log(vals, user=user)
        with self.assertRaises(AccessError):
            self.env["pos.order"].with_user(portal).retail_pos_feedback_options()
        self.assertFalse(self._tickets())
        # the cashier still reads no ticket through the ORM
        self._log(vals)
        with self.assertRaises(AccessError):
            self.env["retail.feedback"].with_user(self.cashier).search([])
