import re

from odoo import http
from odoo.http import request
from odoo.tools import plaintext2html

from odoo.addons.portal.controllers.portal import CustomerPortal

PORTAL_TYPES = ("complaint", "suggestion", "praise", "return", "inquiry")
MAX_SUBJECT = 200
MAX_DESCRIPTION = 5000
EMAIL_RE = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _clean(value, limit):
    return (value or "").strip()[: limit + 1]


def _check_text(post, errors):
    """Validate the fields shared by both forms; return (subject, description, type)."""
    subject = _clean(post.get("subject"), MAX_SUBJECT)
    description = _clean(post.get("description"), MAX_DESCRIPTION)
    kind = post.get("feedback_type") or "complaint"
    _ = request.env._
    if not subject:
        errors["subject"] = _("Tell us in a few words what it is about.")
    elif len(subject) > MAX_SUBJECT:
        errors["subject"] = _("The subject is too long (%s characters at most).", MAX_SUBJECT)
    if len(description) > MAX_DESCRIPTION:
        errors["description"] = _(
            "The description is too long (%s characters at most).", MAX_DESCRIPTION
        )
    if kind not in PORTAL_TYPES:
        errors["feedback_type"] = _("Choose what kind of feedback this is.")
    return subject, description, kind


class RetailFeedbackPortal(CustomerPortal):
    """'My feedback': a customer's own tickets, and a form to write about one
    of their orders. Reads and writes go through sudo, always limited to the
    logged-in customer's commercial entity."""

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        if "retail_feedback_count" in counters:
            values["retail_feedback_count"] = (
                request.env["retail.feedback"].sudo().search_count(self._retail_feedback_domain())
            )
        return values

    def _retail_feedback_domain(self):
        partner = request.env.user.partner_id.commercial_partner_id
        return [("partner_id", "child_of", partner.id)]

    def _retail_orders(self):
        """The customer's confirmed sales orders and paid POS orders, newest first."""
        partner = request.env.user.partner_id.commercial_partner_id
        sales = (
            request.env["sale.order"]
            .sudo()
            .search(
                [("partner_id", "child_of", partner.id), ("state", "=", "sale")],
                order="date_order desc",
                limit=50,
            )
        )
        pos = (
            request.env["pos.order"]
            .sudo()
            .search(
                [
                    ("partner_id", "child_of", partner.id),
                    ("state", "in", ("paid", "done", "invoiced")),
                ],
                order="date_order desc",
                limit=50,
            )
        )
        return {f"sale-{o.id}": o for o in sales} | {f"pos-{o.id}": o for o in pos}

    @http.route(["/my/feedback"], type="http", auth="user", website=True)
    def portal_my_feedback(self, **kw):
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "tickets": request.env["retail.feedback"]
                .sudo()
                .search(self._retail_feedback_domain(), order="opened_at desc", limit=100),
                "page_name": "retail_feedback",
            }
        )
        return request.render("retail_customer_mgmt.portal_my_feedback", values)

    @http.route(["/my/feedback/<int:ticket_id>"], type="http", auth="user", website=True)
    def portal_my_feedback_ticket(self, ticket_id, **kw):
        ticket = (
            request.env["retail.feedback"]
            .sudo()
            .search(self._retail_feedback_domain() + [("id", "=", ticket_id)])
        )
        if not ticket:
            return request.redirect("/my/feedback")
        values = self._prepare_portal_layout_values()
        values.update({"ticket": ticket, "page_name": "retail_feedback"})
        return request.render("retail_customer_mgmt.portal_my_feedback_ticket", values)

    @http.route(
        ["/my/feedback/new"], type="http", auth="user", methods=["GET", "POST"], website=True
    )
    def portal_my_feedback_new(self, **post):
        orders = self._retail_orders()
        errors = {}
        if request.httprequest.method == "POST":
            subject, description, kind = _check_text(post, errors)
            order = orders.get(post.get("order") or "")
            if post.get("order") and not order:
                errors["order"] = request.env._("Choose one of your orders.")
            if not errors:
                vals = {
                    "subject": subject,
                    "description": plaintext2html(description) if description else False,
                    "feedback_type": kind,
                    "channel": "online",
                    "partner_id": request.env.user.partner_id.id,
                    "company_id": (order.company_id if order else request.env.user.company_id).id,
                }
                if order:
                    vals["sale_order_id" if order._name == "sale.order" else "pos_order_id"] = (
                        order.id
                    )
                ticket = request.env["retail.feedback"].sudo().create(vals)
                return request.redirect(f"/my/feedback/{ticket.id}")
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "orders": orders,
                "errors": errors,
                "post": post,
                "types": PORTAL_TYPES,
                "page_name": "retail_feedback",
            }
        )
        return request.render("retail_customer_mgmt.portal_my_feedback_new", values)


class RetailFeedbackPublic(http.Controller):
    """A public feedback form (no login): validated input, a limited number
    of submissions per IP address and per email address and hour, and no
    contact created for invalid input."""

    @http.route(
        ["/feedback"],
        type="http",
        auth="public",
        methods=["GET", "POST"],
        website=True,
        sitemap=False,
    )
    def public_feedback(self, **post):
        errors = {}
        if request.httprequest.method == "POST":
            subject, description, kind = _check_text(post, errors)
            name = _clean(post.get("name"), 100)
            email = _clean(post.get("email"), 120).lower()
            _ = request.env._
            if not name or len(name) > 100:
                errors["name"] = _("Tell us your name.")
            if not EMAIL_RE.match(email) or len(email) > 120:
                errors["email"] = _("Enter a valid email address so that we can answer you.")
            Log = request.env["retail.feedback.submission"].sudo()
            address = request.httprequest.remote_addr or ""
            if not errors and not Log._retail_allowed(address, email):
                errors["limit"] = _(
                    "Too many messages from you in the last hour: please try again later."
                )
            if not errors:
                Feedback = request.env["retail.feedback"].sudo()
                partner = Feedback._mail_find_partner_from_emails(
                    [f'"{name}" <{email}>'], force_create=True
                )[0]
                Feedback.create(
                    {
                        "subject": subject,
                        "description": plaintext2html(description) if description else False,
                        "feedback_type": kind,
                        "channel": "online",
                        "partner_id": partner.id,
                    }
                )
                Log.create({"ip_address": address, "email": email})
                return request.render("retail_customer_mgmt.public_feedback_thanks", {})
        return request.render(
            "retail_customer_mgmt.public_feedback",
            {"errors": errors, "post": post, "types": PORTAL_TYPES},
        )
