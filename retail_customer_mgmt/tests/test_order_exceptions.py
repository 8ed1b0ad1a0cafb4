from datetime import timedelta

from odoo import fields
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged

from .exception_common import RetailExceptionCommon


@tagged("post_install", "-at_install")
class TestOrderExceptions(RetailExceptionCommon):
    def test_stock_exception_opens_once_and_closes_when_stock_arrives(self):
        order = self._order()
        exception = self._of(order, "stock")
        self.assertEqual((exception.state, exception.partner_id), ("new", self.customer))
        self.assertIn("Pu-erh cake", exception.detail)
        self.Exception._cron_retail_detect()
        self.assertEqual(len(self._of(order, "stock")), 1, "never two open of the same type")
        self.env["stock.quant"]._update_available_quantity(
            self.tea, self.warehouse.lot_stock_id, 10
        )
        self.Exception._cron_retail_detect()
        self.assertEqual((exception.state, exception.resolution), ("resolved", "auto"))
        self.assertTrue(
            exception.message_ids.filtered(lambda m: "cause disappeared" in str(m.body))
        )

    def test_late_delivery_and_missing_address(self):
        self.env["stock.quant"]._update_available_quantity(
            self.tea, self.warehouse.lot_stock_id, 10
        )
        nowhere = self.env["res.partner"].create({"name": "No Address"})
        order = self._order(partner=nowhere)
        self.assertTrue(self._of(order, "address"))
        self.assertFalse(self._of(order, "stock"))
        picking = order.picking_ids
        # due at this very moment: passed by the time the job runs, but due
        # today, and a delivery due today is on time until the day ends
        picking.scheduled_date = fields.Datetime.now()
        self.Exception._cron_retail_detect()
        self.assertFalse(self._of(order, "late"))
        picking.scheduled_date = fields.Datetime.now() - timedelta(days=2)
        self.Exception._cron_retail_detect()
        late = self._of(order, "late")
        self.assertEqual(late.picking_id, picking)
        self._validate_picking(picking)
        self.Exception._cron_retail_detect()
        self.assertEqual(late.state, "resolved", "the delivery was made")

    def test_abnormal_amount(self):
        self._sale(self.customer, 100.0, "2026-10-01 10:00:00")
        self._sale(self.customer, 100.0, "2026-10-15 10:00:00")
        normal = self._order(qty=2.0)  # 100
        self.assertFalse(self._of(normal, "abnormal"))
        huge = self._order(qty=40.0)  # 2,000 > 5 x 100
        self.assertIn("usual basket", self._of(huge, "abnormal").detail)

    def test_notification_respects_consent(self):
        order = self._order()
        exception = self._of(order, "stock")
        exception.action_notify_customer()
        self.assertEqual(exception.state, "notified")
        self.assertTrue(exception.notified_on)
        mail = exception.message_ids.filtered(lambda m: "about your order" in (m.subject or ""))
        self.assertEqual(mail.partner_ids, self.customer)
        quiet = self.env["res.partner"].create(
            {"name": "Quiet Qi", "street": "2 Road", "city": "Beijing", "phone": "1"}
        )
        other = self._of(self._order(partner=quiet), "stock")
        other.action_notify_customer()
        self.assertEqual(other.state, "new", "no email without consent")

    def test_compensation_points_once(self):
        exception = self._of(self._order(), "stock")
        self._resolve_exception(exception, "compensation", compensation_points=50)
        card = self.env["loyalty.card"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("program_id", "=", self.company.retail_loyalty_program_id.id),
            ]
        )
        self.assertEqual(
            card.history_ids.filtered(lambda h: h.retail_kind == "compensation").issued, 50.0
        )
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            self._resolve_exception(exception, "compensation", compensation_points=50)
        self.assertEqual(
            len(card.history_ids.filtered(lambda h: h.retail_kind == "compensation")), 1
        )

    def test_cancel_and_wait_resolutions(self):
        order = self._order()
        exception = self._of(order, "stock")
        with self.assertRaisesMessage(UserError, "Write why the order is cancelled"):
            self._resolve_exception(exception, "cancel")
        self.assertEqual(order.state, "sale", "nothing written")
        with self.assertRaisesMessage(UserError, "promised date"):
            self._resolve_exception(
                exception, "wait", promised_date=fields.Date.today() - timedelta(days=1)
            )
        self._resolve_exception(
            exception, "wait", promised_date=fields.Date.today() + timedelta(days=10)
        )
        self.assertEqual(exception.state, "in_progress")
        self.assertEqual(order.picking_ids.scheduled_date.date(), exception.promised_date)
        self._resolve_exception(exception, "cancel", note="Customer changed her mind")
        self.assertEqual(exception.resolution_note, "Customer changed her mind")
        self.assertEqual((order.state, exception.state), ("cancel", "resolved"))
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            exception.action_cancel()

    def test_resolution_wizard_from_the_form_button(self):
        """The form's "Wait for Restock" button opens the wizard for this
        exception and resolution; applying it records the decision."""
        order = self._order()
        exception = self._of(order, "stock")
        action = exception.with_context(retail_resolution="wait").action_resolve()
        self.assertEqual(action["res_model"], "retail.order.exception.resolve")
        promised = fields.Date.today() + timedelta(days=5)
        with Form(self.env[action["res_model"]].with_context(**action["context"])) as wizard:
            self.assertEqual(wizard.exception_id, exception)
            self.assertEqual(wizard.resolution, "wait")
            wizard.promised_date = promised
        wizard.record.action_apply()
        self.assertEqual((exception.state, exception.resolution), ("in_progress", "wait"))
        self.assertEqual(exception.promised_date, promised)
        self.assertEqual(order.commitment_date.date(), promised)

    def test_resolution_wizard_refuses_other_users(self):
        """Salespeople, cashiers and portal users have no access to the wizard;
        a retail user of another company cannot resolve this company's
        exception through it. Nothing is written."""
        exception = self._of(self._order(), "stock")
        users = [
            self._retail_user("res_sales", "base.group_user,sales_team.group_sale_salesman"),
            self._retail_user("res_cashier", "base.group_user,point_of_sale.group_pos_user"),
            self._retail_user("res_portal", "base.group_portal"),
            self._retail_user(
                "res_other", "retail_customer_mgmt.group_retail_user", company=self.company_2
            ),
        ]
        for user in users:
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._resolve_exception(exception, "compensation", user, compensation_points=10)
        self.assertEqual(exception.state, "new")
        self.assertFalse(self.env["loyalty.history"].search([("retail_kind", "=", "compensation")]))

    def test_refund_resolution(self):
        self.env["stock.quant"]._update_available_quantity(
            self.tea, self.warehouse.lot_stock_id, 10
        )
        order = self._order(qty=4.0)  # 200
        exception = self.Exception.create(
            {
                "sale_order_id": order.id,
                "partner_id": self.customer.id,
                "exception_type": "abnormal",
                "company_id": self.company.id,
            }
        )
        with self.assertRaisesMessage(UserError, "Invoice the order"):
            self._resolve_exception(exception, "refund", refund_amount=50.0)
        picking = order.picking_ids
        self._validate_picking(picking)
        order._create_invoices().action_post()
        with self.assertRaisesMessage(UserError, "at most"):
            self._resolve_exception(exception, "refund", refund_amount=250.0)
        self.assertFalse(exception.refund_move_id, "nothing written")
        self._resolve_exception(exception, "refund", refund_amount=50.0)
        credit_note = exception.refund_move_id
        self.assertEqual(
            (credit_note.move_type, credit_note.state, credit_note.amount_total),
            ("out_refund", "posted", 50.0),
        )
        self.assertEqual(exception.state, "resolved")
        card = self.env["loyalty.card"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("program_id", "=", self.company.retail_loyalty_program_id.id),
            ]
        )
        self.assertEqual(card.points, 150.0, "a quarter refunded: a quarter of the points back")

    def test_partial_delivery_keeps_the_rest_on_a_backorder(self):
        order = self._order(qty=5.0)
        exception = self._of(order, "stock")
        with self.assertRaisesMessage(UserError, "Nothing of"):
            self._resolve_exception(exception, "partial")
        self.assertEqual(exception.state, "new", "nothing written")
        self._stock(3)
        self._resolve_exception(
            exception, "partial", promised_date=fields.Date.today() + timedelta(days=7)
        )
        delivered = order.picking_ids.filtered(lambda p: p.state == "done")
        self.assertEqual(delivered.move_ids.quantity, 3.0)
        backorder = exception.backorder_picking_ids
        self.assertEqual(backorder.backorder_id, delivered)
        self.assertEqual(backorder.move_ids.product_uom_qty, 2.0)
        self.assertEqual(backorder.scheduled_date.date(), exception.promised_date)
        self.assertEqual((exception.state, exception.resolution), ("resolved", "partial"))
        self.assertEqual(order.order_line.qty_delivered, 3.0)
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            self._resolve_exception(exception, "partial")  # the double click
        self.assertEqual(len(order.picking_ids), 2, "no second delivery")

    def test_exchange_creates_return_and_replacement(self):
        self._stock(10)
        order = self._order(qty=3.0)
        exception = self._exception(order, product_id=self.tea.id, quantity=1.0)
        with self.assertRaisesMessage(UserError, "not delivered yet"):
            self._resolve_exception(exception, "exchange", quantity=0.0)
        self._validate_picking(order.picking_ids)
        with self.assertRaisesMessage(UserError, "between 0 and 3.0"):
            self._resolve_exception(exception, "exchange", quantity=4.0)
        self.assertEqual(len(order.picking_ids), 1, "nothing written")
        self._resolve_exception(exception, "exchange")  # 1.0, the exception's quantity
        returned = exception.return_picking_id
        self.assertEqual(returned.picking_type_code, "incoming")
        self.assertEqual(returned.move_ids.product_uom_qty, 1.0)
        replacement = exception.replacement_picking_ids
        self.assertEqual(replacement.picking_type_code, "outgoing")
        self.assertEqual(replacement.move_ids.product_uom_qty, 1.0)
        self.assertEqual(replacement.sale_id, order)
        self.assertEqual((exception.state, exception.resolution), ("resolved", "exchange"))
        with self.assertRaisesMessage(UserError, "cannot be changed"):
            self._resolve_exception(exception, "exchange")
        self.assertEqual(len(order.picking_ids), 3, "one return, one replacement")
        # the goods come back and leave again: the customer still has 3
        self._validate_picking(returned)
        self._validate_picking(replacement)
        self.assertEqual(order.order_line.qty_delivered, 3.0)

    def test_pos_refund_resolution(self):
        pos_order = self._pos(
            self.customer, 100.0, fields.Datetime.to_string(fields.Datetime.now())
        )
        card = self.env["loyalty.card"].search(
            [
                ("partner_id", "=", self.customer.id),
                ("program_id", "=", self.company.retail_loyalty_program_id.id),
            ]
        )
        self.assertEqual(card.points, 100.0)
        product = pos_order.lines.product_id
        exception = self._exception(pos_order_id=pos_order.id, product_id=product.id)
        with self.assertRaisesMessage(UserError, "between 0 and"):
            self._resolve_exception(exception, "refund", quantity=5.0)
        self.assertFalse(pos_order.refund_orders_count, "nothing written")
        self._resolve_exception(exception, "refund", quantity=0.0)
        refund = exception.refund_pos_order_id
        self.assertEqual(refund.state, "paid")
        self.assertEqual(refund.amount_total, -100.0)
        self.assertEqual(refund.lines.refunded_orderline_id, pos_order.lines)
        self.assertEqual(card.points, 0.0, "the refund takes back what the order earned")
        self.assertEqual((exception.state, exception.resolution), ("resolved", "refund"))
        other = self._exception(pos_order_id=pos_order.id)
        with self.assertRaisesMessage(UserError, "Nothing of"):
            self._resolve_exception(other, "refund")

    def test_customer_counts_open_exceptions(self):
        order = self._order()
        open_ones = self.Exception.search(
            [("sale_order_id", "=", order.id), ("state", "in", ("new", "notified", "in_progress"))]
        )
        self.assertIn(self._of(order, "stock"), open_ones)
        user = self._retail_user("exc_user", "retail_customer_mgmt.group_retail_user")
        partner = self.customer.with_user(user)
        self.assertEqual(partner.retail_open_exception_count, len(open_ones))
        action = partner.action_retail_view_exceptions()
        self.assertEqual(self.Exception.search(action["domain"]), open_ones)
        open_ones.action_cancel()
        partner.invalidate_recordset()
        self.assertEqual(partner.retail_open_exception_count, 0)

    def test_scan_query_count_does_not_grow_with_orders(self):
        """The scheduled scan reads all open deliveries at once."""

        def scan_queries(count):
            orders = self.env["sale.order"].browse()
            for _i in range(count):
                orders |= self._order(qty=1.0)
            orders.picking_ids.write({"scheduled_date": fields.Datetime.now() - timedelta(days=3)})
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            self.Exception._cron_retail_detect()
            self.env.flush_all()
            return self.env.cr.sql_log_count - before

        self._stock(-100)  # nothing in stock: every order is short and late
        scan_queries(1)  # warm-up (the demo orders' exceptions)
        # Each size is measured more than once and its fewest queries kept:
        # a scan sometimes pays a dozen extra queries refilling Odoo's caches
        # (seen 32 against 45 for the same single order on the demo data),
        # which is noise, not growth with the orders.
        one = min(scan_queries(1) for _i in range(3))
        many = min(scan_queries(25) for _i in range(2))
        # A query per new order or exception would add 24 queries or more:
        # the bound is half a query per extra order.
        self.assertLess(abs(many - one), 12, f"{one} queries for 1 new order, {many} for 25")

    def test_orders_entered_before_the_detection_date_are_not_flagged(self):
        """Installing the addon does not flag the shop's historical orders (nor
        Odoo's demo orders): only orders entered since "Detect Exceptions Since"
        open exceptions; the exceptions already open still close."""
        order = self._order()  # nothing in stock: short
        flagged = self._of(order, "stock")
        self.assertTrue(flagged, "an order entered after the date is flagged")
        old = self._order(partner=self.env["res.partner"].create({"name": "No Address Ma"}))
        old_flagged = self._of(old, "stock") | self._of(old, "address")
        self.assertEqual(len(old_flagged), 2)
        old_flagged.action_cancel()
        later = old.create_date + timedelta(seconds=1)
        self.company.retail_exception_since = later
        self.Exception._cron_retail_detect()
        self.assertFalse(self._of(old, "stock").filtered(lambda e: e.state == "new"))
        self.assertFalse(self._of(old, "address").filtered(lambda e: e.state == "new"))
        fresh = self._order(partner=self.env["res.partner"].create({"name": "No Address Ni"}))
        self.assertFalse(self._of(fresh, "address"), "confirmed now, but entered before the date")
        self.assertEqual(flagged.state, "new", "an open exception stays open while short")
        self._stock(10)
        self.Exception._cron_retail_detect()
        self.assertEqual((flagged.state, flagged.resolution), ("resolved", "auto"))
        # an empty date scans every order again
        self.company.retail_exception_since = False
        self.Exception._cron_retail_detect()
        self.assertTrue(self._of(old, "address").filtered(lambda e: e.state == "new"))
        self.assertTrue(self._of(fresh, "address").filtered(lambda e: e.state == "new"))

    def test_detection_date_defaults_to_the_company_creation(self):
        company = self.env["res.company"].create({"name": "New Shop Ltd"})
        self.assertEqual(company.retail_exception_since, self.env.cr.now())
