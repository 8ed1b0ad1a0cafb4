from odoo import api, fields, models
from odoo.exceptions import AccessError, ValidationError
from odoo.tools import SQL


class ResPartner(models.Model):
    _inherit = "res.partner"

    # Grading of the current company (written by the regrade)
    retail_grade_id = fields.Many2one(
        "retail.customer.grade",
        string="Grade",
        compute="_compute_retail_grade",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_segment_id = fields.Many2one(
        "retail.segment",
        string="Segment",
        compute="_compute_retail_grade",
        search="_search_retail_segment_id",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_rfm_code = fields.Char(
        string="RFM",
        compute="_compute_retail_grade",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_churn_risk = fields.Boolean(
        string="Churn Risk",
        compute="_compute_retail_grade",
        search="_search_retail_churn_risk",
        groups="retail_customer_mgmt.group_retail_user",
    )

    # ------------------------------------------------------------------
    # Grading
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_grade(self):
        grades = (
            self.env["retail.customer.grade"]
            .sudo()
            .search(
                [
                    ("partner_id", "in", self.commercial_partner_id.ids),
                    ("company_id", "=", self.env.company.id),
                ]
            )
        )
        by_partner = {grade.partner_id.id: grade for grade in grades}
        for partner in self:
            grade = by_partner.get(partner.commercial_partner_id.id)
            partner.retail_grade_id = grade
            partner.retail_segment_id = grade.segment_id if grade else False
            partner.retail_rfm_code = grade.rfm_code if grade else False
            partner.retail_churn_risk = bool(grade and grade.churn_risk)

    def _retail_grade_domain(self, condition, negate=False):
        """Contacts whose commercial partner has (or, ``negate``, has not) a
        grade of the current company matching ``condition``. The negation is
        a NOT EXISTS (one anti-join), never a NOT IN over the grades."""
        query = (
            self.env["retail.customer.grade"]
            .sudo()
            ._search([("company_id", "=", self.env.company.id), *condition])
        )
        return [
            (
                "id",
                "in",
                SQL(
                    """(SELECT rp.id FROM res_partner rp WHERE %s EXISTS (
                            SELECT 1 FROM (%s) g WHERE g.partner_id = rp.commercial_partner_id))""",
                    SQL("NOT") if negate else SQL(""),
                    query.subselect("partner_id"),
                ),
            )
        ]

    def _search_retail_segment_id(self, operator, value):
        return self._retail_grade_domain([("segment_id", operator, value)])

    def _search_retail_churn_risk(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Search churn risk with = or !=."))
        positive = (operator == "=") == bool(value)
        return self._retail_grade_domain([("churn_risk", "=", True)], negate=not positive)

    @api.model
    def action_retail_regrade_now(self):
        if not self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            raise AccessError(self.env._("Only retail managers can regrade customers."))
        # sudo: the regrade writes grades and activities for every customer of
        # the company; managers may not hold rights on all the order models.
        run = self.env["retail.grade.run"].sudo()._regrade(self.env.company)
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Customers regraded"),
                "message": self.env._("%s customers graded.", run.done),
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
