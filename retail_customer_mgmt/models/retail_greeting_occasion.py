import calendar

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import SQL

from ..services.birthday import greeted_days
from ..services.greetings import fixed_occasion_on


class RetailGreetingOccasion(models.Model):
    """A day the shop greets its customers: a holiday, the shop's anniversary,
    or each customer's membership anniversary, with an optional coupon.

    Lunar holidays (Spring Festival, Mid-Autumn) move in the Gregorian
    calendar: the shop enters each year's date (kind "dated"); solar ones
    (the shop's anniversary, National Day) are the same day every year
    (kind "fixed").
    """

    _name = "retail.greeting.occasion"
    _description = "Greeting Occasion"
    _order = "company_id, month, day, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one(
        "res.company", required=True, index=True, default=lambda self: self.env.company
    )
    kind = fields.Selection(
        [
            ("fixed", "Same day every year"),
            ("dated", "Dates entered year by year"),
            ("member", "Each customer's membership anniversary"),
        ],
        required=True,
        default="fixed",
        help="Same day every year: the shop's anniversary, National Day. Dates entered year "
        "by year: holidays of the lunar calendar (Spring Festival, Mid-Autumn), whose date "
        "the shop enters for each year. Membership anniversary: the day each customer joined.",
    )
    month = fields.Integer(default=1)
    day = fields.Integer(default=1)
    date_ids = fields.One2many("retail.greeting.occasion.date", "occasion_id", string="Dates")
    program_id = fields.Many2one(
        "loyalty.program",
        string="Coupon Program",
        check_company=True,
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', [company_id, False])]",
        help="A coupon of this program goes with the greeting; empty = a greeting only.",
    )
    coupon_days = fields.Integer(
        string="Coupon Validity (days)", default=30, help="0 = the coupon does not expire."
    )
    mail_template_id = fields.Many2one(
        "mail.template",
        domain="[('model', '=', 'retail.birthday.greeting')]",
        help="The mail sent; empty = the standard greeting.",
    )
    greeting_count = fields.Integer(compute="_compute_greeting_count", string="Greetings")

    @api.depends_context("company")
    def _compute_greeting_count(self):
        data = self.env["retail.birthday.greeting"]._read_group(
            [("occasion_id", "in", self.ids)], ["occasion_id"], ["__count"]
        )
        counts = {occasion.id: count for occasion, count in data}
        for occasion in self:
            occasion.greeting_count = counts.get(occasion.id, 0)

    @api.constrains("kind", "month", "day", "coupon_days")
    def _check_day(self):
        for occasion in self:
            if occasion.coupon_days < 0:
                raise ValidationError(
                    self.env._("The coupon validity of %s cannot be negative.", occasion.name)
                )
            if occasion.kind != "fixed":
                continue
            # 2000 is a leap year: 29 February is accepted
            month_ok = 1 <= occasion.month <= 12
            if (
                not month_ok
                or not 1 <= occasion.day <= calendar.monthrange(2000, occasion.month)[1]
            ):
                raise ValidationError(
                    self.env._(
                        "%(occasion)s: %(month)s/%(day)s is not a day of the year; enter a "
                        "month from 1 to 12 and a day of that month.",
                        occasion=occasion.name,
                        month=occasion.month,
                        day=occasion.day,
                    )
                )

    def action_view_greetings(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "retail_customer_mgmt.retail_birthday_greeting_action"
        )
        action["domain"] = [("occasion_id", "=", self.id)]
        return action

    # ------------------------------------------------------------------
    # Daily job
    # ------------------------------------------------------------------
    def _falls_on(self, day):
        self.ensure_one()
        if self.kind == "fixed":
            return fixed_occasion_on(self.month, self.day, day)
        if self.kind == "dated":
            return day in self.date_ids.mapped("date")
        return True  # membership anniversaries: every day, for some customers

    def _condition(self, day):
        """SQL on the customers ``p`` greeted for this occasion on ``day``."""
        self.ensure_one()
        if self.kind != "member":
            return SQL("TRUE")
        days = SQL(", ").join(SQL("(%s, %s)", month, mday) for month, mday in greeted_days(day))
        return SQL(
            """p.retail_member_since IS NOT NULL
               AND EXTRACT(YEAR FROM p.retail_member_since)::int < %s
               AND (EXTRACT(MONTH FROM p.retail_member_since)::int,
                    EXTRACT(DAY FROM p.retail_member_since)::int) IN (%s)""",
            day.year,
            days,
        )

    def _retail_greet_on(self, day):
        """Greet the customers for the occasions of ``self`` falling on ``day``."""
        Greeting = self.env["retail.birthday.greeting"]
        greetings = Greeting.browse()
        default_template = self.env.ref("retail_customer_mgmt.mail_template_greeting")
        for occasion in self.filtered(lambda o: o._falls_on(day)):
            key = f"occasion:{occasion.id}"
            partners = Greeting._retail_candidates(
                occasion.company_id, day, occasion._condition(day), key, day.year
            )
            greetings |= Greeting._retail_send(
                occasion.company_id,
                partners,
                {
                    "occasion": "member" if occasion.kind == "member" else "holiday",
                    "occasion_key": key,
                    "occasion_id": occasion.id,
                    "year": day.year,
                },
                program=occasion.program_id,
                coupon_days=occasion.coupon_days,
                description=occasion.name,
                template=occasion.mail_template_id or default_template,
            )
        return greetings
