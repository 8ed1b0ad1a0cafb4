from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestFeedbackQuality(RetailCommon):
    """Categories and root causes, order lines, vendors, recurring-issue alerts."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Feedback = cls.env["retail.feedback"]
        cls.manager_user = cls._retail_user(
            "fq_manager", "retail_customer_mgmt.group_retail_manager"
        )
        cls.agent = cls._retail_user("fq_agent", "retail_customer_mgmt.group_retail_user")
        cls.company_1.write(
            {
                "retail_feedback_manager_id": cls.manager_user.id,
                "retail_recurring_ticket_count": 3,
                "retail_recurring_days": 7,
            }
        )
        cls.quality = cls.env.ref("retail_customer_mgmt.feedback_category_quality")
        cls.service = cls.env.ref("retail_customer_mgmt.feedback_category_service")
        cls.defect = cls.env.ref("retail_customer_mgmt.feedback_cause_defect")
        cls.customer = cls.env["res.partner"].create({"name": "Zhao Lei"})
        cls.vendor = cls.env["res.partner"].create({"name": "Jingdezhen Porcelain Works"})
        cls.other_vendor = cls.env["res.partner"].create({"name": "Yixing Clay Co."})
        cls.product.product_tmpl_id.seller_ids = [
            Command.create({"partner_id": cls.vendor.id, "sequence": 1}),
            Command.create({"partner_id": cls.other_vendor.id, "sequence": 2}),
        ]
        cls.cup = cls.env["product.product"].create({"name": "Retail Tea Cup", "list_price": 20})

    def _ticket(self, **values):
        return self.Feedback.create(
            {"subject": "Cracked teapot", "partner_id": self.customer.id, **values}
        )

    def _alerts(self):
        return self.env["retail.feedback.alert"].search([("company_id", "=", self.company_1.id)])

    def test_order_line_sets_the_product_and_must_match_the_order(self):
        order = self._sale(self.customer, 100.0, "2026-11-20 10:00:00")
        other = self._sale(self.customer, 50.0, "2026-11-21 10:00:00")
        ticket = self._ticket(sale_order_id=order.id, sale_line_id=order.order_line.id)
        self.assertEqual(ticket.product_id, self.product)
        self.assertEqual(ticket.vendor_id, self.vendor, "the first vendor price line")
        with self.assertRaisesMessage(ValidationError, "not a line of its sales order"):
            ticket.sale_line_id = other.order_line
        pos_order = self._pos(self.customer, 30.0, "2026-11-22 10:00:00")
        with self.assertRaisesMessage(ValidationError, "not a line of its POS order"):
            self._ticket(pos_line_id=pos_order.lines.id)
        self.assertFalse(self.Feedback.search([("pos_line_id", "=", pos_order.lines.id)]))
        pos_ticket = self._ticket(pos_order_id=pos_order.id, pos_line_id=pos_order.lines.id)
        self.assertEqual(pos_ticket.product_id, self.product)

    def test_complaints_per_vendor(self):
        self._ticket(product_id=self.product.id, cause_id=self.defect.id)
        self._ticket(product_id=self.product.id, feedback_type="return")
        self._ticket(product_id=self.cup.id)
        self._ticket(product_id=self.product.id, feedback_type="praise")
        action = self.env.ref("retail_customer_mgmt.retail_feedback_vendor_action")
        groups = self.Feedback._read_group(
            safe_eval(action.domain) + [("company_id", "=", self.company_1.id)],
            ["vendor_id"],
            ["__count"],
        )
        self.assertEqual(groups, [(self.vendor, 2)], "praise and products without vendor left out")

    def test_vendor_follow_up(self):
        ticket = self._ticket(product_id=self.product.id, cause_id=self.defect.id)
        ticket.with_user(self.agent).action_retail_supplier_followup()
        activity = ticket.supplier_activity_id
        self.assertEqual(activity.res_model, "res.partner")
        self.assertEqual(activity.res_id, self.vendor.id)
        self.assertEqual(activity.user_id, self.agent)
        self.assertIn(ticket.name, activity.summary)
        self.assertIn("Manufacturing Defect", str(activity.note))
        self.assertEqual(ticket.supplier_followup_date, fields.Date.today())
        with self.assertRaisesMessage(UserError, "already planned"):
            ticket.action_retail_supplier_followup()
        self.assertEqual(
            self.env["mail.activity"].search_count(
                [("res_model", "=", "res.partner"), ("res_id", "=", self.vendor.id)]
            ),
            1,
        )
        with self.assertRaisesMessage(UserError, "has no vendor"):
            self._ticket(product_id=self.cup.id).action_retail_supplier_followup()
        with self.assertRaisesMessage(UserError, "names no product"):
            self._ticket().action_retail_supplier_followup()

    def test_recurring_issue_alert_once_per_cluster(self):
        self._ticket(category_id=self.quality.id)
        self._ticket(category_id=self.quality.id, feedback_type="praise", subject="Lovely")
        self._ticket(
            category_id=self.quality.id,
            opened_at=fields.Datetime.now() - timedelta(days=8),
            subject="Old one",
        )
        self._ticket(category_id=self.quality.id, subject="Chipped cup")
        self.assertFalse(self._alerts(), "two recent complaints: no cluster yet")
        third = self._ticket(category_id=self.quality.id, subject="Loose lid")
        alert = self._alerts()
        self.assertEqual(len(alert), 1)
        self.assertEqual((alert.kind, alert.category_id), ("category", self.quality))
        self.assertEqual(alert.ticket_count, 3)
        self.assertIn(third, alert.ticket_ids)
        self.assertEqual(alert.user_id, self.manager_user)
        self.assertEqual(alert.activity_ids.user_id, self.manager_user)
        self.assertIn("Loose lid", str(alert.activity_ids.note))
        # a fourth joins the same alert: still one alert, one activity
        fourth = self._ticket(category_id=self.quality.id, subject="Bad glaze")
        self.assertEqual(self._alerts(), alert)
        self.assertEqual(alert.ticket_count, 4)
        self.assertEqual(len(alert.activity_ids), 1)
        self.assertIn("Bad glaze", alert.message_ids[0].body)
        self.assertEqual(fourth.alert_ids, alert)
        # handled: the tickets it held do not open a new one, new tickets do
        alert.with_user(self.manager_user).action_done()
        self.assertEqual(alert.state, "done")
        self.assertFalse(alert.activity_ids)
        self._ticket(category_id=self.quality.id, subject="Another")
        self.assertEqual(self._alerts(), alert)
        self._ticket(category_id=self.quality.id)
        self._ticket(category_id=self.quality.id)
        self.assertEqual(len(self._alerts()), 2)

    def test_product_cluster_and_recategorised_tickets(self):
        tickets = self._ticket(product_id=self.cup.id, category_id=self.quality.id)
        tickets |= self._ticket(product_id=self.cup.id, category_id=self.service.id)
        self.assertFalse(self._alerts())
        late = self._ticket(category_id=self.service.id)
        late.product_id = self.cup
        alert = self._alerts()
        self.assertEqual((alert.kind, alert.product_id), ("product", self.cup))
        self.assertEqual(alert.ticket_ids, tickets | late)
        self.assertEqual(alert.name, "Recurring issue: Retail Tea Cup")

    def test_other_company_and_disabled(self):
        for _ in range(3):
            self.Feedback.with_company(self.company_2).create(
                {"subject": "Elsewhere", "category_id": self.quality.id}
            )
        elsewhere = self.env["retail.feedback.alert"].search(
            [("company_id", "=", self.company_2.id)]
        )
        self.assertEqual(len(elsewhere), 1, "company 2's default: 3 tickets in 7 days")
        self.assertFalse(elsewhere.user_id, "no manager set there: the alert waits in the list")
        self.assertFalse(self._alerts(), "another company's tickets do not count here")
        self.company_1.retail_recurring_ticket_count = 0
        for _ in range(4):
            self._ticket(category_id=self.quality.id)
        self.assertFalse(self._alerts())
        with self.assertRaisesMessage(ValidationError, "at least 2 tickets"):
            self.company_1.retail_recurring_ticket_count = 1
        with self.assertRaisesMessage(ValidationError, "at least one day"):
            self.company_1.retail_recurring_days = 0

    def test_rights(self):
        ticket = self._ticket(product_id=self.product.id)
        for _ in range(2):
            self._ticket(product_id=self.product.id)
        alert = self._alerts()
        self.assertTrue(alert)
        cashier = self._retail_user("fq_cashier", "point_of_sale.group_pos_user")
        seller = self._retail_user("fq_seller", "sales_team.group_sale_salesman")
        portal = self._retail_user("fq_portal", "base.group_portal")
        other = self._retail_user(
            "fq_other", "retail_customer_mgmt.group_retail_manager", company=self.company_2
        )
        for user in (cashier, seller, portal, other):
            with self.assertRaises(AccessError, msg=user.login):
                ticket.with_user(user).action_retail_supplier_followup()
            with self.assertRaises(AccessError, msg=user.login):
                alert.with_user(user).read(["name"])
        self.assertFalse(ticket.supplier_activity_id)
        with self.assertRaises(AccessError):
            alert.with_user(self.agent).action_done()
        self.assertEqual(alert.state, "open")
        with self.assertRaises(AccessError):
            self.env["retail.feedback.alert"].with_user(self.agent).create(
                {"company_id": self.company_1.id, "kind": "product", "product_id": self.cup.id}
            )
        with self.assertRaises(AccessError):
            self.env["retail.feedback.category"].with_user(self.agent).create({"name": "Mine"})
