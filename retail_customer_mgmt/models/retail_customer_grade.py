from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.rfm import recency_days


class RetailCustomerGrade(models.Model):
    """RFM grade of a customer in a company, written in bulk by the regrade."""

    _name = "retail.customer.grade"
    _description = "Retail Customer Grade"
    _order = "company_id, rfm_total desc, partner_id"
    _rec_name = "partner_id"
    _check_company_auto = True

    # no index of its own: the unique (partner_id, company_id) index serves
    # the lookups by customer, and each index costs a write per grade
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, ondelete="cascade", index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    user_id = fields.Many2one(related="partner_id.user_id", string="Salesperson")
    # recency moves every day: computed from the stored last purchase so that
    # the nightly regrade only writes the grades whose scores changed
    recency_days = fields.Integer("Days Since Last Purchase", compute="_compute_recency_days")
    frequency = fields.Integer("Orders in Window", readonly=True)
    # plain floats (double precision): written 10,000 at a time by the regrade
    monetary = fields.Float("Spend in Window", readonly=True)
    order_count = fields.Integer("Orders", readonly=True)
    lifetime_spend = fields.Float(readonly=True)
    avg_basket = fields.Float("Average Basket", readonly=True)
    median_interval = fields.Float("Usual Interval (days)", readonly=True)
    date_fingerprint = fields.Float(
        "Purchase Dates Fingerprint",
        readonly=True,
        help="Technical: a sum of hashes of the purchase dates, read by the weekly full "
        "regrade to sort only the histories that changed.",
    )
    last_purchase = fields.Datetime(readonly=True)
    r_score = fields.Integer("R", readonly=True, aggregator="avg")
    f_score = fields.Integer("F", readonly=True, aggregator="avg")
    m_score = fields.Integer("M", readonly=True, aggregator="avg")
    rfm_total = fields.Integer("RFM Total", readonly=True, aggregator="avg")
    rfm_code = fields.Char("RFM", readonly=True)
    segment_id = fields.Many2one("retail.segment", readonly=True, index=True, ondelete="set null")
    churn_risk = fields.Boolean(readonly=True)
    graded_on = fields.Date(
        compute="_compute_graded_on", help="Date of the last regrade of the company."
    )
    changed_on = fields.Date("Grade Changed On", readonly=True)
    revisit_no_channel = fields.Boolean(
        "Revisit Without Channel",
        compute="_compute_revisit_no_channel",
        search="_search_revisit_no_channel",
        help="The segment plans revisits, but the customer consented to no channel (call, "
        "visit, email, SMS, WeChat): no activity is planned; staff ask for a consent.",
    )

    _sql_constraints = [
        (
            "partner_company_unique",
            "UNIQUE (partner_id, company_id)",
            "A customer has one grade per company.",
        ),
    ]

    @api.depends("last_purchase")
    def _compute_recency_days(self):
        now = fields.Datetime.now()
        for grade in self:
            grade.recency_days = (
                recency_days(now, grade.last_purchase) if grade.last_purchase else 0
            )

    def _compute_graded_on(self):
        runs = self.env["retail.grade.run"]
        last = {}
        for company in self.company_id:
            last[company.id] = runs.search(
                [("company_id", "=", company.id), ("state", "=", "done")],
                order="id desc",
                limit=1,
            ).grading_date
        for grade in self:
            grade.graded_on = last.get(grade.company_id.id)

    def _revisit_channel_map(self):
        """``{grade id: channel or None}`` for the grades whose segment plans revisits."""
        due = self.filtered(lambda grade: grade.segment_id.revisit_days)
        by_partner = {grade.partner_id.id: grade.segment_id for grade in due}
        channels = due.partner_id._retail_revisit_channels(by_partner)
        return {grade.id: channels.get(grade.partner_id.id) for grade in due}

    def _compute_revisit_no_channel(self):
        channels = self._revisit_channel_map()
        for grade in self:
            grade.revisit_no_channel = grade.id in channels and not channels[grade.id]

    def _search_revisit_no_channel(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Search revisits without channel with = or !=."))
        due = self.search([("segment_id.revisit_days", ">", 0)])
        blocked = [gid for gid, channel in due._revisit_channel_map().items() if not channel]
        positive = (operator == "=") == bool(value)
        return [("id", "in" if positive else "not in", blocked)]

    # ------------------------------------------------------------------
    # Follow-up of the graded customers
    # ------------------------------------------------------------------
    @api.model
    def _retail_revisit_types(self, segments):
        """``{channel: mail.activity.type}``; calls keep the segment's own
        follow-up type when it has one (see ``_retail_revisit_type``)."""
        types = {
            channel: self.env.ref(f"retail_customer_mgmt.mail_activity_type_revisit_{channel}")
            for channel in ("visit", "email", "sms", "wechat")
        }
        types["phone"] = self.env.ref("retail_customer_mgmt.mail_activity_type_revisit")
        return types

    @api.model
    def _retail_revisit_type(self, types, segment, channel):
        if channel == "phone" and segment.activity_type_id:
            return segment.activity_type_id
        return types[channel]

    @api.model
    def _retail_plan_activities(self, company, grades, segments):
        """Churn warnings and revisit activities for graded customers.

        :param grades: ``{partner id: (segment id, churn risk)}``
        A customer never gets a second open churn warning, nor a second open
        revisit (whatever its channel). A revisit goes through the channel
        the customer consented to (preferred channel, else the segment's,
        else any consented one: call, visit, email, SMS, WeChat); customers
        with none are left to staff (``revisit_no_channel``). A constant
        number of queries.
        """
        if not grades:
            return
        churn_type = self.env.ref("retail_customer_mgmt.mail_activity_type_churn")
        revisit_types = self._retail_revisit_types(segments)
        segment_types = self.env["retail.segment"].union(*segments.values()).activity_type_id
        all_revisit_types = segment_types.union(*revisit_types.values())
        Activity = self.env["mail.activity"].sudo()
        # plain reads of a few columns for thousands of customers at once
        Activity.flush_model(["res_model", "res_id", "activity_type_id"])
        self.env.cr.execute(
            SQL(
                """SELECT res_id, activity_type_id FROM mail_activity
                WHERE res_model = 'res.partner' AND res_id = ANY(%s)
                  AND activity_type_id = ANY(%s)""",
                list(grades),
                (churn_type | all_revisit_types).ids,
            )
        )
        existing = set(self.env.cr.fetchall())
        revisit_open = {pid for pid, type_id in existing if type_id in all_revisit_types.ids}
        self.env["res.partner"].flush_model(["user_id", "name"])
        self.env.cr.execute(
            SQL("SELECT id, user_id, name FROM res_partner WHERE id = ANY(%s)", list(grades))
        )
        partners = {
            pid: {"user_id": user_id, "name": name} for pid, user_id, name in self.env.cr.fetchall()
        }
        default_user = company.retail_followup_user_id
        self._retail_assign_segment_users(grades, segments, partners)
        revisit_candidates = {
            pid: segments[segment_id]
            for pid, (segment_id, _risk) in grades.items()
            if segment_id in segments
            and segments[segment_id].revisit_days
            and (partners.get(pid, {}).get("user_id") or default_user)
            and pid not in revisit_open
        }
        channels = (
            self.env["res.partner"]
            .browse(list(revisit_candidates))
            ._retail_revisit_channels(revisit_candidates)
        )
        labels = dict(
            self.env["retail.segment"]._fields["revisit_channel"]._description_selection(self.env)
        )
        today = fields.Date.context_today(self)
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for partner_id, (_segment_id, risk) in grades.items():
            partner = partners.get(partner_id)
            if not partner:
                continue
            user_id = partner["user_id"] or default_user.id
            if not user_id:
                continue
            base = {"res_model_id": model_id, "res_id": partner_id, "user_id": user_id}
            if risk and (partner_id, churn_type.id) not in existing:
                vals_list.append(
                    {
                        **base,
                        "activity_type_id": churn_type.id,
                        "summary": self.env._("Churn risk: call %s back", partner["name"]),
                        "date_deadline": today,
                    }
                )
            segment = revisit_candidates.get(partner_id)
            channel = channels.get(partner_id)
            if segment and channel:
                vals_list.append(
                    {
                        **base,
                        "activity_type_id": self._retail_revisit_type(
                            revisit_types, segment, channel
                        ).id,
                        "summary": self.env._(
                            "Revisit (%(segment)s): %(channel)s",
                            segment=segment.name,
                            channel=labels[channel],
                        ),
                        "date_deadline": today + relativedelta(days=segment.revisit_days),
                    }
                )
        if vals_list:
            Activity.with_context(mail_activity_quick_update=True).create(vals_list)

    @api.model
    def _retail_assign_segment_users(self, grades, segments, partners):
        """Customers without a salesperson get their segment's dedicated one.

        :param partners: ``{partner id: {"user_id": ...}}``, updated here
        """
        by_user = {}
        for pid, (segment_id, _risk) in grades.items():
            segment = segments.get(segment_id)
            if (
                segment
                and segment.service_user_id
                and pid in partners
                and not partners[pid]["user_id"]
            ):
                by_user.setdefault(segment.service_user_id.id, []).append(pid)
        for user_id, partner_ids in by_user.items():
            # sudo: the nightly regrade assigns salespeople for every company
            self.env["res.partner"].sudo().browse(partner_ids).write({"user_id": user_id})
            for pid in partner_ids:
                partners[pid]["user_id"] = user_id
