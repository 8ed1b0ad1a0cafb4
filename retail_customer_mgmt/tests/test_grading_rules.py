"""The regrade's SQL against the pure rules of services/rfm.py.

The regrade scores, matches and flags every customer in PostgreSQL; the
rules it must follow are the services' (quintile cut points by nearest rank,
scores with ties, first matching segment by sequence, churn risk). Random
populations (hypothesis, derandomized) are staged as a run's metrics, graded
by the SQL, and each grade is compared with what the services compute.
"""

from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import tagged
from odoo.tools import SQL

from ..models.retail_grade_run import MAX_ID
from ..services.rfm import Cuts, Metrics, SegmentMatcher, churn_risk, recency_days
from .common import RetailCommon

NOW = datetime(2026, 6, 1, 12, 0, 0)
PROPERTY = settings(max_examples=40, deadline=None, derandomize=True, database=None)

customer = st.fixed_dictionaries(
    {
        "days": st.integers(0, 900),
        "seconds": st.integers(0, 86399),
        "frequency": st.integers(0, 6),
        # few distinct amounts: ties at the cut points
        "monetary": st.sampled_from([0.0, 10.0, 25.5, 99.99, 100.0, 1000.0, 5000.0]),
        "extra_orders": st.integers(0, 4),
        "extra_spend": st.sampled_from([0.0, 0.1, 30.0, 2500.0]),
        "median": st.one_of(st.none(), st.sampled_from([0.0, 1.5, 7.0, 30.0, 200.0])),
    }
)


@tagged("post_install", "-at_install")
class TestGradingRules(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write({"retail_churn_factor": 1.5, "retail_followup_user_id": False})
        cls.partners = cls.env["res.partner"].create(
            [{"name": f"Rule customer {i}"} for i in range(15)]
        )
        # rules with spend and basket conditions, tried before the standard
        # ones (the population's amounts fall on both sides of each bound)
        cls.env["retail.segment"].sudo().create(
            [
                {
                    "name": "Big spenders",
                    "code": "T_BIG",
                    "sequence": 1,
                    "min_spend": 100.0,
                    "max_avg_basket": 500.0,
                    "company_id": cls.company.id,
                },
                {
                    "name": "Large baskets",
                    "code": "T_BASKET",
                    "sequence": 2,
                    "r_min": 2,
                    "min_avg_basket": 30.0,
                    "company_id": cls.company.id,
                },
            ]
        )
        cls.segments = cls.env["retail.segment"].sudo()._segments_for(cls.company)

    def _stage(self, population):
        """A run whose staged metrics are ``population``; returns the run and
        the services' Metrics of each customer."""
        Run = self.env["retail.grade.run"]
        run = Run.create(
            {
                "company_id": self.company.id,
                "mode": "full",
                "started_at": NOW,
                "grading_date": NOW.date(),
                "window_start": NOW - timedelta(days=365),
            }
        )
        metrics = []
        for partner, values in zip(self.partners, population, strict=False):
            orders = max(values["frequency"], 1) + values["extra_orders"]
            last = NOW - timedelta(days=values["days"], seconds=values["seconds"])
            metrics.append(
                Metrics(
                    partner_id=partner.id,
                    recency_days=recency_days(NOW, last),
                    frequency=values["frequency"],
                    monetary=values["monetary"],
                    order_count=orders,
                    lifetime_spend=values["monetary"] + values["extra_spend"],
                    median_interval=values["median"],
                    last_purchase=last,
                )
            )
        rows = [
            (m.partner_id, m.last_purchase, m.frequency, m.monetary, m.order_count)
            + (m.lifetime_spend, m.median_interval, float(m.order_count))
            for m in metrics
        ]
        self.env.cr.execute(
            SQL(
                """
                CREATE UNLOGGED TABLE %s (partner_id int, last_purchase timestamp,
                    frequency int, monetary float8, order_count int, lifetime_spend float8,
                    median_interval float8, date_fingerprint float8)
                """,
                run._metric_table(),
            )
        )
        for row in rows:
            self.env.cr.execute(SQL("INSERT INTO %s VALUES %s", run._metric_table(), row))
        return run, metrics

    def _expected(self, metrics):
        cuts = Cuts.from_metrics(metrics)
        matcher = SegmentMatcher([segment._rule() for segment in self.segments])
        intervals = {segment.id: segment.churn_interval_days for segment in self.segments}
        expected = {}
        for m in metrics:
            r, f, mo = cuts.scores(m)
            avg = m.lifetime_spend / m.order_count
            segment = matcher.match(r, f, mo, m.monetary, avg)
            risk = churn_risk(
                m.recency_days, m.order_count, m.median_interval, 1.5, intervals.get(segment) or 60
            )
            expected[m.partner_id] = (r, f, mo, segment or False, risk, avg)
        return cuts, expected

    @PROPERTY
    @given(population=st.lists(customer, min_size=1, max_size=15))
    def test_sql_grades_follow_the_rules(self, population):
        Grade = self.env["retail.customer.grade"]
        Grade.search([("company_id", "=", self.company.id)]).unlink()
        run, metrics = self._stage(population)
        total = run._count_population()
        self.assertEqual(total, len(metrics))
        cuts, expected = self._expected(metrics)
        read = [tuple(values) for values in run._read_cuts(total)]
        self.assertEqual(read, [cuts.recency, cuts.frequency, cuts.monetary])
        self.env.cr.execute(run._grade_sql(read, self.segments, 0, MAX_ID))
        self.assertEqual(self.env.cr.rowcount, len(metrics), "every grade is new")
        Grade.invalidate_model()
        grades = Grade.search([("company_id", "=", self.company.id)])
        got = {
            g.partner_id.id: (
                g.r_score,
                g.f_score,
                g.m_score,
                g.segment_id.id,
                g.churn_risk,
                g.avg_basket,
            )
            for g in grades
        }
        self.assertEqual(got, expected)
        # the same population again: nothing to write
        self.env.cr.execute(run._grade_sql(read, self.segments, 0, MAX_ID))
        self.assertEqual(self.env.cr.rowcount, 0)
        run._drop_stage()


@tagged("post_install", "-at_install")
class TestNegativeSearches(RetailCommon):
    """Searches for "not at risk" or "fewer than N orders" list everyone but a few: they
    are anti-joins (NOT EXISTS), not NOT IN over a subquery, which PostgreSQL
    probes contact by contact (minutes on 100,000 customers)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Partner = cls.env["res.partner"]
        cls.at_risk = Partner.create({"name": "At risk", "is_company": True})
        cls.contact = Partner.create({"name": "Its buyer", "parent_id": cls.at_risk.id})
        cls.safe = Partner.create({"name": "Safe"})
        cls.never = Partner.create({"name": "Never graded"})
        Grade = cls.env["retail.customer.grade"].sudo()
        for partner, risk in ((cls.at_risk, True), (cls.safe, False)):
            Grade.create(
                {"partner_id": partner.id, "company_id": cls.company_1.id, "churn_risk": risk}
            )
        cls._sale(cls.safe, 10.0, "2026-01-05 10:00:00")
        cls._sale(cls.safe, 10.0, "2026-02-05 10:00:00")
        cls._sale(cls.at_risk, 10.0, "2026-01-05 10:00:00")

    def _check(self, domain, expected):
        Partner = self.env["res.partner"].with_company(self.company_1)
        ours = [("id", "in", (self.at_risk | self.contact | self.safe | self.never).ids)]
        self.assertEqual(Partner.search(domain + ours), expected)
        query = Partner._search(domain)
        self.env.cr.execute(SQL("EXPLAIN %s", query.select()))
        plan = "\n".join(row[0] for row in self.env.cr.fetchall())
        self.assertIn("Anti Join", plan)

    def test_not_at_risk(self):
        self._check([("retail_churn_risk", "=", False)], self.safe | self.never)
        self._check([("retail_churn_risk", "!=", True)], self.safe | self.never)

    def test_fewer_orders(self):
        self._check([("retail_order_count", "<", 2)], self.at_risk | self.contact | self.never)
