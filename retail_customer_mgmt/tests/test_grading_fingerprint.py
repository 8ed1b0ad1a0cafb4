"""The weekly full regrade sorts only the histories whose dates changed.

A full run on graded customers keeps the usual interval of those whose
purchase dates (fingerprint and order count) did not change and sorts the
orders of the others. Random histories and random changes (new orders,
cancelled ones, dates moved) are graded by the fingerprint path and from
scratch: the grades must be the same, and only the changed histories sorted.

These paths serve the companies whose purchase sources are not all watched
by the triggers of the per-customer summary (another module's source
without ``watch``, see ``test_grading_summary.py`` for the summary): the
tests add such a source, the voucher sales of ``fake_purchase_source.py``.
"""

from collections import Counter
from datetime import datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st
from odoo_test_helper import FakeModelLoader

from odoo.tests import freeze_time, tagged

from .common import RetailCommon

NOW = datetime(2026, 6, 1, 12, 0, 0)
CUSTOMERS = 4

order = st.tuples(
    st.integers(0, CUSTOMERS - 1),  # customer
    st.integers(0, 900),  # days ago
    st.sampled_from([10.0, 55.5, 300.0]),
    st.booleans(),  # POS (else a sales order)
)
change = st.one_of(
    st.tuples(st.just("add"), order),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("move"), st.tuples(st.integers(0, 30), st.integers(0, 900))),
)


@tagged("post_install", "-at_install")
class TestGradingFingerprint(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write({"retail_churn_factor": 1.5, "retail_followup_user_id": False})
        cls.Grade = cls.env["retail.customer.grade"]
        cls.Run = cls.env["retail.grade.run"]
        # a source without triggers: the regrades read the histories
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .fake_purchase_source import RetailPurchase, RetailTestVoucherSale

        cls.loader.update_registry((RetailTestVoucherSale, RetailPurchase))

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def test_a_source_without_triggers_is_read_from_its_documents(self):
        self.assertIsNone(self.env["retail.purchase"]._watches())
        self.assertFalse(self.Run._summary_usable())

    def test_customer_deleted_between_batches_of_a_staged_run(self):
        """A run staged into its own table (not the summary, which loses a
        deleted customer at once) skips a customer deleted after the staging
        instead of failing the batch on the grade's foreign key."""
        partners = self.env["res.partner"].create([{"name": f"F Staged {i}"} for i in range(3)])
        with freeze_time(NOW):
            orders = [self._place(partner, 10, 50.0, False) for partner in partners]
            self.env.flush_all()
            self.env.cr.execute(
                "DELETE FROM retail_customer_grade WHERE company_id = %(c)s;"
                "DELETE FROM retail_grade_run WHERE company_id = %(c)s",
                {"c": self.company.id},
            )
            run = self.Run._regrade(self.company, batch_size=1, time_budget=-1)
            self.assertFalse(run.staged_summary)
            self.assertEqual(run.state, "running")
            gone = partners[-1]
            orders[-1].with_context(disable_cancel_warning=True).action_cancel()
            orders[-1].unlink()
            gone.unlink()
            self.Run._regrade(self.company)
        self.assertEqual(run.state, "done")
        graded = self.Grade.search([("company_id", "=", self.company.id)]).partner_id
        self.assertEqual(graded & partners, partners[:2])

    def _place(self, partner, days, amount, pos):
        date = NOW - timedelta(days=days, hours=days % 7)
        if pos:
            return self._pos(partner, amount, date)
        return self._sale(partner, amount, date)

    def _apply(self, change, orders, partners):
        kind, arg = change
        if kind == "add":
            customer, days, amount, pos = arg
            orders.append(self._place(partners[customer], days, amount, pos))
            return
        if not orders:
            return
        if kind == "cancel":
            target = orders[arg % len(orders)]
            if target._name == "sale.order" and target.state == "sale":
                target.with_context(disable_cancel_warning=True).action_cancel()
            return
        index, days = arg
        orders[index % len(orders)].date_order = NOW - timedelta(days=days, minutes=7)

    def _dates(self, partners):
        """Per customer, the multiset of the dates of their counted orders."""
        self.env.flush_all()
        self.env.cr.execute(
            """
            SELECT partner_id, date_order FROM sale_order
             WHERE state = 'sale' AND company_id = %(c)s AND partner_id = ANY(%(p)s)
             UNION ALL
            SELECT partner_id, date_order FROM pos_order
             WHERE state IN ('paid', 'done', 'invoiced') AND company_id = %(c)s
               AND partner_id = ANY(%(p)s) AND amount_total >= 0
            """,
            {"c": self.company.id, "p": partners.ids},
        )
        dates = {partner.id: Counter() for partner in partners}
        for partner_id, date in self.env.cr.fetchall():
            dates[partner_id][date] += 1
        return dates

    def _from_scratch(self):
        self.env.flush_all()
        self.env.cr.execute(
            "DELETE FROM retail_customer_grade WHERE company_id = %(c)s;"
            "DELETE FROM retail_grade_run WHERE company_id = %(c)s",
            {"c": self.company.id},
        )
        self.env.invalidate_all()
        run = self.Run._regrade(self.company)
        self.assertEqual(run.sorted_histories, run.refreshed, "a first run sorts everything")
        return run

    @settings(max_examples=12, deadline=None, derandomize=True, database=None)
    @given(
        history=st.lists(order, min_size=1, max_size=8),
        changes=st.lists(change, min_size=0, max_size=4),
    )
    def test_fingerprint_path_grades_as_from_scratch(self, history, changes):
        partners = self.env["res.partner"].create(
            [{"name": f"Fingerprint customer {i}"} for i in range(CUSTOMERS)]
        )
        with freeze_time(NOW):
            orders = [self._place(partners[c], d, a, pos) for c, d, a, pos in history]
            self._from_scratch()
            before = self._dates(partners)
            for step in changes:
                self._apply(step, orders, partners)
            after = self._dates(partners)
            weekly = self.Run._regrade(self.company, full=True)
            self.assertEqual(weekly.mode, "full")
            expected_sorted = sum(
                1 for pid in partners.ids if after[pid].total() >= 2 and after[pid] != before[pid]
            )
            self.assertEqual(
                weekly.sorted_histories,
                expected_sorted,
                "only the customers whose purchase dates changed are sorted",
            )
            through_fingerprints = self._grade_snapshot(self.company, fingerprint=True)
            self._from_scratch()
            self.assertEqual(
                self._grade_snapshot(self.company, fingerprint=True), through_fingerprints
            )

    @settings(max_examples=8, deadline=None, derandomize=True, database=None)
    @given(
        history=st.lists(order, min_size=1, max_size=8),
        changes=st.lists(change, min_size=0, max_size=4),
    )
    def test_incremental_path_grades_as_from_scratch(self, history, changes):
        """The nightly incremental run reads again only the changed customers
        and stages the stored metrics of the others: it ends where a run from
        scratch at the same moment ends."""
        partners = self.env["res.partner"].create(
            [{"name": f"Incremental customer {i}"} for i in range(CUSTOMERS)]
        )
        with freeze_time(NOW):
            orders = [self._place(partners[c], d, a, pos) for c, d, a, pos in history]
            self.env.flush_all()
            # everything so far was written before the first run
            for table in ("sale_order", "pos_order", "res_partner"):
                self.env.cr.execute(  # noqa: SQL
                    f"UPDATE {table} SET write_date = %s", [NOW - timedelta(days=2)]
                )
            self.env.invalidate_all()
            self._from_scratch()
        with freeze_time(NOW + timedelta(days=1)):
            for step in changes:
                self._apply(step, orders, partners)
            night = self.Run._regrade(self.company)
            self.assertEqual(night.mode, "incremental")
            incremental = self._grade_snapshot(self.company, fingerprint=True)
            # the customers not read again are graded on their stored metrics
            self.assertEqual(night.total, len(incremental))
            self._from_scratch()
            self.assertEqual(self._grade_snapshot(self.company, fingerprint=True), incremental)
