from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.rfm import recency_days


class RetailCustomerGrade(models.Model):
    """RFM grade of a customer in a company, written in bulk by the regrade."""

    _name = "retail.customer.grade"
    _description = "Retail Customer Grade"
    _order = "company_id, rfm_total desc, partner_id"
    _rec_name = "partner_id"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, ondelete="cascade", index=True
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

    # ------------------------------------------------------------------
    # Follow-up of the graded customers
    # ------------------------------------------------------------------
    @api.model
    def _retail_plan_activities(self, company, grades, segments):
        """Churn warnings and revisit activities for graded customers.

        :param grades: ``{partner id: (segment id, churn risk)}``
        A customer never gets a second open activity of the same type; revisits
        skip customers who may not be called (``_retail_may_contact("phone")``).
        A constant number of queries.
        """
        if not grades:
            return
        churn_type = self.env.ref("retail_customer_mgmt.mail_activity_type_churn")
        revisit_type = self.env.ref("retail_customer_mgmt.mail_activity_type_revisit")
        types = (
            churn_type
            | revisit_type
            | self.env["retail.segment"].union(*segments.values()).activity_type_id
        )
        Activity = self.env["mail.activity"].sudo()
        # plain reads of a few columns for thousands of customers at once
        Activity.flush_model(["res_model", "res_id", "activity_type_id"])
        self.env.cr.execute(
            SQL(
                """SELECT res_id, activity_type_id FROM mail_activity
                WHERE res_model = 'res.partner' AND res_id = ANY(%s)
                  AND activity_type_id = ANY(%s)""",
                list(grades),
                types.ids,
            )
        )
        existing = set(self.env.cr.fetchall())
        self.env["res.partner"].flush_model(["user_id", "name"])
        self.env.cr.execute(
            SQL("SELECT id, user_id, name FROM res_partner WHERE id = ANY(%s)", list(grades))
        )
        partners = {
            pid: {"user_id": user_id, "name": name} for pid, user_id, name in self.env.cr.fetchall()
        }
        # revisits are calls: the consent check of marketing contacts, for
        # the customers who would get one
        revisit_candidates = [
            pid
            for pid, (segment_id, _risk) in grades.items()
            if segment_id in segments
            and segments[segment_id].revisit_days
            and (partners.get(pid, {}).get("user_id") or company.retail_followup_user_id)
            and (pid, (segments[segment_id].activity_type_id or revisit_type).id) not in existing
        ]
        may_call = set(
            self.env["res.partner"].browse(revisit_candidates)._retail_may_contact("phone").ids
        )
        today = fields.Date.context_today(self)
        default_user = company.retail_followup_user_id
        model_id = self.env["ir.model"]._get_id("res.partner")
        vals_list = []
        for partner_id, (segment_id, risk) in grades.items():
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
            segment = segments.get(segment_id)
            if segment and segment.revisit_days and partner_id in may_call:
                activity_type = segment.activity_type_id or revisit_type
                if (partner_id, activity_type.id) not in existing:
                    vals_list.append(
                        {
                            **base,
                            "activity_type_id": activity_type.id,
                            "summary": self.env._("Revisit (%s)", segment.name),
                            "date_deadline": today + relativedelta(days=segment.revisit_days),
                        }
                    )
        if vals_list:
            Activity.with_context(mail_activity_quick_update=True).create(vals_list)
