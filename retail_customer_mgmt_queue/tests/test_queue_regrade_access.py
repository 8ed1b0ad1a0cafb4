"""Who can start, perform or read the queued regrade over RPC."""

from xmlrpc.client import Fault

from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestQueueRegradeAccess(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.other_company = cls.env["res.company"].create({"name": "Retail Queue Other"})
        cls.users = {
            "salesperson": "sales_team.group_sale_salesman",
            "cashier": "point_of_sale.group_pos_user",
            "portal": "base.group_portal",
            "manager": "retail_customer_mgmt.group_retail_manager",
        }
        for login, group in list(cls.users.items()):
            cls.users[login] = new_test_user(cls.env, login=f"rq_{login}", groups=group)
        cls.users["other_manager"] = new_test_user(
            cls.env,
            login="rq_other_manager",
            groups="retail_customer_mgmt.group_retail_manager",
            company_id=cls.other_company.id,
            company_ids=[(6, 0, cls.other_company.ids)],
        )
        cls.grade_run = cls.env["retail.grade.run"].create({"company_id": cls.company.id})
        cls.batch = cls.env["retail.grade.run.batch"].create(
            {"run_id": cls.grade_run.id, "low": 0, "high": 2**31 - 1}
        )

    def _rpc(self, login, model, method, *args):
        user = self.users[login]
        return self.xmlrpc_object.execute(
            self.env.cr.dbname, user.id, user.login, model, method, *args
        )

    def test_nobody_enqueues_or_performs_over_rpc(self):
        calls = [
            ("retail.grade.run", "_cron_retail_regrade"),
            ("retail.grade.run", "_retail_queue_stage", self.company.id),
            ("retail.grade.run", "_retail_queue_close", [self.grade_run.id]),
            ("retail.grade.run.batch", "_retail_queue_grade", [self.batch.id]),
            ("retail.recommendation", "_cron_retail_refresh"),
            ("retail.recommendation", "_retail_queue_refresh", self.company.id),
        ]
        for login in self.users:
            for model, method, *args in calls:
                with (
                    self.subTest(login=login, method=method),
                    self.assertRaisesRegex(Fault, "Private methods"),
                ):
                    self._rpc(login, model, method, *args)
        self.assertEqual(self.batch.state, "todo")
        self.assertFalse(
            self.env["queue.job"]
            .sudo()
            .search([])
            .filtered(
                lambda job: job.identity_key and job.identity_key.startswith("retail.grade.run:")
            )
        )

    def test_batches_readable_by_retail_users_of_the_company_only(self):
        fields = ["low", "high", "state"]
        for login in ("salesperson", "cashier", "portal"):
            with self.subTest(login=login), self.assertRaisesRegex(Fault, "not allowed"):
                self._rpc(login, "retail.grade.run.batch", "search_read", [], fields)
        rows = self._rpc("manager", "retail.grade.run.batch", "search_read", [], fields)
        self.assertIn(self.batch.id, [row["id"] for row in rows])
        rows = self._rpc("other_manager", "retail.grade.run.batch", "search_read", [], fields)
        self.assertNotIn(self.batch.id, [row["id"] for row in rows])
        for login in ("manager", "other_manager"):
            for method, args in (
                ("create", [{"run_id": self.grade_run.id, "low": 5, "high": 9}]),
                ("write", [[self.batch.id], {"state": "done"}]),
                ("unlink", [[self.batch.id]]),
            ):
                with self.subTest(login=login, method=method), self.assertRaises(Fault):
                    self._rpc(login, "retail.grade.run.batch", method, *args)
        self.assertEqual(self.batch.state, "todo")
        self.assertEqual(self.grade_run.batch_ids, self.batch)
