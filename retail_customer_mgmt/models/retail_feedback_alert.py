import psycopg2
from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL


class RetailFeedbackAlert(models.Model):
    """A cluster of tickets about the same category or product arriving within
    a few days: one alert per cluster for the feedback manager, who looks for
    the common cause."""

    _name = "retail.feedback.alert"
    _description = "Recurring Issue Alert"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state desc, opened_at desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True)
    company_id = fields.Many2one("res.company", required=True, index=True, readonly=True)
    kind = fields.Selection(
        [("category", "Category"), ("product", "Product")], required=True, readonly=True
    )
    category_id = fields.Many2one("retail.feedback.category", readonly=True, index=True)
    product_id = fields.Many2one("product.product", readonly=True, index=True)
    ticket_ids = fields.Many2many(
        "retail.feedback",
        "retail_feedback_alert_ticket_rel",
        "alert_id",
        "ticket_id",
        string="Tickets",
        readonly=True,
    )
    ticket_count = fields.Integer(compute="_compute_ticket_count", store=True)
    state = fields.Selection(
        [("open", "Open"), ("done", "Handled")],
        default="open",
        required=True,
        index=True,
        tracking=True,
    )
    opened_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    closed_at = fields.Datetime(readonly=True)
    user_id = fields.Many2one("res.users", string="Manager", readonly=True)
    conclusion = fields.Html(help="The common cause found and what was done about it.")

    def init(self):
        # one open alert per category or product and company, by the database
        self.env.cr.execute(
            SQL(
                "CREATE UNIQUE INDEX IF NOT EXISTS retail_feedback_alert_open_unique "
                "ON retail_feedback_alert (company_id, kind, COALESCE(category_id, 0), "
                "COALESCE(product_id, 0)) WHERE state = 'open'"
            )
        )

    @api.depends("kind", "category_id.name", "product_id.display_name")
    def _compute_name(self):
        for alert in self:
            subject = (
                alert.category_id.name
                if alert.kind == "category"
                else alert.product_id.display_name
            )
            alert.name = self.env._("Recurring issue: %s", subject or "")

    @api.depends("ticket_ids")
    def _compute_ticket_count(self):
        for alert in self:
            alert.ticket_count = len(alert.ticket_ids)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_done(self):
        for alert in self:
            if alert.state != "open":
                raise UserError(self.env._("Alert %s is already handled.", alert.name))
        self.write({"state": "done", "closed_at": fields.Datetime.now()})
        self.activity_feedback(["retail_customer_mgmt.mail_activity_type_feedback_recurring"])
        return True

    def action_view_tickets(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_feedback_action"
        )
        action["domain"] = [("id", "in", self.ticket_ids.ids)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    @api.model
    def _retail_raise(self, company, kind, key, tickets):
        """Add ``tickets`` to the open alert of ``key``, or open it."""
        domain = [("company_id", "=", company.id), ("kind", "=", kind), ("state", "=", "open")]
        field = "category_id" if kind == "category" else "product_id"
        alert = self.search(domain + [(field, "=", key.id)], limit=1)
        if not alert:
            try:
                with self.env.cr.savepoint():
                    alert = self.create(
                        {
                            "company_id": company.id,
                            "kind": kind,
                            field: key.id,
                            "ticket_ids": [fields.Command.set(tickets.ids)],
                            "user_id": company.retail_feedback_manager_id.id,
                        }
                    )
            except psycopg2.errors.UniqueViolation:
                # another transaction opened it meanwhile: join it
                alert = self.search(domain + [(field, "=", key.id)], limit=1)
            else:
                alert._retail_notify_manager(tickets)
                return alert
        new = tickets - alert.ticket_ids
        if new:
            alert.ticket_ids = [fields.Command.link(t.id) for t in new]
            alert.message_post(body=alert._retail_ticket_list(new, self.env._("New tickets:")))
        return alert

    def _retail_ticket_list(self, tickets, title):
        items = Markup().join(Markup("<li>%s: %s</li>") % (t.name, t.subject) for t in tickets)
        return Markup("<p>%s</p><ul>%s</ul>") % (title, items)

    def _retail_notify_manager(self, tickets):
        manager = self.user_id
        if not manager:
            return
        self.message_subscribe(partner_ids=manager.partner_id.ids)
        self.activity_schedule(
            act_type_xmlid="retail_customer_mgmt.mail_activity_type_feedback_recurring",
            user_id=manager.id,
            summary=self.name,
            note=self._retail_ticket_list(
                tickets,
                self.env._(
                    "%(count)s tickets within %(days)s days:",
                    count=len(tickets),
                    days=self.company_id.retail_recurring_days,
                ),
            ),
            date_deadline=fields.Date.context_today(self),
        )
