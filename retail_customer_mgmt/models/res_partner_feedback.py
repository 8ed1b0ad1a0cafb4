from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Service: feedback tickets of the customer (all companies the user sees)
    retail_feedback_ids = fields.One2many(
        "retail.feedback",
        "partner_id",
        string="Feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_feedback_count = fields.Integer(
        string="Tickets",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_open_ticket_count = fields.Integer(
        string="Open Tickets",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_complaint_count = fields.Integer(
        string="Complaints",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_open_exception_count = fields.Integer(
        string="Open Exceptions",
        compute="_compute_retail_open_exception_count",
        groups="retail_customer_mgmt.group_retail_user",
        help="Exception orders of the customer not resolved yet.",
    )
    retail_satisfaction = fields.Float(
        string="Average Satisfaction",
        compute="_compute_retail_feedback",
        groups="retail_customer_mgmt.group_retail_user",
        help="Average rating (1-5) the customer gave to closed tickets.",
    )

    # ------------------------------------------------------------------
    # Feedback
    # ------------------------------------------------------------------
    def _compute_retail_feedback(self):
        Feedback = self.env["retail.feedback"]
        partners = self.commercial_partner_id
        domain = [("partner_id", "child_of", partners.ids)]
        counts = {}
        for partner, closed, ftype, count in Feedback._read_group(
            domain,
            ["partner_id", "is_closed", "feedback_type"],
            ["__count"],
        ):
            key = partner.commercial_partner_id.id
            data = counts.setdefault(key, {"all": 0, "open": 0, "complaints": 0})
            data["all"] += count
            data["open"] += 0 if closed else count
            data["complaints"] += count if ftype == "complaint" else 0
        ratings = {}
        for partner, total, count in Feedback._read_group(
            [*domain, ("rating_last_value", ">", 0)],
            ["partner_id"],
            ["rating_last_value:sum", "__count"],
        ):
            key = partner.commercial_partner_id.id
            old_total, old_count = ratings.get(key, (0.0, 0))
            ratings[key] = (old_total + total, old_count + count)
        for partner in self:
            key = partner.commercial_partner_id.id
            data = counts.get(key, {"all": 0, "open": 0, "complaints": 0})
            partner.retail_feedback_count = data["all"]
            partner.retail_open_ticket_count = data["open"]
            partner.retail_complaint_count = data["complaints"]
            total, count = ratings.get(key, (0.0, 0))
            partner.retail_satisfaction = total / count if count else 0.0

    def _compute_retail_open_exception_count(self):
        counts = {}
        for partner, count in self.env["retail.order.exception"]._read_group(
            [
                ("partner_id", "child_of", self.commercial_partner_id.ids),
                ("state", "in", ("new", "notified", "in_progress")),
            ],
            ["partner_id"],
            ["__count"],
        ):
            key = partner.commercial_partner_id.id
            counts[key] = counts.get(key, 0) + count
        for partner in self:
            partner.retail_open_exception_count = counts.get(partner.commercial_partner_id.id, 0)

    def action_retail_view_exceptions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_order_exception_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id, "search_default_open": 1}
        return action

    def action_retail_view_feedback(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_feedback_action"
        )
        action["domain"] = [("partner_id", "child_of", self.commercial_partner_id.id)]
        action["context"] = {"default_partner_id": self.id}
        return action
