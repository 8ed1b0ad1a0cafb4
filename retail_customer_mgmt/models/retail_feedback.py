from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import is_html_empty

from ..services.service_level import ticket_hours, ticket_priority
from ..services.sla import sla_deadline, sla_state

FEEDBACK_TYPES = [
    ("complaint", "Complaint"),
    ("suggestion", "Suggestion"),
    ("praise", "Praise"),
    ("return", "Return or Exchange Request"),
    ("inquiry", "Inquiry"),
]
FEEDBACK_CHANNELS = [
    ("store", "In Store"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("wechat", "WeChat"),
    ("online", "Online"),
    ("pos", "POS"),
]
FEEDBACK_PRIORITIES = [("0", "Normal"), ("1", "High"), ("2", "Urgent")]


class RetailFeedback(models.Model):
    _name = "retail.feedback"
    _description = "Customer Feedback Ticket"
    _inherit = ["mail.thread.cc", "mail.activity.mixin", "rating.mixin"]
    _order = "priority desc, sla_deadline, id desc"
    _primary_email = "partner_email"
    _check_company_auto = True

    name = fields.Char("Reference", required=True, readonly=True, copy=False, default="/")
    subject = fields.Char(required=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    partner_id = fields.Many2one(
        "res.partner", string="Customer", tracking=True, index=True, check_company=True
    )
    partner_email = fields.Char(
        "Customer Email", compute="_compute_partner_email", store=True, readonly=False
    )
    feedback_type = fields.Selection(
        FEEDBACK_TYPES, string="Type", required=True, default="complaint", tracking=True
    )
    channel = fields.Selection(FEEDBACK_CHANNELS, required=True, default="store")
    priority = fields.Selection(FEEDBACK_PRIORITIES, default="0", tracking=True)
    stage_id = fields.Many2one(
        "retail.feedback.stage",
        tracking=True,
        index=True,
        copy=False,
        default=lambda self: self.env["retail.feedback.stage"].search([], limit=1),
        group_expand="_read_group_expand_full",
    )
    is_closed = fields.Boolean(related="stage_id.is_closed", store=True)
    user_id = fields.Many2one(
        "res.users",
        string="Assigned to",
        tracking=True,
        index=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    sale_order_id = fields.Many2one("sale.order", check_company=True, index="btree_not_null")
    pos_order_id = fields.Many2one(
        "pos.order", string="POS Order", check_company=True, index="btree_not_null"
    )
    product_id = fields.Many2one("product.product", check_company=True)
    description = fields.Html()
    # not tracked: Odoo 18 cannot track Html fields (NotImplementedError at commit)
    resolution = fields.Html()
    opened_at = fields.Datetime(default=fields.Datetime.now, required=True, readonly=True)
    sla_deadline = fields.Datetime("SLA Deadline", readonly=True, tracking=True)
    sla_state = fields.Selection(
        [("on_time", "On Time"), ("at_risk", "At Risk"), ("breached", "Breached")],
        string="SLA",
        default="on_time",
        readonly=True,
        index=True,
    )
    closed_date = fields.Datetime(readonly=True, copy=False)
    color = fields.Integer()

    @api.depends("partner_id.email")
    def _compute_partner_email(self):
        for ticket in self:
            if ticket.partner_id.email:
                ticket.partner_email = ticket.partner_id.email

    # ------------------------------------------------------------------
    # SLA
    # ------------------------------------------------------------------
    def _sla_hours(self):
        """``{(company, type, priority): hours}`` for the tickets in self (one query)."""
        policies = (
            self.env["retail.feedback.sla"]
            .sudo()
            .search([("company_id", "in", self.company_id.ids)])
        )
        return {(p.company_id.id, p.feedback_type, p.priority): p.hours for p in policies}

    def _update_sla(self):
        """Deadlines from the SLA policy of each ticket's type and priority, or
        from the customer's own SLA (tier or segment) when it is shorter."""
        hours = self._sla_hours()
        levels = {}
        for company, tickets in self.grouped("company_id").items():
            levels[company.id] = tickets.partner_id._retail_service_levels(company)
        for ticket in self.filtered(lambda t: not t.is_closed):
            level = levels[ticket.company_id.id].get(ticket.partner_id.commercial_partner_id.id)
            policy = hours.get((ticket.company_id.id, ticket.feedback_type, ticket.priority))
            ticket.sla_deadline = sla_deadline(
                ticket.opened_at, ticket_hours(policy, level) if level else policy
            )
        self._refresh_sla_state()

    def _apply_service_priority(self):
        """Raise the tickets to the priority of their customer's tier or segment."""
        for company, tickets in self.grouped("company_id").items():
            levels = tickets.partner_id._retail_service_levels(company)
            for ticket in tickets.filtered("partner_id"):
                level = levels.get(ticket.partner_id.commercial_partner_id.id)
                priority = ticket_priority(ticket.priority, level) if level else ticket.priority
                if priority != ticket.priority:
                    ticket.priority = priority

    def _refresh_sla_state(self):
        now = fields.Datetime.now()
        for ticket in self:
            state = sla_state(ticket.opened_at, ticket.sla_deadline, now, ticket.closed_date)
            if ticket.sla_state != state:
                ticket.sla_state = state

    @api.model
    def _cron_retail_feedback_sla(self):
        """Hourly: SLA states of open tickets, escalation of those at risk."""
        tickets = self.search([("is_closed", "=", False), ("sla_deadline", "!=", False)])
        tickets._refresh_sla_state()
        tickets.filtered(lambda t: t.sla_state in ("at_risk", "breached"))._escalate()

    def _escalate(self):
        """One escalation activity per ticket for the retail manager, never two."""
        activity_type = self.env.ref("retail_customer_mgmt.mail_activity_type_feedback_escalation")
        open_escalations = set(
            self.env["mail.activity"]
            .sudo()
            .search(
                [
                    ("res_model", "=", self._name),
                    ("res_id", "in", self.ids),
                    ("activity_type_id", "=", activity_type.id),
                ]
            )
            .mapped("res_id")
        )
        for ticket in self:
            if ticket.id in open_escalations:
                continue
            manager = ticket.company_id.retail_feedback_manager_id or ticket.user_id
            if not manager:
                continue
            ticket.activity_schedule(
                act_type_xmlid="retail_customer_mgmt.mail_activity_type_feedback_escalation",
                user_id=manager.id,
                summary=self.env._(
                    "SLA %(state)s: %(ticket)s",
                    state=dict(self._fields["sla_state"]._description_selection(self.env))[
                        ticket.sla_state
                    ],
                    ticket=ticket.name,
                ),
                date_deadline=fields.Date.context_today(self),
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("name", "/") == "/":
                company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
                vals["name"] = (
                    self.env["ir.sequence"].with_company(company).next_by_code("retail.feedback")
                    or "/"
                )
        tickets = super().create(vals_list)
        tickets._apply_service_priority()
        tickets._update_sla()
        for ticket in tickets.filtered("partner_id"):
            ticket.message_subscribe(partner_ids=ticket.partner_id.ids)
        return tickets

    def write(self, vals):
        closing = self.env["retail.feedback.stage"]
        if "stage_id" in vals:
            stage = self.env["retail.feedback.stage"].browse(vals["stage_id"])
            if stage.is_closed:
                closing = self.filtered(lambda t: not t.is_closed)
                for ticket in closing:
                    resolution = vals.get("resolution", ticket.resolution)
                    if is_html_empty(resolution):
                        raise ValidationError(
                            self.env._(
                                "Ticket %s cannot be closed without a resolution: write what "
                                "was done for the customer first.",
                                ticket.name,
                            )
                        )
                vals = {**vals, "closed_date": fields.Datetime.now()}
            else:
                vals = {**vals, "closed_date": False}
        res = super().write(vals)
        if "partner_id" in vals:
            self._apply_service_priority()
        if {"feedback_type", "priority", "company_id", "partner_id"} & set(vals):
            self._update_sla()
        elif "stage_id" in vals:
            self._refresh_sla_state()
        if closing:
            closing._send_rating_request()
        return res

    def _send_rating_request(self):
        template = self.env.ref(
            "retail_customer_mgmt.mail_template_feedback_rating", raise_if_not_found=False
        )
        if not template:
            return
        for ticket in self:
            partner = ticket.partner_id
            # rating requests are service mails, but we still only write to
            # customers who accepted email contact: the one consent check
            if partner and partner._retail_may_contact("email"):
                ticket.rating_send_request(template, lang=partner.lang, force_send=False)

    # ------------------------------------------------------------------
    # Mail gateway
    # ------------------------------------------------------------------
    @api.model
    def message_new(self, msg_dict, custom_values=None):
        """A mail to the feedback alias opens a ticket for the sender."""
        email_from = msg_dict.get("email_from") or msg_dict.get("from")
        partner = self.env["res.partner"].browse(msg_dict.get("author_id"))
        if not partner and email_from:
            partner = self._mail_find_partner_from_emails([email_from], force_create=True)[0]
        defaults = {
            "subject": msg_dict.get("subject") or self.env._("No Subject"),
            "channel": "email",
            "partner_id": partner.id,
            "description": msg_dict.get("body"),
        }
        if custom_values:
            defaults.update(custom_values)
        ticket = super(RetailFeedback, self.with_context(default_user_id=False)).message_new(
            msg_dict, custom_values=defaults
        )
        if partner:
            ticket.message_subscribe(partner_ids=partner.ids)
        return ticket

    def _message_get_suggested_recipients(self):
        recipients = super()._message_get_suggested_recipients()
        for ticket in self.filtered("partner_id"):
            ticket._message_add_suggested_recipient(
                recipients, partner=ticket.partner_id, reason=self.env._("Customer")
            )
        return recipients

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_create_return(self):
        """Start the return of the delivered goods of the linked sales order with
        Odoo's own return wizard."""
        self.ensure_one()
        picking = self.sale_order_id.picking_ids.filtered(
            lambda p: p.state == "done" and p.picking_type_code == "outgoing"
        )[:1]
        if not picking:
            raise ValidationError(
                self.env._(
                    "Ticket %s has no delivered sales order to return goods from.", self.name
                )
            )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Return"),
            "res_model": "stock.return.picking",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_id": picking.id,
                "active_ids": picking.ids,
                "active_model": "stock.picking",
            },
        }
