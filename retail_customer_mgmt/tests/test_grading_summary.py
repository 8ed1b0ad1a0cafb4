"""The regrade's per-customer summary equals a rebuild, at any time.

Random sequences of what happens to a shop's documents (sales orders and
POS orders placed, cancelled, re-dated, refunded; credit notes posted; a
contact moving to another company) interleaved with refreshes at moving
window starts (time passing, a longer or shorter analysis window) must
leave the summary kept by the triggers equal to one computed from every
document, and the grades of a regrade equal to those of a regrade from a
rebuilt summary. Hand-computed cases check what the triggers note, the
window figures, and the uninstall.
"""

from datetime import datetime, timedelta

from dateutil.relativedelta import relativedelta
from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.exceptions import AccessError
from odoo.service.model import get_public_method
from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .. import uninstall_hook
from ..models.retail_grade_run_summary import DIRTY, STATE, SUMMARY
from .common import RetailCommon

NOW = datetime(2026, 6, 1, 12, 0, 0)
CUSTOMERS = 3

placed = st.tuples(
    st.integers(0, CUSTOMERS),  # customer (the last one: the contact of customer 0)
    st.integers(0, 800),  # days ago
    st.sampled_from([10.0, 55.5, 300.0]),
    st.sampled_from(["sale", "pos"]),
)
event = st.one_of(
    st.tuples(st.just("add"), placed),
    st.tuples(st.just("cancel"), st.integers(0, 30)),
    st.tuples(st.just("redate"), st.tuples(st.integers(0, 30), st.integers(0, 800))),
    st.tuples(st.just("refund"), st.integers(0, 30)),
    st.tuples(st.just("move_contact"), st.integers(1, CUSTOMERS - 1)),
    # a refresh after some days, with a window of some months
    st.tuples(st.just("refresh"), st.tuples(st.integers(0, 40), st.sampled_from([6, 12, 24]))),
)


@tagged("post_install", "-at_install")
class TestGradingSummary(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.write({"retail_churn_factor": 1.5, "retail_followup_user_id": False})
        cls.Run = cls.env["retail.grade.run"]
        cls.Grade = cls.env["retail.customer.grade"]

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------
    def _summary(self):
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, last_purchase, frequency, monetary, order_count,
                          lifetime_spend, date_fingerprint, median_interval
                     FROM %s WHERE company_id = %s ORDER BY partner_id""",
                SQL.identifier(SUMMARY),
                self.company.id,
            )
        )
        return self.env.cr.fetchall()

    def _rebuilt(self, window_start):
        """What a rebuild gives, without touching the summary."""
        self.env["retail.purchase"]._flush()
        self.env.cr.execute(
            SQL(
                """SELECT partner_id, last_purchase, frequency, monetary, order_count,
                          lifetime_spend, date_fingerprint, median_interval
                     FROM (%s) m ORDER BY partner_id""",
                self.Run._metrics_sql(self.company, window_start, SQL("TRUE"), exact=True),
            )
        )
        return self.env.cr.fetchall()

    def _noted(self):
        self.env.flush_all()
        self.env.cr.execute(
            SQL(
                "SELECT DISTINCT partner_id FROM %s WHERE company_id = %s",
                SQL.identifier(DIRTY),
                self.company.id,
            )
        )
        return {pid for (pid,) in self.env.cr.fetchall()}

    def _customers(self):
        customers = self.env["res.partner"].create(
            [{"name": f"Summary customer {i}", "is_company": True} for i in range(CUSTOMERS)]
        )
        contact = self.env["res.partner"].create(
            {"name": "Summary contact", "parent_id": customers[0].id}
        )
        return customers, contact

    def _apply(self, step, orders, customers, contact, now):
        kind, arg = step
        if kind == "add":
            who, days, amount, source = arg
            partner = (customers + contact)[who]
            date = now - timedelta(days=days, hours=days % 7)
            make = self._sale if source == "sale" else self._pos
            orders.append(make(partner, amount, date))
            return
        if kind == "move_contact":
            contact.parent_id = customers[arg]
            return
        if not orders:
            return
        target = orders[(arg if kind != "redate" else arg[0]) % len(orders)]
        if kind == "cancel" and target._name == "sale.order" and target.state == "sale":
            target.with_context(disable_cancel_warning=True).action_cancel()
        elif kind == "redate":
            target.date_order = now - timedelta(days=arg[1], minutes=7)
        elif kind == "refund" and target._name == "pos.order" and target.amount_total > 0:
            orders.append(self._refund_pos(target, target.date_order + timedelta(days=1)))
        elif kind == "refund" and target._name == "sale.order" and target.state == "sale":
            self._refund_sale(target, target.amount_total / 2)

    # ------------------------------------------------------------------
    # property: equal to a rebuild after any sequence
    # ------------------------------------------------------------------
    @settings(max_examples=16, deadline=None, derandomize=True, database=None)
    @given(
        history=st.lists(placed, min_size=2, max_size=6),
        events=st.lists(event, min_size=1, max_size=8),
        last=st.tuples(st.integers(0, 40), st.sampled_from([6, 12, 24])),
    )
    def test_summary_equals_rebuild(self, history, events, last):
        """A history summed at a 12-month window, then events and refreshes,
        then a last refresh: equal to a rebuild after each refresh."""
        customers, contact = self._customers()
        orders = []
        now, window_start = NOW, NOW - relativedelta(months=12)
        with freeze_time(NOW):
            for placed_order in history:
                self._apply(("add", placed_order), orders, customers, contact, NOW)
            self.Run._summary_refresh(self.company, window_start)
        for step in (*events, ("refresh", last)):
            if step[0] == "refresh":
                days, months = step[1]
                now += timedelta(days=days)
                window_start = now - relativedelta(months=months)
                with freeze_time(now):
                    self.Run._summary_refresh(self.company, window_start)
                self.assertEqual(self._summary(), self._rebuilt(window_start), step)
                continue
            with freeze_time(now):
                self._apply(step, orders, customers, contact, now)
        self.assertFalse(self._noted(), "a refresh takes every note")

    @settings(max_examples=6, deadline=None, derandomize=True, database=None)
    @given(
        history=st.lists(placed, min_size=1, max_size=6),
        later=st.lists(event.filter(lambda e: e[0] != "refresh"), max_size=4),
    )
    def test_regrade_through_summary_equals_regrade_from_rebuild(self, history, later):
        """Grades of the next night's run (summary refreshed from the noted
        customers, window moved one day) equal those of a run whose summary
        is rebuilt from every document at the same moment."""
        customers, contact = self._customers()
        orders = []
        with freeze_time(NOW):
            for placed_order in history:
                self._apply(("add", placed_order), orders, customers, contact, NOW)
            first = self.Run._regrade(self.company)
            self.assertEqual(first.state, "done")
        night = NOW + timedelta(days=1)
        with freeze_time(night):
            for step in later:
                self._apply(step, orders, customers, contact, night)
            run = self.Run._regrade(self.company)
            through_summary = self._grade_snapshot(self.company)
            self.assertEqual(run.total, len(through_summary))
            self.Run._summary_build(self.company, run.window_start)
            self.env.cr.execute(
                "DELETE FROM retail_customer_grade WHERE company_id = %(c)s;"
                "DELETE FROM retail_grade_run WHERE company_id = %(c)s",
                {"c": self.company.id},
            )
            self.env.invalidate_all()
            self.Run._regrade(self.company)
            self.assertEqual(self._grade_snapshot(self.company), through_summary)

    # ------------------------------------------------------------------
    # hand-computed cases
    # ------------------------------------------------------------------
    def test_what_the_triggers_note(self):
        """A confirmed order notes its customer; a quotation, a draft POS
        order and a write of an unread column note nobody; a contact moving
        notes both companies it leaves and joins."""
        customers, contact = self._customers()
        with freeze_time(NOW):
            self.Run._summary_refresh(self.company, NOW - relativedelta(months=12))
            self.assertEqual(self._noted(), set())
            quotation = self._sale(customers[1], 20.0, NOW, confirm=False)
            self._pos(customers[1], 20.0, NOW, pay=False)
            self.assertEqual(self._noted(), set(), "quotations and unpaid tickets do not count")
            quotation.action_confirm()
            self.assertEqual(self._noted(), {customers[1].id})
            self.Run._summary_refresh(self.company, NOW - relativedelta(months=12))
            quotation.note = "Gift wrap"
            self.assertEqual(self._noted(), set(), "a column the grades do not read")
            self._pos(contact, 30.0, NOW - timedelta(days=3))
            self.assertEqual(self._noted(), {contact.id})
            self.Run._summary_refresh(self.company, NOW - relativedelta(months=12))
            contact.parent_id = customers[2]
            self.assertEqual(self._noted(), {customers[0].id, customers[2].id})
            self.Run._summary_refresh(self.company, NOW - relativedelta(months=12))
        rows = {row[0]: row for row in self._summary()}
        self.assertNotIn(customers[0].id, rows, "the contact's ticket left customer 0")
        self.assertEqual(rows[customers[2].id][4], 1, "and joined customer 2")
        self.assertEqual(rows[customers[1].id][4], 1)

    def test_window_figures_move_with_the_window(self):
        """Orders of 400 and 100 days ago: in a 12-month window only the
        recent one counts; widened to 24 months both do; a year later, with
        12 months, none does. Lifetime figures never move."""
        customers, _contact = self._customers()
        buyer = customers[0]
        with freeze_time(NOW):
            self._sale(buyer, 80.0, NOW - timedelta(days=400))
            self._pos(buyer, 20.5, NOW - timedelta(days=100))
        cases = [
            (NOW, 12, (1, 20.5)),
            (NOW, 24, (2, 100.5)),
            (NOW + timedelta(days=365), 12, (0, 0.0)),
            (NOW, 12, (1, 20.5)),
        ]
        for now, months, (frequency, monetary) in cases:
            with freeze_time(now):
                self.Run._summary_refresh(self.company, now - relativedelta(months=months))
            row = next(row for row in self._summary() if row[0] == buyer.id)
            self.assertEqual((row[2], float(row[3])), (frequency, monetary), (now, months))
            self.assertEqual((row[4], float(row[5])), (2, 100.5))

    def test_first_refresh_builds_and_counts(self):
        """A company without a summary is built from every document on its
        first regrade; the next regrade reads again only the noted
        customers."""
        customers, _contact = self._customers()
        self.env.cr.execute(
            SQL("DELETE FROM %s WHERE company_id = %s", SQL.identifier(STATE), self.company.id)
        )
        with freeze_time(NOW):
            for customer in customers:
                self._pos(customer, 15.0, NOW - timedelta(days=5))
            first = self.Run._regrade(self.company)
        self.assertEqual(first.refreshed, first.total)
        self.assertGreaterEqual(first.total, CUSTOMERS)
        with freeze_time(NOW + timedelta(days=1)):
            self._sale(customers[2], 40.0, NOW)
            night = self.Run._regrade(self.company)
        self.assertEqual((night.mode, night.refreshed), ("incremental", 1))
        self.assertEqual(night.total, first.total)

    def test_summary_is_not_callable_remotely(self):
        """The summary's methods are private: JSON-RPC and XML-RPC refuse
        them to a salesperson, a cashier, a portal user and another
        company's user; and the summary is no model they could read."""
        self.assertNotIn("retail.customer.summary", self.env)
        for user in self._least_privileged_users("summary"):
            for method in (
                "_summary_refresh",
                "_summary_build",
                "_summary_triggers",
                "_summary_drop",
                "_summary_usable",
            ):
                with self.assertRaisesRegex(AccessError, "cannot be called remotely"):
                    get_public_method(self.Run.with_user(user), method)

    def test_uninstall_hook_drops_the_triggers_and_tables(self):
        """The uninstall hook leaves no trigger, function or table of the
        summary behind, and orders still save without them (rolled back)."""
        cr = self.env.cr
        query = SQL(
            """SELECT (SELECT COUNT(*) FROM pg_trigger WHERE tgname LIKE %(like)s),
                      (SELECT COUNT(*) FROM pg_proc WHERE proname LIKE %(like)s),
                      to_regclass(%(summary)s) IS NOT NULL, to_regclass(%(dirty)s) IS NOT NULL,
                      to_regclass(%(state)s) IS NOT NULL""",
            like="retail_customer_summary%",
            summary=SUMMARY,
            dirty=DIRTY,
            state=STATE,
        )
        cr.execute(query)
        # three tables watched with three triggers each, and the contacts' two
        self.assertEqual(cr.fetchone(), (11, 5, True, True, True))
        cr.execute("SAVEPOINT summary_uninstall")
        try:
            uninstall_hook(self.env)
            cr.execute(query)
            self.assertEqual(cr.fetchone(), (0, 0, False, False, False))
            customers, contact = self._customers()
            order = self._sale(customers[0], 10.0, NOW)
            contact.parent_id = customers[1]
            self.env.flush_all()
            self.assertEqual(order.state, "sale")
        finally:
            cr.execute("ROLLBACK TO SAVEPOINT summary_uninstall")
