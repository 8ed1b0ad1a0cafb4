import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.birthday import greeted_days, local_today
from ..services.greetings import days_to_handle

_logger = logging.getLogger(__name__)

OCCASIONS = [
    ("birthday", "Birthday"),
    ("welcome", "Welcome Offer"),
    ("member", "Membership Anniversary"),
    ("holiday", "Holiday or Shop Anniversary"),
]


class RetailBirthdayGreeting(models.Model):
    """One greeting of a customer: at most one per customer, occasion and year
    (the welcome offer: once per customer, year 0).

    Birthdays, welcome offers, membership anniversaries and the shop's
    holidays share this log (the model kept its first name, birthday
    greetings, so that existing databases keep their history). The daily
    job claims its customers by inserting these rows first; the unique key
    makes a re-run, or a second run at the same time, find them claimed and
    send nothing.
    """

    _name = "retail.birthday.greeting"
    _description = "Customer Greeting"
    _order = "greeted_on desc, id desc"
    _check_company_auto = True

    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    occasion = fields.Selection(
        OCCASIONS, string="Greeted For", required=True, readonly=True, default="birthday"
    )
    occasion_id = fields.Many2one(
        "retail.greeting.occasion", readonly=True, ondelete="set null", check_company=True
    )
    occasion_key = fields.Char(
        required=True,
        readonly=True,
        default="birthday",
        help="What the customer is greeted for: birthday, welcome, or occasion:<id>.",
    )
    occasion_name = fields.Char(compute="_compute_occasion_name")
    year = fields.Integer(required=True, readonly=True, help="0 for the welcome offer (once).")
    greeted_on = fields.Date(required=True, readonly=True)
    coupon_id = fields.Many2one(
        "loyalty.card", readonly=True, ondelete="set null", check_company=True
    )
    coupon_code = fields.Char(related="coupon_id.code")

    # Same constraint name as before the greetings were generalised: Odoo
    # replaces a constraint whose definition changed, so that an existing
    # database drops the old (partner, year) key on upgrade.
    _sql_constraints = [
        (
            "partner_year_unique",
            "UNIQUE (partner_id, occasion_key, year)",
            "A customer is greeted at most once a year for each occasion.",
        ),
    ]

    @api.depends("occasion", "occasion_id")
    def _compute_occasion_name(self):
        labels = dict(self._fields["occasion"]._description_selection(self.env))
        for greeting in self:
            greeting.occasion_name = greeting.occasion_id.name or labels[greeting.occasion]

    # ------------------------------------------------------------------
    # Daily job
    # ------------------------------------------------------------------
    @api.model
    def _retail_company_today(self, company):
        """Today in the company's time zone (its address'), else UTC."""
        return local_today(fields.Datetime.now(), company.partner_id.tz)

    @api.model
    def _retail_candidates(self, company, today, condition=None, key="birthday", year=None):
        """Commercial, active customers of ``company`` matching ``condition``
        (SQL on ``p``; by default: their birthday is greeted on ``today``) and
        not greeted for ``key`` in ``year`` (by default the year of ``today``).

        A contact restricted to a company belongs to it; a shared contact to
        the company of their latest purchase, or to the main company when they
        never bought.
        """
        Partner = self.env["res.partner"]
        Partner.flush_model()
        self.flush_model()
        companies = self.env["res.company"].sudo().search([])
        main = self.env.ref("base.main_company", raise_if_not_found=False) or companies[:1]
        if condition is None:
            days = SQL(", ").join(SQL("(%s, %s)", month, day) for month, day in greeted_days(today))
            condition = SQL(
                """p.retail_birthday IS NOT NULL
                   AND (EXTRACT(MONTH FROM p.retail_birthday)::int,
                        EXTRACT(DAY FROM p.retail_birthday)::int) IN (%s)""",
                days,
            )
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.company_id
                  FROM res_partner p
                 WHERE p.active AND p.id = p.commercial_partner_id
                   AND %(condition)s
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND NOT EXISTS (SELECT 1 FROM retail_birthday_greeting g
                                    WHERE g.partner_id = p.id AND g.occasion_key = %(key)s
                                      AND g.year = %(year)s)
                """,
                condition=condition,
                company=company.id,
                key=key,
                year=today.year if year is None else year,
            )
        )
        rows = self.env.cr.fetchall()
        own = [pid for pid, company_id in rows if company_id]
        shared = [pid for pid, company_id in rows if not company_id]
        if shared:
            self.env["retail.purchase"]._flush()
            latest = SQL(" UNION ALL ").join(
                SQL(
                    "SELECT %s AS company_id, partner_id, d FROM (%s) r",
                    other.id,
                    self.env["retail.purchase"]._rows_sql(
                        other, SQL("p.commercial_partner_id = ANY(%s)", shared)
                    ),
                )
                for other in companies
            )
            self.env.cr.execute(
                SQL(
                    """
                    SELECT DISTINCT ON (partner_id) partner_id, company_id
                      FROM (%s) o
                  ORDER BY partner_id, d DESC, company_id
                    """,
                    latest,
                )
            )
            bought_in = dict(self.env.cr.fetchall())
            own += [pid for pid in shared if bought_in.get(pid, main.id) == company.id]
        return Partner.browse(own)

    @api.model
    def _retail_greet(self, company, today=None):
        """Greet the customers of ``company`` whose birthday is ``today``.

        :return: the greetings written
        """
        today = today or self._retail_company_today(company)
        return self._retail_send(
            company,
            self._retail_candidates(company, today),
            {"occasion": "birthday", "occasion_key": "birthday", "year": today.year},
            program=company._retail_get_birthday_program(),
            coupon_days=company.retail_birthday_coupon_days,
            description=self.env._("Birthday gift"),
        )

    @api.model
    def _retail_send(
        self,
        company,
        partners,
        key_vals,
        program=None,
        coupon_days=0,
        description=None,
        template=None,
    ):
        """Claim, then greet ``partners`` (consent checked here) for one occasion.

        :param key_vals: ``occasion``, ``occasion_key``, ``year`` and
            optionally ``occasion_id`` of the greetings
        :param program: coupons program of the offer (None: no coupon)
        :param template: mail template on retail.birthday.greeting (None: the
            birthday mail, which renders the coupon)
        :return: the greetings written
        """
        # the consent check of every marketing message
        partners = partners._retail_may_contact("email")
        if not partners:
            return self.browse()
        today = self._retail_company_today(company)
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO retail_birthday_greeting (partner_id, company_id, occasion,
                                                      occasion_key, occasion_id, year,
                                                      greeted_on, create_uid, create_date,
                                                      write_uid, write_date)
                SELECT p.id, %(company)s, %(occasion)s, %(key)s, %(occasion_id)s, %(year)s,
                       %(today)s, %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s,
                       NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s) AS p(id)
                ON CONFLICT (partner_id, occasion_key, year) DO NOTHING
                RETURNING id
                """,
                company=company.id,
                occasion=key_vals["occasion"],
                key=key_vals["occasion_key"],
                occasion_id=key_vals.get("occasion_id"),
                year=key_vals["year"],
                today=today,
                uid=self.env.uid,
                partners=partners.ids,
            )
        )
        greetings = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not greetings:
            return greetings
        greeted = greetings.partner_id
        coupons = self.env["loyalty.card"]
        if program:
            coupons = self._retail_generate_coupons(
                program, greeted, today, company, coupon_days, description
            )
            by_partner = {coupon.partner_id: coupon for coupon in coupons}
            for greeting in greetings:
                greeting.coupon_id = by_partner.get(greeting.partner_id)
        if template is None:
            template, records = self.env.ref("retail_customer_mgmt.mail_template_birthday"), coupons
        else:
            records = greetings
        # sudo: the job runs for every company; the template renders the
        # coupon and its program, which the job's user may not read.
        template.sudo().with_company(company).send_mail_batch(
            records.ids, email_layout_xmlid="mail.mail_notification_light"
        )
        greeted._message_log_batch(
            bodies={
                greeting.partner_id.id: self.env._(
                    "%(occasion)s greeting sent with coupon %(coupon)s.",
                    occasion=greeting.occasion_name,
                    coupon=greeting.coupon_id.code,
                )
                if greeting.coupon_id
                else self.env._("%s greeting sent.", greeting.occasion_name)
                for greeting in greetings
            }
        )
        return greetings

    @api.model
    def _retail_generate_coupons(
        self, program, partners, today, company, days=None, description=None
    ):
        """One coupon of ``program`` per partner, with Odoo's coupon generator
        (its own creation mail is not sent: the greeting carries the code),
        valid ``days`` days (the birthday validity by default; 0 = no end)."""
        # sudo: generating coupons is loyalty configuration; the job runs as
        # the scheduler's user.
        Card = self.env["loyalty.card"].sudo()
        last_id = Card.search([], order="id desc", limit=1).id or 0
        days = company.retail_birthday_coupon_days if days is None else days
        self.env["loyalty.generate.wizard"].sudo().with_company(company).with_context(
            loyalty_no_mail=True, action_no_send_mail=True
        ).create(
            {
                "program_id": program.id,
                "mode": "selected",
                "customer_ids": [fields.Command.set(partners.ids)],
                "points_granted": 1,
                "valid_until": days and today + relativedelta(days=days),
                "description": description or self.env._("Birthday gift"),
            }
        ).generate_coupons()
        return Card.search(
            [
                ("id", ">", last_id),
                ("program_id", "=", program.id),
                ("partner_id", "in", partners.ids),
            ]
        )

    @api.model
    def _retail_greet_welcome(self, company, first_day):
        """The welcome offer: customers whose first purchase in ``company`` is
        recent (since the day before ``first_day``), once per customer."""
        program = company.retail_welcome_program_id
        if not program:
            return self.browse()
        since = fields.Datetime.to_datetime(first_day) - relativedelta(days=2)
        buyers = (
            self.env["res.partner"]
            .with_company(company)
            .search([("retail_first_purchase_date", ">=", since)])
        )
        condition = SQL("p.id = ANY(%s)", buyers.commercial_partner_id.ids)
        partners = self._retail_candidates(company, first_day, condition, "welcome", 0)
        return self._retail_send(
            company,
            partners,
            {"occasion": "welcome", "occasion_key": "welcome", "year": 0},
            program=program,
            coupon_days=company.retail_welcome_coupon_days,
            description=self.env._("Welcome offer"),
            template=self.env.ref("retail_customer_mgmt.mail_template_welcome"),
        )

    @api.model
    def _retail_greet_company(self, company):
        """Every greeting of ``company`` for the days since its last run."""
        today = self._retail_company_today(company)
        days = days_to_handle(company.retail_greetings_done_until or None, today)
        greetings = self.browse()
        Occasion = self.env["retail.greeting.occasion"]
        occasions = Occasion.search([("company_id", "=", company.id)])
        for day in days:
            if company.retail_birthday_greetings:
                greetings |= self._retail_greet(company, day)
            greetings |= occasions._retail_greet_on(day)
        if days:
            greetings |= self._retail_greet_welcome(company, days[0])
            company.retail_greetings_done_until = today
        return greetings

    @api.model
    def _cron_retail_birthday_greetings(self):
        """The daily greetings job (birthdays, welcome offers, membership
        anniversaries, holidays); a day missed is caught up by the next run."""
        companies = self.env["res.company"].search([], order="sequence, id")
        with_occasions = set(self.env["retail.greeting.occasion"].sudo().search([]).company_id.ids)
        for company in companies:
            if not (
                company.retail_birthday_greetings
                or company.retail_welcome_program_id
                or company.id in with_occasions
            ):
                # nothing to send: the days are not missed, they are not
                # caught up when greetings are switched on again
                if company.retail_greetings_done_until:
                    company.sudo().retail_greetings_done_until = False
                continue
            # sudo: the scheduled job writes greetings, coupons and mails for
            # the customers of every company, whoever runs it
            greetings = self.sudo()._retail_greet_company(company.sudo())
            _logger.info("Greetings of %s: %s", company.name, len(greetings))
