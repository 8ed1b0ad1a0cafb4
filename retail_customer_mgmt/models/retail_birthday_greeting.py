import logging

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..services.birthday import greeted_days, local_today

_logger = logging.getLogger(__name__)


class RetailBirthdayGreeting(models.Model):
    """One birthday greeting of a customer: at most one per customer and year.

    The daily job claims its customers by inserting these rows first; the
    unique key makes a re-run, or a second run at the same time, find them
    claimed and send nothing.
    """

    _name = "retail.birthday.greeting"
    _description = "Birthday Greeting"
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
    year = fields.Integer(required=True, readonly=True)
    greeted_on = fields.Date(required=True, readonly=True)
    coupon_id = fields.Many2one(
        "loyalty.card", readonly=True, ondelete="set null", check_company=True
    )
    coupon_code = fields.Char(related="coupon_id.code")

    _sql_constraints = [
        (
            "partner_year_unique",
            "UNIQUE (partner_id, year)",
            "A customer is greeted at most once a year.",
        ),
    ]

    # ------------------------------------------------------------------
    # Daily job
    # ------------------------------------------------------------------
    @api.model
    def _retail_company_today(self, company):
        """Today in the company's time zone (its address'), else UTC."""
        return local_today(fields.Datetime.now(), company.partner_id.tz)

    @api.model
    def _retail_candidates(self, company, today):
        """Commercial, active customers of ``company`` whose birthday is greeted
        on ``today`` and who were not greeted this year.

        A contact restricted to a company belongs to it; a shared contact to
        the company of their latest purchase, or to the main company when they
        never bought.
        """
        Partner = self.env["res.partner"]
        Partner.flush_model()
        self.flush_model()
        companies = self.env["res.company"].sudo().search([])
        main = self.env.ref("base.main_company", raise_if_not_found=False) or companies[:1]
        days = SQL(", ").join(SQL("(%s, %s)", month, day) for month, day in greeted_days(today))
        self.env.cr.execute(
            SQL(
                """
                SELECT p.id, p.company_id
                  FROM res_partner p
                 WHERE p.active AND p.id = p.commercial_partner_id
                   AND p.retail_birthday IS NOT NULL
                   AND (EXTRACT(MONTH FROM p.retail_birthday)::int,
                        EXTRACT(DAY FROM p.retail_birthday)::int) IN (%(days)s)
                   AND (p.company_id IS NULL OR p.company_id = %(company)s)
                   AND NOT EXISTS (SELECT 1 FROM retail_birthday_greeting g
                                    WHERE g.partner_id = p.id AND g.year = %(year)s)
                """,
                days=days,
                company=company.id,
                year=today.year,
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
        """Greet the customers of ``company`` whose birthday is today.

        :return: the greetings written
        """
        today = today or self._retail_company_today(company)
        # the consent check of every marketing message
        partners = self._retail_candidates(company, today)._retail_may_contact("email")
        if not partners:
            return self.browse()
        self.env.cr.execute(
            SQL(
                """
                INSERT INTO retail_birthday_greeting (partner_id, company_id, year, greeted_on,
                                                      create_uid, create_date, write_uid,
                                                      write_date)
                SELECT p.id, %(company)s, %(year)s, %(today)s,
                       %(uid)s, NOW() AT TIME ZONE 'UTC', %(uid)s, NOW() AT TIME ZONE 'UTC'
                  FROM unnest(%(partners)s) AS p(id)
                ON CONFLICT (partner_id, year) DO NOTHING
                RETURNING id
                """,
                company=company.id,
                year=today.year,
                today=today,
                uid=self.env.uid,
                partners=partners.ids,
            )
        )
        greetings = self.browse([row[0] for row in self.env.cr.fetchall()])
        if not greetings:
            return greetings
        greeted = greetings.partner_id
        program = company._retail_get_birthday_program()
        coupons = self._retail_generate_coupons(program, greeted, today, company)
        by_partner = {coupon.partner_id: coupon for coupon in coupons}
        for greeting in greetings:
            greeting.coupon_id = by_partner.get(greeting.partner_id)
        template = self.env.ref("retail_customer_mgmt.mail_template_birthday")
        # sudo: the job runs for every company; the template renders the
        # coupon and its program, which the job's user may not read.
        template.sudo().with_company(company).send_mail_batch(
            coupons.ids, email_layout_xmlid="mail.mail_notification_light"
        )
        greeted._message_log_batch(
            bodies={
                greeting.partner_id.id: self.env._(
                    "Birthday greeting sent with coupon %s.", greeting.coupon_id.code
                )
                for greeting in greetings
            }
        )
        return greetings

    @api.model
    def _retail_generate_coupons(self, program, partners, today, company):
        """One coupon of ``program`` per partner, with Odoo's coupon generator
        (its own creation mail is not sent: the greeting carries the code)."""
        # sudo: generating coupons is loyalty configuration; the job runs as
        # the scheduler's user.
        Card = self.env["loyalty.card"].sudo()
        last_id = Card.search([], order="id desc", limit=1).id or 0
        days = company.retail_birthday_coupon_days
        self.env["loyalty.generate.wizard"].sudo().with_company(company).with_context(
            loyalty_no_mail=True, action_no_send_mail=True
        ).create(
            {
                "program_id": program.id,
                "mode": "selected",
                "customer_ids": [fields.Command.set(partners.ids)],
                "points_granted": 1,
                "valid_until": days and today + relativedelta(days=days),
                "description": self.env._("Birthday gift"),
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
    def _cron_retail_birthday_greetings(self):
        for company in self.env["res.company"].search(
            [("retail_birthday_greetings", "=", True)], order="sequence, id"
        ):
            # sudo: the scheduled job writes greetings, coupons and mails for
            # the customers of every company, whoever runs it
            greetings = self.sudo()._retail_greet(company)
            _logger.info("Birthday greetings of %s: %s", company.name, len(greetings))
