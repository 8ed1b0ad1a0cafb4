from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import SQL

from ..services.marketing import consent_channel, days_condition


class ResPartner(models.Model):
    """Audiences of campaigns: searchable criteria for the filter of a mailing
    (Email or SMS Marketing) on contacts, and the "Send a campaign" actions.

    Every search is one SQL condition, whatever the number of customers;
    segment, tier and churn risk are the searchable fields of the profile.
    """

    _inherit = "res.partner"

    retail_r_score = fields.Integer(
        string="Recency Score",
        compute="_compute_retail_rfm_scores",
        search="_search_retail_r_score",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_f_score = fields.Integer(
        string="Frequency Score",
        compute="_compute_retail_rfm_scores",
        search="_search_retail_f_score",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_m_score = fields.Integer(
        string="Monetary Score",
        compute="_compute_retail_rfm_scores",
        search="_search_retail_m_score",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_first_purchase_days = fields.Integer(
        string="Days Since First Purchase",
        compute="_compute_retail_first_purchase_days",
        search="_search_retail_first_purchase_days",
        groups="retail_customer_mgmt.group_retail_user",
        help="Counted when the mailing is sent: 'at most 30' targets customers whose "
        "first purchase was in the last 30 days.",
    )
    retail_birthday_this_month = fields.Boolean(
        string="Birthday This Month",
        compute="_compute_retail_birthday_this_month",
        search="_search_retail_birthday_this_month",
        groups="retail_customer_mgmt.group_retail_user",
    )
    retail_has_points_expiring = fields.Boolean(
        string="Has Points Expiring",
        compute="_compute_retail_has_points_expiring",
        search="_search_retail_has_points_expiring",
        groups="retail_customer_mgmt.group_retail_user",
        help="Points of the retail card expire within 30 days.",
    )
    retail_audience_ids = fields.Many2many(
        "retail.audience",
        string="Audiences",
        compute="_compute_retail_audience_ids",
        search="_search_retail_audience_ids",
        groups="retail_customer_mgmt.group_retail_user",
    )

    # ------------------------------------------------------------------
    # Computes and searches
    # ------------------------------------------------------------------
    @api.depends_context("company")
    def _compute_retail_rfm_scores(self):
        for partner in self:
            grade = partner.retail_grade_id
            partner.retail_r_score = grade.r_score if grade else 0
            partner.retail_f_score = grade.f_score if grade else 0
            partner.retail_m_score = grade.m_score if grade else 0

    def _retail_search_score(self, fname, operator, value):
        if operator not in ("=", "!=", "<", "<=", ">", ">=", "in", "not in"):
            raise ValidationError(self.env._("Compare RFM scores with a number from 1 to 5."))
        return self._retail_grade_domain([(fname, operator, value)])

    def _search_retail_r_score(self, operator, value):
        return self._retail_search_score("r_score", operator, value)

    def _search_retail_f_score(self, operator, value):
        return self._retail_search_score("f_score", operator, value)

    def _search_retail_m_score(self, operator, value):
        return self._retail_search_score("m_score", operator, value)

    @api.depends_context("company")
    def _compute_retail_first_purchase_days(self):
        now = fields.Datetime.now()
        for partner in self:
            first = partner.retail_first_purchase_date
            partner.retail_first_purchase_days = (now - first).days if first else 0

    def _search_retail_first_purchase_days(self, operator, value):
        condition = days_condition(operator, int(value or 0), fields.Datetime.now())
        if condition is None:
            raise ValidationError(
                self.env._(
                    "Search the days since the first purchase with 'at most' or 'at least' "
                    "(<=, <, >=, >)."
                )
            )
        # the ids, found in one query: see retail.audience._retail_partner_domain
        query = self.with_context(active_test=False)._search(
            self._search_retail_first_purchase_date(*condition)
        )
        self.env.cr.execute(query.select())
        return [("id", "in", [row[0] for row in self.env.cr.fetchall()])]

    @api.depends_context("tz")
    def _compute_retail_birthday_this_month(self):
        month = fields.Date.context_today(self).month
        for partner in self:
            birthday = partner.retail_birthday
            partner.retail_birthday_this_month = bool(birthday and birthday.month == month)

    def _search_retail_birthday_this_month(self, operator, value):
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Search 'Birthday This Month' with = or !=."))
        self.flush_model(["retail_birthday"])
        month = fields.Date.context_today(self).month
        # a positive condition either way: NOT IN (subquery) scans badly
        condition = SQL("EXTRACT(MONTH FROM retail_birthday) = %s", month)
        if (operator == "=") != bool(value):
            condition = SQL("(retail_birthday IS NULL OR NOT %s)", condition)
        return [("id", "in", SQL("(SELECT id FROM res_partner WHERE %s)", condition))]

    @api.depends_context("company")
    def _compute_retail_has_points_expiring(self):
        for partner in self:
            partner.retail_has_points_expiring = partner.retail_points_expiring > 0

    def _search_retail_has_points_expiring(self, operator, value):
        """Cards with an earning lot expiring within 30 days (one query), then
        the oldest-first replay of those cards only (three queries)."""
        if operator not in ("=", "!="):
            raise ValidationError(self.env._("Search 'Has Points Expiring' with = or !=."))
        company = self.env.company
        holders = []
        program = company.retail_loyalty_program_id
        if program and company.retail_points_expiry_months:
            History = self.env["loyalty.history"].sudo()
            History.flush_model()
            self.env["loyalty.card"].flush_model()
            today = fields.Date.context_today(self)
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT c.id
                      FROM loyalty_card c
                      JOIN loyalty_history h ON h.card_id = c.id
                     WHERE c.program_id = %s AND c.active AND c.points > 0
                       AND h.retail_kind = 'earn'
                       AND h.retail_expiry_date > %s
                       AND h.retail_expiry_date <= %s::date + 30
                    """,
                    program.id,
                    today,
                    today,
                )
            )
            # sudo: whether points expire is read from the ledger, which the
            # audience's user (a marketing user) may not read line by line
            Card = self.env["loyalty.card"].sudo()
            cards = Card.browse([row[0] for row in self.env.cr.fetchall()])
            expiring = Card._retail_expiring_points(cards) if cards else {}
            holders = cards.filtered(lambda card: expiring.get(card.id, 0) > 0).partner_id.ids
        positive = (operator == "=") == bool(value)
        domain = [("commercial_partner_id", "in", holders)]
        return domain if positive else ["!", *domain]

    @api.depends_context("company")
    def _compute_retail_audience_ids(self):
        audiences = self.env["retail.audience"].search([])
        members = {
            audience: set(
                self.search([("id", "in", self.ids), *audience._retail_partner_domain()]).ids
            )
            for audience in audiences
        }
        for partner in self:
            partner.retail_audience_ids = [
                audience.id for audience, ids in members.items() if partner.id in ids
            ]

    def _search_retail_audience_ids(self, operator, value):
        if operator not in ("in", "=", "not in", "!="):
            raise ValidationError(self.env._("Search audiences with 'is in' or 'is not in'."))
        ids = [value] if isinstance(value, int) else list(value or [])
        # the audiences the user may read (record rules: their companies)
        audiences = self.env["retail.audience"].search([("id", "in", ids)])
        domain = audiences._retail_partner_domain()
        return domain if operator in ("in", "=") else ["!", *domain]

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retail_campaign_mail(self):
        self._retail_check_campaign_rights()
        return self._retail_open_campaign("mail", self._retail_campaign_domain())

    def action_retail_campaign_sms(self):
        self._retail_check_campaign_rights()
        return self._retail_open_campaign("sms", self._retail_campaign_domain())

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_campaign_domain(self):
        """The customers the list action was called on: the list's filter when
        every customer it finds is selected (the mailing then keeps the
        filter, not 100,000 ids), else the selected customers."""
        if not self:
            raise UserError(self.env._("Select the customers the campaign goes to."))
        active_domain = self.env.context.get("active_domain")
        if active_domain is not None:
            # the web client sends at most web.active_ids_limit ids of a
            # "select all"; its filter is the way to the whole list
            limit = int(
                self.env["ir.config_parameter"].sudo().get_param("web.active_ids_limit", "20000")
            )
            if len(self) >= limit or len(self) == self.search_count(active_domain):
                return list(active_domain)
        return [("id", "in", self.ids)]

    @api.model
    def _retail_check_campaign_rights(self):
        if not (
            self.env.user.has_group("mass_mailing.group_mass_mailing_user")
            and self.env.user.has_group("retail_customer_mgmt.group_retail_user")
        ):
            raise AccessError(
                self.env._(
                    "Only retail users who also use Email Marketing can send campaigns to "
                    "customers."
                )
            )

    @api.model
    def _retail_open_campaign(self, mailing_type, domain, name=None):
        """A new mailing (email or SMS) on contacts, its filter set to
        ``domain`` and the consent of its channel; nothing is written until
        the user saves it."""
        if mailing_type not in ("mail", "sms"):
            raise UserError(self.env._("A campaign goes out by email or by SMS."))
        self._retail_check_campaign_rights()
        channel = consent_channel(mailing_type)
        domain = [*domain, (f"retail_consent_{channel}", "=", True)]
        xmlid = {
            "mail": "mass_mailing.mailing_mailing_action_mail",
            "sms": "mass_mailing_sms.mailing_mailing_action_sms",
        }[mailing_type]
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        context = {
            "default_mailing_type": mailing_type,
            "default_mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "default_mailing_domain": repr(domain),
        }
        if name:
            context["default_subject"] = name
        view = (
            "mass_mailing_sms.mailing_mailing_view_form_sms"
            if mailing_type == "sms"
            else ("mass_mailing.view_mail_mass_mailing_form")
        )
        action.update(
            {
                "context": context,
                "target": "current",
                "view_mode": "form",
                "views": [(self.env.ref(view).id, "form")],
            }
        )
        return action
