"""The dashboard's purchase counts and cohorts against a plain computation.

The dashboard reads both in one pass over the purchases (each customer's
months of purchase as the bits of a bigint, see
``retail.kpi.report._query_purchase_counts``). Random purchases, periods
(shorter and longer than the 24 months of the cohort table) and time zones
(a purchase near midnight UTC is in another local month elsewhere) are
checked against the same figures computed here, customer by customer, from
the purchase rows. The examples share the test's transaction: each adds
its customers and purchases to those of the examples before it (and to the
hand-computed data set), and the expected figures are read from all of
them.
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

import pytz
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import tagged

from ..services.kpis import cohort_matrix
from .analytics_common import RetailAnalyticsCommon

ORIGIN = datetime(2023, 1, 1)
purchase = st.tuples(
    st.integers(0, 3),  # customer
    st.integers(0, 1000),  # days after ORIGIN
    st.sampled_from([0, 1, 15, 23]),  # hour (UTC)
    st.sampled_from([10.0, 99.5]),
)


@tagged("post_install", "-at_install")
class TestDashboardCohorts(RetailAnalyticsCommon):
    def _expected(self, date_from, date_to, tz_name):
        """The figures computed customer by customer from the purchase rows."""
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        self.env.cr.execute(Purchase._rows_sql(self.company_2))
        tz = pytz.timezone(tz_name)
        per_customer = defaultdict(list)
        for row in self.env.cr.dictfetchall():
            local = pytz.utc.localize(row["d"]).astimezone(tz).date()
            per_customer[row["partner_id"]].append((local, row["is_order"]))
        buyers = repeat = new = orders = 0
        cohort_rows = defaultdict(int)
        for purchases in per_customer.values():
            dates = [day for day, is_order in purchases if is_order == 1]
            in_period = [day for day in dates if date_from <= day <= date_to]
            orders += len(in_period)
            buyers += bool(in_period)
            repeat += len(in_period) >= 2
            new += bool(in_period) and min(dates) >= date_from
            months = {day.replace(day=1) for day in dates if day <= date_to}
            if months:
                cohort = min(months)
                for month in months:
                    cohort_rows[(cohort, month)] += 1
        cohorts = cohort_matrix(
            [(cohort, month, count) for (cohort, month), count in cohort_rows.items()],
            date_from.replace(day=1),
            date_to.replace(day=1),
        )
        return (buyers, repeat, new, orders), cohorts

    @settings(max_examples=25, deadline=None, derandomize=True, database=None)
    @given(
        purchases=st.lists(purchase, max_size=8),
        start=st.integers(0, 900),
        length=st.integers(0, 1000),
        tz_name=st.sampled_from(["UTC", "Asia/Shanghai", "America/New_York"]),
    )
    def test_counts_and_cohorts_follow_the_purchases(self, purchases, start, length, tz_name):
        customers = self.env["res.partner"].create(
            [{"name": f"Cohort customer {i}"} for i in range(4)]
        )
        for customer, days, hour, amount in purchases:
            moment = ORIGIN + timedelta(days=days, hours=hour)
            self._sale(customers[customer], amount, moment, company=self.company_2)
        date_from = date(2023, 1, 1) + timedelta(days=start)
        date_to = date_from + timedelta(days=length)
        kpis = self._dashboard_env(tz=tz_name)._retail_kpis(self.company_2, date_from, date_to)
        counts, cohorts = self._expected(date_from, date_to, tz_name)
        got = (
            kpis["buyer_count"],
            kpis["repeat_buyer_count"],
            kpis["new_buyer_count"],
            kpis["order_count"],
        )
        self.assertEqual(got, counts)
        self.assertEqual(kpis["cohorts"], cohorts)
