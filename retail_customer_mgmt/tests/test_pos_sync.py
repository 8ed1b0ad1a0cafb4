from uuid import uuid4

from odoo import fields
from odoo.tests import tagged

from .test_loyalty_points import RetailLoyaltyCommon


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
        session = self._open_session(self.company_1)
        cash = self.pos_configs[self.company_1][1]
        uuid = uuid or str(uuid4())
        data = {
            "amount_paid": amount,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": amount,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "name": f"Order {uuid}",
            "last_order_preparation_change": "{}",
            "lines": [
                (
                    0,
                    0,
                    {
                        "product_id": self.product.id,
                        "qty": 1,
                        "price_unit": amount,
                        "price_subtotal": amount,
                        "price_subtotal_incl": amount,
                        "tax_ids": [(6, 0, [])],
                        "pack_lot_ids": [],
                    },
                )
            ],
            "partner_id": self.customer.id,
            "session_id": session.id,
            "sequence_number": 2,
            "payment_ids": [
                (
                    0,
                    0,
                    {"amount": amount, "name": fields.Datetime.now(), "payment_method_id": cash.id},
                )
            ],
            "uuid": uuid,
            "user_id": self.env.uid,
            "to_invoice": False,
            "state": "paid",
        }
        return data

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
        PosOrder = self.env["pos.order"].with_user(self.cashier)
        PosOrder.sync_from_ui([self._payload(10.0)])  # warm-up

        def count(context):
            self.env.flush_all()
            before = self.env.cr.sql_log_count
            PosOrder.with_context(**context).sync_from_ui([self._payload(10.0)])
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        extra = count({}) - count({"retail_no_points": True})
        self.assertLessEqual(extra, 25, f"{extra} queries added by points and tiers")

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
