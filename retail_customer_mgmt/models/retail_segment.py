from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.rfm import SegmentRule, coverage

# Chinese names of the shop's classic segments: first installed, and the
# shop's own words that replaced them
_SHOP_NAMES = {
    "retail_customer_mgmt.retail_segment_frequent_small": ("高频小单客户", "重要维护客户"),
    "retail_customer_mgmt.retail_segment_occasional_big": ("低频大单客户", "关键发展客户"),
    "retail_customer_mgmt.retail_segment_potential": ("潜力客户", "潜力客户"),
}

REVISIT_CHANNELS = [
    ("phone", "Phone call"),
    ("visit", "Visit"),
    ("email", "Email"),
    ("sms", "SMS"),
    ("wechat", "WeChat"),
]


class RetailSegment(models.Model):
    _name = "retail.segment"
    _description = "Retail Customer Segment"
    _inherit = ["retail.service.mixin"]
    _order = "sequence, id"

    name = fields.Char(required=True, translate=True)
    code = fields.Char(required=True)
    color = fields.Integer()
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to use the segment in every company.",
    )
    r_min = fields.Integer("Recency From", default=1)
    r_max = fields.Integer("Recency To", default=5)
    f_min = fields.Integer("Frequency From", default=1)
    f_max = fields.Integer("Frequency To", default=5)
    m_min = fields.Integer("Monetary From", default=1)
    m_max = fields.Integer("Monetary To", default=5)
    min_spend = fields.Float(
        "Minimum Spend", help="Optional: spend in the analysis window at least this amount."
    )
    min_avg_basket = fields.Float("Minimum Average Basket")
    max_avg_basket = fields.Float("Maximum Average Basket", help="0 means no maximum.")
    revisit_days = fields.Integer(
        "Revisit Every (days)",
        help="Cadence of follow-up activities for the customers of this segment; 0 = none.",
    )
    activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Follow-up Activity",
        domain="[('res_model', 'in', (False, 'res.partner'))]",
    )
    revisit_channel = fields.Selection(
        REVISIT_CHANNELS,
        default="phone",
        help="Usual channel of the revisits, for customers without a preferred channel they "
        "consented to; a customer is never contacted on a channel without their consent.",
    )
    service_user_id = fields.Many2one(
        help="Becomes the salesperson of the customers of this segment who have none."
    )
    churn_interval_days = fields.Integer(
        "Usual Interval (days)",
        default=60,
        help="Usual days between purchases assumed for customers with fewer than 3 orders "
        "when estimating churn risk.",
    )
    description = fields.Text(translate=True)
    # counts of graded customers: retail users only (cashiers read segments'
    # names, not the grades)
    grade_count = fields.Integer(
        compute="_compute_grade_count",
        string="Customers",
        groups="retail_customer_mgmt.group_retail_user",
    )
    revisit_no_channel_count = fields.Integer(
        compute="_compute_revisit_no_channel_count",
        string="Without Channel",
        groups="retail_customer_mgmt.group_retail_user",
        help="Customers of the segment due for revisits who consented to no channel.",
    )
    coverage_report = fields.Html(compute="_compute_coverage_report", sanitize=False)

    _sql_constraints = [
        ("code_company_unique", "UNIQUE (code, company_id)", "Segment codes must be unique."),
    ]

    @api.constrains(
        "r_min",
        "r_max",
        "f_min",
        "f_max",
        "m_min",
        "m_max",
        "revisit_days",
        "churn_interval_days",
        "min_spend",
        "min_avg_basket",
        "max_avg_basket",
        "service_sla_hours",
    )
    def _check_ranges(self):
        for segment in self:
            for low, high, label in (
                (segment.r_min, segment.r_max, self.env._("recency")),
                (segment.f_min, segment.f_max, self.env._("frequency")),
                (segment.m_min, segment.m_max, self.env._("monetary")),
            ):
                if not (1 <= low <= high <= 5):
                    raise ValidationError(
                        self.env._(
                            "Segment %(segment)s: the %(score)s range must go from 1 to 5, "
                            "with From not above To.",
                            segment=segment.name,
                            score=label,
                        )
                    )
            if (
                min(
                    segment.revisit_days,
                    segment.churn_interval_days,
                    segment.min_spend,
                    segment.min_avg_basket,
                    segment.max_avg_basket,
                    segment.service_sla_hours,
                )
                < 0
            ):
                raise ValidationError(
                    self.env._("Segment %s: days and amounts cannot be negative.", segment.name)
                )
            if segment.max_avg_basket and segment.max_avg_basket < segment.min_avg_basket:
                raise ValidationError(
                    self.env._(
                        "Segment %s: the maximum average basket is below the minimum.", segment.name
                    )
                )

    def _rule(self):
        self.ensure_one()
        return SegmentRule(
            self.id,
            self.sequence,
            (self.r_min, self.r_max),
            (self.f_min, self.f_max),
            (self.m_min, self.m_max),
            self.min_spend,
            self.max_avg_basket,
            self.min_avg_basket,
        )

    @api.model
    def _segments_for(self, company):
        return self.search(["|", ("company_id", "=", False), ("company_id", "=", company.id)])

    @api.depends_context("company")
    def _compute_grade_count(self):
        data = self.env["retail.customer.grade"]._read_group(
            [("segment_id", "in", self.ids), ("company_id", "=", self.env.company.id)],
            ["segment_id"],
            ["__count"],
        )
        counts = {segment.id: count for segment, count in data}
        for segment in self:
            segment.grade_count = counts.get(segment.id, 0)

    @api.depends_context("company")
    def _compute_revisit_no_channel_count(self):
        data = self.env["retail.customer.grade"]._read_group(
            [
                ("segment_id", "in", self.ids),
                ("company_id", "=", self.env.company.id),
                ("revisit_no_channel", "=", True),
            ],
            ["segment_id"],
            ["__count"],
        )
        counts = {segment.id: count for segment, count in data}
        for segment in self:
            segment.revisit_no_channel_count = counts.get(segment.id, 0)

    @api.depends("r_min", "r_max", "f_min", "f_max", "m_min", "m_max", "sequence", "active")
    @api.depends_context("company")
    def _compute_coverage_report(self):
        segments = self._segments_for(self.env.company)
        gaps, overlaps = coverage([s._rule() for s in segments])
        names = {s.id: s.name for s in segments}
        shadowed = {}
        for combo, ids in overlaps.items():
            shadowed.setdefault((ids[0], tuple(ids[1:])), []).append(combo)
        report = self.env["ir.qweb"]._render(
            "retail_customer_mgmt.retail_segment_coverage",
            {
                "gaps": self.env._("No segment for %s score combinations (R-F-M):", len(gaps))
                if gaps
                else False,
                "combinations": ", ".join(f"{r}{f}{m}" for r, f, m in gaps[:40])
                + (" …" if len(gaps) > 40 else ""),
                "overlaps": [
                    self.env._(
                        "%(winner)s wins over %(others)s for %(count)s combinations",
                        winner=names[winner],
                        others=", ".join(names[i] for i in others),
                        count=len(combos),
                    )
                    for (winner, others), combos in shadowed.items()
                ],
            },
            minimal_qcontext=True,
        )
        for segment in self:
            segment.coverage_report = report

    @api.model
    def _retail_apply_shop_names(self):
        """Give the classic segments the shop's Chinese names in a database
        where they still have the names first installed (an upgrade does not
        rewrite noupdate data; a name the shop changed is kept). Only the
        Chinese name is written: with English inactive, the ORM would
        overwrite the English name too."""
        if not self.env["res.lang"]._lang_get("zh_CN"):
            return
        ids = {
            segment.id: names
            for xmlid, names in _SHOP_NAMES.items()
            if (segment := self.env.ref(xmlid, raise_if_not_found=False)) and names[0] != names[1]
        }
        if not ids:
            return
        self.flush_model(["name"])
        for segment_id, (old, new) in ids.items():
            self.env.cr.execute(
                SQL(
                    """UPDATE retail_segment SET name = name || jsonb_build_object('zh_CN', %s)
                        WHERE id = %s AND name->>'zh_CN' = %s""",
                    new,
                    segment_id,
                    old,
                )
            )
        self.browse(list(ids)).invalidate_recordset(["name"])

    def action_view_customers(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_customer_grade_action"
        )
        action["domain"] = [("segment_id", "=", self.id)]
        return action

    def action_view_revisit_no_channel(self):
        self.ensure_one()
        action = self.action_view_customers()
        action["domain"] = [("segment_id", "=", self.id), ("revisit_no_channel", "=", True)]
        return action
