import logging
from contextlib import nullcontext

from odoo.tests import tagged

from ..models.loyalty_history import points_disabled
from ..models.pos_order import _RETAIL_SUMMARY_FIELDS
from .loyalty_common import RetailLoyaltyCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPosSync(RetailLoyaltyCommon):
    """Orders synced by the POS client through ``sync_from_ui``, as the browser does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._retail_user(
            "pos_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.customer = cls.env["res.partner"].create({"name": "Sync Sun"})
        cls.customer.with_company(cls.company_1).retail_tier_id = cls.silver  # x1.5

    def _payload(self, amount, uuid=None):
        """Sync Sun's paid order of one tea set at ``amount``."""
        return self._pos_payload(self.customer, [(self.product, 1, amount)], uuid=uuid)

    def test_same_payload_synced_twice(self):
        PosOrder = self.env["pos.order"].with_user(self.cashier)
        payload = self._payload(100.0)
        PosOrder.sync_from_ui([payload])
        PosOrder.sync_from_ui([dict(payload)])  # the client retries (network error)
        card = self._card(self.customer)
        self.assertEqual(card.points, 150.0, "100 x 1.5, once")
        self.assertEqual(self.env["pos.order"].search_count([("uuid", "=", payload["uuid"])]), 1)
        self.assertLedgerBalanced()

    def test_cashier_hook_runs_with_cashier_rights(self):
        order = self._pos(self.customer, 40.0, "2026-11-02 10:00:00", pay=False)
        order.state = "paid"
        order.with_user(self.cashier)._retail_points_on_paid()
        self.assertEqual(self._card(self.customer).points, 60.0)

    def test_queries_added_per_synced_order(self):
        """Points, tiers and the receipt figures add at most 12 queries to a
        synced order (see below), the same for a new customer and one with a
        long history."""
        PosOrder = self.env["pos.order"].with_user(self.cashier)
        regular = self.env["res.partner"].create({"name": "Regular Ren"})
        for _i in range(20):
            PosOrder.sync_from_ui([self._pos_payload(regular, [(self.product, 1, 5.0)])])
        newcomer = self.env["res.partner"].create({"name": "Newcomer Niu"})
        PosOrder.sync_from_ui([self._pos_payload(newcomer, [(self.product, 1, 5.0)])])

        def count(switch, partner, lines):
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            with switch():
                result = PosOrder.sync_from_ui([self._pos_payload(partner, lines)])
            self.env.flush_all()
            return self.env.cr.sql_log_count - before, result["pos.order"][0]["id"]

        def extra(partner, lines):
            # a running server has its caches of rules and defaults warm
            count(nullcontext, partner, lines)
            count(points_disabled, partner, lines)
            with_points, order_id = count(nullcontext, partner, lines)
            without, _order = count(points_disabled, partner, lines)
            # the receipt figures the till reads back with the synced order,
            # computed in the sync's own transaction after the ledger wrote
            # (both runs above computed them: they are counted here)
            order = PosOrder.browse(order_id)
            order.invalidate_recordset(list(_RETAIL_SUMMARY_FIELDS))
            before = self.env.cr.sql_log_count
            order.read(list(_RETAIL_SUMMARY_FIELDS))
            return with_points - without, self.env.cr.sql_log_count - before

        sale = [(self.product, 1, 10.0)]
        rewarded = [(self.product, 1, 10.0), (self._reward(), 1, -0.5, 50.0, "r1")]
        figures = {
            "new customer": extra(newcomer, sale),
            "20 orders of history": extra(regular, sale),
            "paid with points": extra(regular, rewarded),
        }
        _logger.info("Queries added per synced POS order (points and tiers, receipt): %s", figures)
        self.assertEqual(figures["new customer"], figures["20 orders of history"], figures)
        # The receipt figures are stored when the order is paid (issue 17):
        # the run without the hooks no longer computes them when the synced
        # order is read back (4 queries it paid before), so the difference
        # grew by what the run without hooks saves, while a synced order
        # costs the same (107 queries with the hooks, before and after, on
        # the measure of issue 17) and the receipt's re-read went from 3 to 1.
        for label, (points, receipt) in figures.items():
            self.assertLessEqual(points + receipt, 12, f"{label}: {figures}")
            self.assertLessEqual(receipt, 1, f"{label}: stored figures, {figures}")
        # 20 x 5.00, 2 x 10.00, then 2 x (50 spent, 9 earned on 9.50); the
        # runs without the hooks earn and spend nothing
        self.assertEqual(self._card(regular).points, 100.0 + 20.0 - 100.0 + 18.0)

    def test_pos_loads_loyalty_status_for_cashiers(self):
        self._pos(self.customer, 100.0, "2026-11-01 10:00:00")
        fields_ = self.env["res.partner"]._load_pos_data_fields(
            self.pos_configs[self.company_1][0].id
        )
        self.assertIn("retail_pos_points", fields_)
        values = (
            self.customer.with_user(self.cashier)
            .with_company(self.company_1)
            .read(["retail_pos_tier", "retail_pos_points"])[0]
        )
        self.assertEqual(values["retail_pos_tier"], "Silver")
        self.assertEqual(values["retail_pos_points"], 150.0)

    def test_sync_returns_server_points_whatever_the_client_sends(self):
        """A client that inflates its point figures: the order's own fields,
        pos_loyalty's coupon data and a fake history line for the retail card."""
        PosOrder = self.env["pos.order"].with_user(self.cashier)
        payload = self._payload(100.0)
        payload.update({"retail_points_earned": 99999.0, "retail_points_balance": 99999.0})
        result = PosOrder.sync_from_ui([payload])
        synced = result["pos.order"][0]
        self.assertEqual(synced["retail_points_earned"], 150.0, "100 x 1.5, from the ledger")
        self.assertEqual(synced["retail_points_balance"], 150.0)
        self.assertEqual(synced["retail_tier_name"], "Silver")
        card = self._card(self.customer)
        order = PosOrder.browse(synced["id"])
        # what pos_loyalty's client sends after the sync, with inflated points
        order.confirm_coupon_programs(
            {
                str(card.id): {
                    "points": 5000,
                    "program_id": self.program.id,
                    "coupon_id": card.id,
                    "barcode": False,
                }
            }
        )
        order.add_loyalty_history_lines(
            [{"order_id": order.id, "card_id": card.id, "won": 5000, "spent": 0}],
            [{"id": card.id, "old_id": card.id}],
        )
        # and a retry of the sync with other client figures
        PosOrder.sync_from_ui([dict(payload, amount_paid=100.0, retail_points_earned=1.0)])
        self.env.invalidate_all()
        self.assertEqual(card.points, 150.0)
        self.assertEqual(len(card.history_ids), 1, "one ledger line: the server's earning")
        self.assertEqual(order.retail_points_earned, 150.0)
        self.assertLedgerBalanced()

    def test_refund_figures_for_the_receipt(self):
        order = self._pos(self.customer, 100.0, "2026-11-01 10:00:00")
        refund = self._refund_pos(order, "2026-11-02 10:00:00")
        self.env.invalidate_all()
        figures = refund.with_user(self.cashier).read(list(_RETAIL_SUMMARY_FIELDS))[0]
        self.assertEqual(figures["retail_points_taken_back"], 150.0)
        self.assertEqual(figures["retail_points_earned"], 0.0)
        self.assertEqual(figures["retail_points_balance"], 0.0)
        self.assertEqual(order.with_user(self.cashier).retail_points_earned, 150.0)

    def test_customer_loading_is_limited_and_set_based(self):
        """The POS loads a limited number of customers (Odoo's limit), with
        their loyalty status; customers searched later get the same fields."""
        config = self.pos_configs[self.company_1][0]
        partners = self.env["res.partner"].create(
            [{"name": f"Load Lu {i:02d}", "company_id": self.company_1.id} for i in range(30)]
        )
        self._pos(partners[2], 50.0, "2026-11-01 10:00:00")
        Partner = self.env["res.partner"].with_user(self.cashier).with_company(self.company_1)
        fields_ = Partner._load_pos_data_fields(config.id)
        expected = {
            "retail_pos_tier",
            "retail_pos_tier_color",
            "retail_pos_points",
            "retail_pos_points_expiring",
            "retail_pos_segment",
            "retail_pos_churn_risk",
            "retail_pos_last_purchase",
            "retail_pos_marketing_consent",
        }
        self.assertLessEqual(expected, set(fields_))
        data = {"pos.config": {"data": [{"id": config.id}]}, "pos.order": {"data": []}}
        for limit in (5, 25):
            self.env["ir.config_parameter"].sudo().set_param(
                "point_of_sale.limited_customer_count", limit
            )
            rows = Partner._load_pos_data(data)["data"]
            self.assertTrue(rows, "customers are loaded")
            self.assertLessEqual(len(rows), limit + 1, "the limit (plus the cashier)")
            self.assertTrue(all(expected <= set(row) for row in rows))
        # a customer found later by the POS search: same fields, same figures
        found = Partner.search_read([("name", "=", "Load Lu 02")], fields_)
        self.assertEqual(found[0]["retail_pos_points"], 50.0)
        self.assertEqual(found[0]["retail_pos_tier"], "Normal")
        self.assertTrue(found[0]["retail_pos_last_purchase"])
        self.assertFalse(found[0]["retail_pos_marketing_consent"])

    def test_customer_status_queries_do_not_grow_with_customers(self):
        segment = self.env["retail.segment"].search([], limit=1)

        def customers(count, tag):
            companies = self.env["res.partner"].create(
                [{"name": f"{tag} Co {i}", "is_company": True} for i in range(count)]
            )
            contacts = self.env["res.partner"].create(
                [{"name": f"{tag} Buyer {i}", "parent_id": c.id} for i, c in enumerate(companies)]
            )
            for contact in contacts:
                self._pos(contact, 40.0, "2026-11-01 10:00:00")
            # sudo: grades are written by the regrade only
            self.env["retail.customer.grade"].sudo().create(
                [
                    {"partner_id": c.id, "company_id": self.company_1.id, "segment_id": segment.id}
                    for c in companies
                ]
            )
            return contacts

        few, many = customers(2, "Few"), customers(20, "Many")
        fields_ = [
            f
            for f in self.env["res.partner"]._load_pos_data_fields(
                self.pos_configs[self.company_1][0].id
            )
            if f.startswith("retail_pos_")
        ]
        Partner = self.env["res.partner"].with_user(self.cashier).with_company(self.company_1)

        def queries(partners):
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            values = Partner.browse(partners.ids).read(fields_)
            self.assertTrue(all(v["retail_pos_points"] == 40.0 for v in values))
            return self.env.cr.sql_log_count - before

        queries(few)  # warm the caches that outlive a request
        self.assertEqual(queries(many), queries(few), "no query per customer")
