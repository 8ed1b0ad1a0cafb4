from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .marketing_common import RetailMarketingCommon


@tagged("post_install", "-at_install")
class TestMarketingAudience(RetailMarketingCommon):
    """Audiences a mailing on contacts can target, each a searchable field."""

    def _find(self, domain):
        Partner = self.env["res.partner"].with_user(self.marketer)
        return Partner.search([("id", "in", self.customers.ids), *domain])

    def test_segment_tier_churn_and_scores(self):
        self.assertEqual(
            self._find([("retail_segment_id", "=", self.champions.id)]),
            self.wang | self.zhao | self.sun,
        )
        self.assertEqual(self._find([("retail_churn_risk", "=", True)]), self.zhou)
        self.assertEqual(self._find([("retail_r_score", ">=", 5)]), self.wang | self.sun)
        self.assertEqual(self._find([("retail_m_score", "=", 5)]), self.zhao | self.sun)
        self.assertEqual(self._find([("retail_f_score", "<", 4)]), self.zhou)
        self.assertEqual(self.wang.with_user(self.marketer).retail_r_score, 5)
        tier = self.env["retail.tier"].create(
            {"name": "Jade", "min_spend": 100000, "company_id": self.company_1.id}
        )
        self.zhou.with_company(self.company_1).sudo().retail_tier_id = tier
        self.assertEqual(self._find([("retail_tier_id", "=", tier.id)]), self.zhou)
        with self.assertRaises(ValidationError):
            self._find([("retail_r_score", "like", "5")])

    def test_bought_in_category_within_days(self):
        self._sale_lines(self.wang, [(self.longjing, 1, 50.0)], self._days_ago(10))
        self._sale_lines(self.zhao, [(self.teapot, 1, 80.0)], self._days_ago(10))
        self._sale_lines(self.zhou, [(self.longjing, 1, 50.0)], self._days_ago(200))
        self._pos_lines(self.sun, [(self.longjing, 1.0, 50.0)], self._days_ago(3))
        audience = (
            self.env["retail.audience"]
            .with_user(self.marketer)
            .create({"name": "Tea buyers", "category_ids": [Command.set(self.tea.ids)], "days": 30})
        )
        # the subcategory Green Tea counts for Tea; the sale 200 days ago does not
        self.assertEqual(
            self._find([("retail_audience_ids", "in", audience.ids)]), self.wang | self.sun
        )
        self.assertEqual(audience.customer_count, 2)
        audience.days = 365
        self.assertEqual(
            self._find([("retail_audience_ids", "in", audience.ids)]),
            self.wang | self.sun | self.zhou,
        )
        self.assertEqual(self._find([("retail_audience_ids", "not in", audience.ids)]), self.zhao)
        by_product = audience.copy(
            {"category_ids": [Command.clear()], "product_ids": [Command.set(self.teapot.ids)]}
        )
        self.assertEqual(self._find([("retail_audience_ids", "in", by_product.ids)]), self.zhao)
        self.assertEqual(
            self.wang.with_user(self.marketer).retail_audience_ids,
            audience,
        )
        with self.assertRaisesMessage(ValidationError, "at least one day"):
            audience.days = 0
        with self.assertRaisesMessage(ValidationError, "choose the products or categories"):
            audience.category_ids = False

    def test_first_purchase_birthday_and_expiring_points(self):
        self._sale(self.wang, 100.0, self._days_ago(5))
        self._sale(self.zhao, 100.0, self._days_ago(100))
        self._sale(self.zhao, 100.0, self._days_ago(2))
        self.assertEqual(self._find([("retail_first_purchase_days", "<=", 30)]), self.wang)
        self.assertEqual(self._find([("retail_first_purchase_days", ">", 30)]), self.zhao)
        with self.assertRaises(ValidationError):
            self._find([("retail_first_purchase_days", "=", 30)])

        today = fields.Date.context_today(self.env["res.partner"])
        this_month = today.replace(year=1990, day=1)
        self.sun.retail_birthday = this_month
        self.zhou.retail_birthday = this_month - relativedelta(months=1)
        self.assertEqual(self._find([("retail_birthday_this_month", "=", True)]), self.sun)
        self.assertIn(self.zhou, self._find([("retail_birthday_this_month", "=", False)]))
        self.assertTrue(self.sun.with_user(self.marketer).retail_birthday_this_month)

        self.company_1.write({"retail_points_per_unit": 1.0, "retail_points_expiry_months": 12})
        Card = self.env["loyalty.card"]
        for partner, months_ago, key in ((self.zhou, 11.6, "old"), (self.wang, 2, "new")):
            Card._retail_earn(
                self.company_1,
                [
                    {
                        "partner": partner,
                        "key": f"test:{key}",
                        "amount": 100.0,
                        "date": fields.Datetime.now() - relativedelta(days=int(months_ago * 30.4)),
                        "description": "purchase",
                    }
                ],
            )
        self.assertEqual(self._find([("retail_has_points_expiring", "=", True)]), self.zhou)
        self.assertNotIn(self.zhou, self._find([("retail_has_points_expiring", "!=", True)]))
        self.assertTrue(self.zhou.with_user(self.marketer).retail_has_points_expiring)

    def test_mailing_filter_counts_consenting_customers(self):
        domain = [("retail_segment_id", "=", self.champions.id)]
        mailing = self._partner_mailing(domain)
        # sun is a champion without email consent: the mailing leaves it out
        self.assertEqual(sorted(mailing._get_recipients()), sorted((self.wang | self.zhao).ids))
        self.assertEqual(mailing.total, 2)
        sms = self._partner_mailing(domain, mailing_type="sms")
        self.assertEqual(sms._get_recipients(), self.wang.ids)

    def test_audience_query_count_does_not_grow(self):
        """Building an audience of every criterion takes as many queries for
        10 customers as for 100."""
        self.company_1.write({"retail_points_per_unit": 1.0, "retail_points_expiry_months": 12})
        audience = self.env["retail.audience"].create(
            {"name": "Tea", "category_ids": [Command.set(self.tea.ids)], "days": 30}
        )
        counts = {}
        Partner = self.env["res.partner"].with_user(self.marketer)
        for size in (1, 10, 100):  # 1: warms the caches (access rights, rules)
            partners = self.env["res.partner"].create(
                [
                    {
                        "name": f"Bulk {size} {i}",
                        "email": f"bulk{size}.{i}@example.cn",
                        "retail_consent_email": True,
                        "retail_birthday": fields.Date.today().replace(year=1990, day=1),
                    }
                    for i in range(size)
                ]
            )
            for partner in partners:
                self._grade(partner, self.champions, (5, 5, 5))
            orders = self.env["sale.order"].create(
                [
                    {
                        "partner_id": partner.id,
                        "order_line": [Command.create({"product_id": self.longjing.id})],
                    }
                    for partner in partners
                ]
            )
            orders.write({"state": "sale", "date_order": self._days_ago(3)})
            domain = [
                ("id", "in", partners.ids),
                ("retail_segment_id", "=", self.champions.id),
                ("retail_churn_risk", "=", False),
                ("retail_r_score", ">=", 4),
                ("retail_audience_ids", "in", audience.ids),
                ("retail_first_purchase_days", "<=", 30),
                ("retail_birthday_this_month", "=", True),
                ("retail_has_points_expiring", "=", False),
                ("retail_consent_email", "=", True),
            ]
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            found = Partner.search(domain)
            counts[size] = self.env.cr.sql_log_count - before
            self.assertEqual(len(found), size)
        self.assertEqual(counts[10], counts[100], counts)
        self.assertLessEqual(counts[100], 12, counts)
