import json

from odoo.tests import tagged

from ..models.pos_order_receipt import _RETAIL_RECEIPT_FIELDS
from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestPosReceipt(RetailLoyaltyCommon):
    """Receipts that stay true: the figures a paid order prints are stored
    with it, as the server wrote them when it was paid; open tills hear of
    the new balance through the POS bus."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._retail_user(
            "receipt_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.company_account = cls.env["res.partner"].create(
            {"name": "Tea House Ltd", "is_company": True}
        )
        cls.buyer = cls.env["res.partner"].create(
            {"name": "Buyer Bo", "parent_id": cls.company_account.id}
        )
        cls.colleague = cls.env["res.partner"].create(
            {"name": "Colleague Cai", "parent_id": cls.company_account.id}
        )

    def _figures(self, order):
        return order.with_user(self.cashier).read(list(_RETAIL_RECEIPT_FIELDS))[0]

    def _bus_messages(self):
        """What the bus sends: written at commit (or at a flush of the test
        cursor) into bus.bus."""
        self.env.cr.flush()
        return [
            (json.loads(bus.channel), json.loads(bus.message))
            for bus in self.env["bus.bus"].sudo().search([], order="id")
        ]

    def test_reprint_shows_the_balance_when_paid(self):
        first = self._sync(self._pos_payload(self.buyer, [(self.product, 1, 100.0)]), self.cashier)
        second = self._sync(self._pos_payload(self.colleague, [(self.product, 1, 40.0)]))
        figures = self._figures(first)
        self.assertEqual(figures["retail_points_earned"], 100.0)
        self.assertEqual(figures["retail_points_balance"], 100.0, "the balance when paid")
        self.assertTrue(figures["retail_points_recorded"])
        self.assertFalse(figures["retail_points_charge_differs"])
        self.assertEqual(self._figures(second)["retail_points_balance"], 140.0, "shared card")
        self.assertEqual(self._card(self.company_account).points, 140.0)
        # a later refund of the first order changes its customer's balance,
        # not what the first order's receipt prints
        self._refund_pos(first, "2026-11-02 10:00:00")
        self.env.invalidate_all()
        self.assertEqual(self._card(self.company_account).points, 40.0)
        self.assertEqual(self._figures(first)["retail_points_balance"], 100.0)
        self.assertEqual(self._figures(first)["retail_points_earned"], 100.0)

    def test_client_figures_are_ignored(self):
        payload = self._pos_payload(self.buyer, [(self.product, 1, 100.0)])
        payload.update(
            {
                "retail_points_balance": 9999.0,
                "retail_points_recorded": True,
                "retail_points_charge_differs": True,
            }
        )
        order = self._sync(payload, self.cashier)
        order.with_user(self.cashier).write(
            {"retail_points_balance": 5000.0, "retail_points_earned": 5000.0}
        )
        figures = self._figures(order)
        self.assertEqual(figures["retail_points_balance"], 100.0)
        self.assertEqual(figures["retail_points_earned"], 100.0)
        self.assertFalse(figures["retail_points_charge_differs"])

    def test_receipt_says_when_the_server_charged_other_points(self):
        self._sync(self._pos_payload(self.buyer, [(self.product, 1, 100.0)]))
        # the till declares 30 points for a 0.50 discount worth 50 points
        order = self._sync(
            self._pos_payload(
                self.buyer, [(self.product, 1, 10.0), (self._reward(), 1, -0.5, 30.0, "r1")]
            ),
            self.cashier,
        )
        figures = self._figures(order)
        self.assertEqual(figures["retail_points_spent"], 50.0)
        self.assertEqual(figures["retail_points_declared"], 30.0)
        self.assertTrue(figures["retail_points_charge_differs"])
        # the same reward declared right: no notice
        fair = self._sync(
            self._pos_payload(
                self.buyer, [(self.product, 1, 10.0), (self._reward(), 1, -0.5, 50.0, "r2")]
            )
        )
        self.assertFalse(self._figures(fair)["retail_points_charge_differs"])

    def test_open_tills_hear_the_new_balance(self):
        config = self.pos_configs[self.company_1][0]
        self._open_session(self.company_1)
        self._sync(self._pos_payload(self.buyer, [(self.product, 1, 100.0)]), self.cashier)
        messages = [
            payload
            for channel, payload in self._bus_messages()
            if payload["type"] == f"{config.access_token}-RETAIL_POINTS"
        ]
        self.assertEqual(len(messages), 1)
        accounts = messages[0]["payload"]["accounts"]
        self.assertEqual(
            accounts[str(self.company_account.id)]["points"], 100.0, "by commercial partner"
        )
        # the till of the other company hears nothing of it
        other = self.pos_configs[self.company_2][0]
        self.assertFalse(
            [p for _c, p in self._bus_messages() if p["type"].startswith(other.access_token)]
        )
        # what each contact loads tells the till which card it shares
        status = self.colleague.with_user(self.cashier).read(["retail_pos_account"])[0]
        self.assertEqual(status["retail_pos_account"], self.company_account.id)
