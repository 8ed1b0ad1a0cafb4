from odoo.tests import tagged

from .committed_common import CommittedCase


@tagged("post_install", "-at_install")
class TestUniqueRaces(CommittedCase):
    """Two transactions open the same alert or exception at the same time:
    the database's unique index lets one in and stops the other."""

    def _cleanup(self, sql, ids):
        self._run(lambda env: env.cr.execute(sql, [ids]))

    def test_one_open_stock_alert_per_product_and_warehouse(self):
        def setup(env):
            company = env.ref("base.main_company")
            warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
            product = env["product.product"].create(
                {"name": f"Race tea {self.tag}", "is_storable": True, "company_id": company.id}
            )
            return company.id, warehouse.id, product.id

        company_id, warehouse_id, product_id = self._run(setup)
        self.addCleanup(
            self._cleanup,
            "DELETE FROM product_template WHERE id IN "
            "(SELECT product_tmpl_id FROM product_product WHERE id = ANY(%s))",
            [product_id],
        )
        self.addCleanup(
            self._cleanup, "DELETE FROM retail_stock_alert WHERE product_id = ANY(%s)", [product_id]
        )

        seen = []

        def open_alert(env, barrier):
            Alert = env["retail.stock.alert"]
            seen.append(
                Alert.search_count([("product_id", "=", product_id), ("state", "=", "open")])
            )
            barrier.wait()
            Alert.create(
                {
                    "product_id": product_id,
                    "warehouse_id": warehouse_id,
                    "company_id": company_id,
                    "threshold": 5.0,
                }
            )

        _results, errors = self._in_threads([open_alert, open_alert])
        self.assertEqual(seen, [0, 0], "both saw no open alert before either wrote")
        self.assertUniqueViolation(errors)

        def state(env):
            alerts = env["retail.stock.alert"].search([("product_id", "=", product_id)])
            return alerts.mapped("state")

        self.assertEqual(self._run(state), ["open"])

        # once closed, a new alert may open: the index covers open alerts only
        def close_and_reopen(env):
            Alert = env["retail.stock.alert"]
            Alert.search([("product_id", "=", product_id)]).state = "closed"
            Alert.flush_model()  # the new alert is inserted by the ORM, after this UPDATE
            Alert.create(
                {
                    "product_id": product_id,
                    "warehouse_id": warehouse_id,
                    "company_id": company_id,
                    "threshold": 5.0,
                }
            )
            return sorted(Alert.search([("product_id", "=", product_id)]).mapped("state"))

        self.assertEqual(self._run(close_and_reopen), ["closed", "open"])

    def test_one_open_exception_per_order_and_type(self):
        def setup(env):
            company = env.ref("base.main_company")
            partner = env["res.partner"].create({"name": f"Race customer {self.tag}"})
            order = env["sale.order"].create({"partner_id": partner.id, "company_id": company.id})
            return company.id, partner.id, order.id

        company_id, partner_id, order_id = self._run(setup)
        self.addCleanup(self._cleanup, "DELETE FROM res_partner WHERE id = ANY(%s)", [partner_id])
        self.addCleanup(self._cleanup, "DELETE FROM sale_order WHERE id = ANY(%s)", [order_id])
        self.addCleanup(
            self._cleanup,
            "DELETE FROM retail_order_exception WHERE sale_order_id = ANY(%s)",
            [order_id],
        )

        seen = []

        def open_exception(env, barrier):
            Exception_ = env["retail.order.exception"]
            seen.append(Exception_.search_count([("sale_order_id", "=", order_id)]))
            barrier.wait()
            Exception_.create(
                {
                    "sale_order_id": order_id,
                    "partner_id": partner_id,
                    "company_id": company_id,
                    "exception_type": "address",
                }
            )

        _results, errors = self._in_threads([open_exception, open_exception])
        self.assertEqual(seen, [0, 0], "both saw no open exception before either wrote")
        self.assertUniqueViolation(errors)

        def count(env):
            return env["retail.order.exception"].search_count([("sale_order_id", "=", order_id)])

        self.assertEqual(self._run(count), 1)
