from odoo import Command, http
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestFeedbackPortal(HttpCase):
    """'My feedback' for a logged-in customer, and the public form."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = new_test_user(
            cls.env, login="fb_portal", groups="base.group_portal", name="Portal Pei"
        )
        cls.customer = cls.portal_user.partner_id
        cls.other = cls.env["res.partner"].create({"name": "Other Ou"})
        product = cls.env["product.product"].create({"name": "Portal Teapot", "list_price": 30})

        def order(partner):
            so = cls.env["sale.order"].create(
                {
                    "partner_id": partner.id,
                    "order_line": [Command.create({"product_id": product.id})],
                }
            )
            so.action_confirm()
            return so

        cls.mine = order(cls.customer)
        cls.theirs = order(cls.other)
        cls.their_ticket = cls.env["retail.feedback"].create(
            {"subject": "Not yours", "partner_id": cls.other.id}
        )
        cls.Feedback = cls.env["retail.feedback"]

    def _post(self, url, data):
        return self.url_open(url, data={**data, "csrf_token": http.Request.csrf_token(self)})

    def test_my_feedback(self):
        self.authenticate("fb_portal", "fb_portal")
        response = self._post(
            "/my/feedback/new",
            {
                "order": f"sale-{self.mine.id}",
                "feedback_type": "complaint",
                "subject": "Lid does not fit",
                "description": "The lid <b>wobbles</b>.",
            },
        )
        ticket = self.Feedback.search([("partner_id", "=", self.customer.id)])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(
            (ticket.subject, ticket.sale_order_id, ticket.channel, ticket.feedback_type),
            ("Lid does not fit", self.mine, "online", "complaint"),
        )
        self.assertIn("&lt;b&gt;wobbles", str(ticket.description), "text, not HTML")
        self.assertTrue(response.url.endswith(f"/my/feedback/{ticket.id}"))
        self.assertIn("Lid does not fit", response.text)
        listing = self.url_open("/my/feedback")
        self.assertIn(ticket.name, listing.text)
        self.assertNotIn("Not yours", listing.text)
        # another customer's ticket and order stay out of reach
        response = self.url_open(f"/my/feedback/{self.their_ticket.id}")
        self.assertNotIn("Not yours", response.text)
        self.assertTrue(response.url.endswith("/my/feedback"))
        response = self._post(
            "/my/feedback/new",
            {"order": f"sale-{self.theirs.id}", "subject": "Sneaky", "feedback_type": "praise"},
        )
        self.assertIn("Choose one of your orders", response.text)
        self.assertFalse(self.Feedback.search([("subject", "=", "Sneaky")]))
        response = self._post("/my/feedback/new", {"subject": " ", "feedback_type": "hack"})
        self.assertIn("what it is about", response.text)
        self.assertEqual(self.Feedback.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_public_form(self):
        self.authenticate(None, None)  # a visitor's session
        partners = self.env["res.partner"].search_count([])
        response = self._post(
            "/feedback",
            {"name": "Walk In", "email": "not-an-email", "subject": "Great shop"},
        )
        self.assertIn("valid email", response.text)
        response = self._post("/feedback", {"name": "", "email": "a@b.cn", "subject": ""})
        self.assertIn("Tell us your name", response.text)
        self.assertEqual(self.env["res.partner"].search_count([]), partners, "no contact created")
        self.assertFalse(self.Feedback.search([("subject", "=", "Great shop")]))
        for i in range(5):
            response = self._post(
                "/feedback",
                {
                    "name": "Walk In",
                    "email": f"walk{i}@example.cn",
                    "subject": f"Great shop {i}",
                    "feedback_type": "praise",
                },
            )
            self.assertIn("Thank you", response.text)
        tickets = self.Feedback.search([("subject", "like", "Great shop")])
        self.assertEqual(len(tickets), 5)
        self.assertEqual(tickets[0].channel, "online")
        self.assertEqual(tickets.partner_id.mapped("email").count("walk0@example.cn"), 1)
        response = self._post(
            "/feedback",
            {"name": "Walk In", "email": "walk9@example.cn", "subject": "Once more"},
        )
        self.assertIn("Too many messages", response.text)
        self.assertFalse(self.Feedback.search([("subject", "=", "Once more")]))
        self.assertFalse(self.env["res.partner"].search([("email", "=", "walk9@example.cn")]))


@tagged("post_install", "-at_install")
class TestFeedbackPortalTours(HttpCase):
    """The same forms in Chromium, as a customer and a visitor use them."""

    def test_portal_feedback_tour(self):
        user = new_test_user(
            self.env, login="fb_tour", groups="base.group_portal", name="Tour Tang"
        )
        product = self.env["product.product"].create({"name": "Tour Teapot", "list_price": 30})
        order = self.env["sale.order"].create(
            {
                "partner_id": user.partner_id.id,
                "order_line": [Command.create({"product_id": product.id})],
            }
        )
        order.action_confirm()
        self.start_tour("/my/feedback", "retail_portal_feedback_tour", login="fb_tour")
        ticket = self.env["retail.feedback"].search([("partner_id", "=", user.partner_id.id)])
        self.assertEqual(
            (ticket.subject, ticket.feedback_type, ticket.sale_order_id, ticket.channel),
            ("Lid does not fit", "complaint", order, "online"),
        )
        self.assertIn("wobbles", str(ticket.description))

    def test_public_feedback_tour(self):
        partners = self.env["res.partner"].search_count([])
        self.start_tour("/feedback", "retail_public_feedback_tour")
        ticket = self.env["retail.feedback"].search([("subject", "=", "Lovely shop")])
        self.assertEqual(len(ticket), 1)
        self.assertEqual(
            (ticket.partner_id.name, ticket.partner_id.email, ticket.feedback_type),
            ("Walk In Wu", "wu@example.cn", "praise"),
        )
        self.assertIn("Friendly staff.", str(ticket.description))
        self.assertEqual(
            self.env["res.partner"].search_count([]),
            partners + 1,
            "one contact, for the accepted message only",
        )
