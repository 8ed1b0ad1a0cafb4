import logging
from collections import defaultdict

from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RetailCommon

_logger = logging.getLogger(__name__)

MODULE = "retail_customer_mgmt"

# Odoo's standard groups, each given alone (least rights) to one user;
# internal users also hold "Internal User", as every employee does.
STANDARD_GROUPS = {
    "employee": "base.group_user",
    "salesperson": "base.group_user,sales_team.group_sale_salesman",
    "sales_manager": "base.group_user,sales_team.group_sale_manager",
    "cashier": "base.group_user,point_of_sale.group_pos_user",
    "pos_manager": "base.group_user,point_of_sale.group_pos_manager",
    "stock_user": "base.group_user,stock.group_stock_user",
    "stock_manager": "base.group_user,stock.group_stock_manager",
    "billing": "base.group_user,account.group_account_invoice",
    "billing_manager": "base.group_user,account.group_account_manager",
    "survey_user": "base.group_user,survey.group_survey_user",
    "portal": "base.group_portal",
}

# Records whose fields added by the addon each role must read (its own
# order, its own partner...): keeps the test from passing by reading nothing.
MUST_READ = {
    "employee": {"res.partner", "res.company", "res.users", "product.template"},
    "salesperson": {
        "sale.order",
        "res.partner",
        "product.template",
        "product.product",
        "loyalty.card",
        "stock.warehouse",
    },
    "sales_manager": {"sale.order", "res.partner", "loyalty.card", "loyalty.history"},
    "cashier": {"pos.order", "res.partner", "product.product", "loyalty.card"},
    "pos_manager": {"pos.order", "res.partner", "loyalty.card", "loyalty.history"},
    "stock_user": {"product.template", "product.product", "stock.warehouse"},
    "stock_manager": {"product.template", "stock.warehouse"},
    "billing": {"res.partner", "product.template"},
    "billing_manager": {"res.partner", "res.company"},
    "survey_user": {"survey.question", "survey.user_input", "res.partner"},
    "portal": {"res.partner", "res.users"},
}

# Whole records these roles read with Odoo alone (Odoo's own tests read some
# of them, e.g. sale's TestAccessRights): the addon must not break them. (Odoo
# itself refuses many other pairs a whole read, e.g. a partner to salespeople
# because of its POS orders; the test logs them.)
MUST_READ_WHOLE = {
    "salesperson": {"sale.order", "product.template", "stock.warehouse", "res.company"},
    "sales_manager": {"sale.order", "product.template", "res.company"},
    "cashier": {"pos.order", "res.company"},
    "pos_manager": {"pos.order", "res.partner", "loyalty.card", "res.company"},
    "stock_user": {"stock.warehouse", "product.template"},
    "stock_manager": {"stock.warehouse", "product.template"},
    "billing": {"res.company"},
    "survey_user": {"survey.question", "survey.user_input"},
}


@tagged("post_install", "-at_install")
class TestAddedFieldsReadable(RetailCommon):
    """Every field the addon adds to Odoo's models is readable by whoever
    reads the record, or restricted with ``groups=``: a whole-record
    ``read()`` (RPC clients, exports, Odoo's own tests) never fails on it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: cls._retail_user(f"access_{role}", group)
            for role, group in STANDARD_GROUPS.items()
        }
        cls.customer = cls.users["portal"].partner_id
        cls.order = cls._sale(cls.customer, 300.0, "2025-11-02 10:00:00", confirm=False)
        cls.order.user_id = cls.users["salesperson"]
        cls.order.action_confirm()
        cls.feedback = cls.env["retail.feedback"].create(
            {
                "subject": "Chipped cup",
                "partner_id": cls.customer.id,
                "sale_order_id": cls.order.id,
            }
        )
        cls.pos_order = cls._pos(cls.customer, 80.0, "2025-11-03 10:00:00")
        cls.card = cls.env["loyalty.card"].search(
            [
                ("partner_id", "=", cls.customer.id),
                ("program_id", "=", cls.company_1.retail_loyalty_program_id.id),
            ]
        )
        cls.records = {
            "sale.order": cls.order,
            "res.partner": cls.customer,
            "pos.order": cls.pos_order,
            "product.template": cls.product.product_tmpl_id,
            "product.product": cls.product,
            "product.category": cls.product.categ_id,
            "repair.order": cls.env["repair.order"].create(
                {"partner_id": cls.customer.id, "product_id": cls.product.id}
            ),
            "stock.warehouse": cls.env["stock.warehouse"].search(
                [("company_id", "=", cls.company_1.id)], limit=1
            ),
            "loyalty.card": cls.card,
            "loyalty.history": cls.card.history_ids,
            "res.company": cls.company_1,
            # each user reads their own user record (see _records_for)
            "res.users": cls.env["res.users"],
            # Settings: only administrators read them; no standard group here does
            "res.config.settings": cls.env["res.config.settings"].create({}),
            # Email Marketing: only marketing users read mailings
            "mailing.mailing": cls.env["mailing.mailing"].create(
                {
                    "subject": "Tea week",
                    "mailing_model_id": cls.env["ir.model"]._get_id("res.partner"),
                    "body_html": "<p>Tea week</p>",
                }
            ),
            "loyalty.program": cls.env["loyalty.program"].create(
                {"name": "Tea week", "program_type": "promotion"}
            ),
            # Survey: the satisfaction survey's measured question and a
            # response sent after the ticket (only survey users read them)
            "survey.question": cls.env.ref(
                "retail_customer_mgmt.survey_retail_satisfaction_recommend"
            ),
            "survey.user_input": cls.env.ref("retail_customer_mgmt.survey_retail_satisfaction")
            .sudo()
            ._create_answer(
                partner=cls.customer,
                check_attempts=False,
                retail_company_id=cls.company_1.id,
                retail_trigger="ticket",
                retail_feedback_id=cls.feedback.id,
            ),
        }

    @classmethod
    def _added_fields(cls):
        """{model: [field names]} of the fields this addon adds to (or
        redefines on) models of other modules, found in the registry so that
        a future field is covered without changing the test."""
        added = defaultdict(list)
        for model_name in cls.env.registry:
            Model = cls.env[model_name]
            if Model._abstract or Model._original_module == MODULE:
                continue
            for name, field in Model._fields.items():
                if MODULE in (field._modules or ()):
                    added[model_name].append(name)
        return added

    def _records_for(self, model_name, user):
        if model_name == "res.users":
            return user
        return self.records[model_name]

    def test_added_fields_are_found(self):
        added = self._added_fields()
        self.assertIn("retail_feedback_count", added["sale.order"])
        self.assertIn("retail_points_earned", added["pos.order"])
        self.assertIn("retail_stock_alert_count", added["product.product"], "via _inherits")
        self.assertIn("retail_tier_id", added["res.users"], "via _inherits")
        missing = set(added) - set(self.records)
        self.assertFalse(missing, "add a record of these models to the test")
        # every prepared record exists, so nothing below reads an empty recordset
        for model_name, records in self.records.items():
            if model_name != "res.users":
                self.assertTrue(records, model_name)

    def test_whole_record_read_for_each_standard_group(self):
        """For each standard group and each record it may read: the addon's
        fields it may see read at once, with the administrator's values, and
        the whole record reads whenever Odoo's own fields do (some of Odoo's
        own fields already refuse a whole read to some groups, e.g. a
        partner's POS orders to salespeople: not the addon's doing)."""
        added = self._added_fields()
        for role, user in self.users.items():
            read_models, whole_models = set(), set()
            for model_name, field_names in added.items():
                records = self._records_for(model_name, user).with_user(user)
                if not records.has_access("read"):
                    continue
                readable = records._filtered_access("read")
                if not readable:
                    continue
                visible = [
                    name
                    for name in field_names
                    if readable._fields[name].is_accessible(readable.env)
                ]
                with self.subTest(role=role, model=model_name):
                    # (read([]) would read the whole record: only when some are visible)
                    if visible:
                        try:
                            values = readable.read(visible)
                        except AccessError as error:
                            self.fail(
                                f"{role} cannot read the retail fields of {model_name}: {error}"
                            )
                        read_models.add(model_name)
                        # the values the user reads are the administrator's
                        # (computed again, not taken from the cache)
                        readable.invalidate_recordset()
                        self.assertEqual(values, readable.sudo().read(visible))
                    odoo_fields = [
                        name
                        for name, field in readable._fields.items()
                        if name not in field_names and field.is_accessible(readable.env)
                    ]
                    try:
                        readable.read(odoo_fields)
                    except AccessError:
                        _logger.info("Odoo alone refuses %s a whole %s", role, model_name)
                        continue
                    readable.invalidate_recordset()
                    try:
                        whole = readable.read()
                    except AccessError as error:
                        self.fail(f"{role} cannot read a whole {model_name}: {error}")
                    whole_models.add(model_name)
                    read_models.add(model_name)
                    self.assertEqual(set(field_names) & set(whole[0]), set(visible))
            with self.subTest(role=role):
                self.assertLessEqual(MUST_READ[role], read_models)
                self.assertLessEqual(MUST_READ_WHOLE.get(role, set()), whole_models)

    def test_retail_fields_of_orders_by_group(self):
        """Salespeople read their order without the retail tickets and
        exceptions they may not open; sales managers (retail users) see them;
        cashiers read the server's points of a POS order."""
        own = self.order.with_user(self.users["salesperson"]).read()[0]
        self.assertEqual(own["name"], self.order.name)
        self.assertNotIn("retail_feedback_ids", own)
        self.assertNotIn("retail_exception_count", own)
        with self.assertRaises(AccessError):
            self.order.with_user(self.users["salesperson"]).read(["retail_feedback_count"])

        managed = self.order.with_user(self.users["sales_manager"]).read()[0]
        self.assertEqual(managed["retail_feedback_ids"], self.feedback.ids)
        self.assertEqual(managed["retail_feedback_count"], 1)
        self.assertIn("retail_exception_count", managed)

        pos = self.pos_order.with_user(self.users["cashier"]).read()[0]
        earned = self.card.history_ids.filtered(
            lambda line: line.retail_pos_order_id == self.pos_order
        )
        self.assertEqual(earned.retail_kind, "earn")
        self.assertGreater(earned.issued, 0)
        self.assertEqual(pos["retail_points_earned"], earned.issued)
        self.assertEqual(pos["retail_points_balance"], self.card.points)

        template = self.product.product_tmpl_id
        product = template.with_user(self.users["salesperson"]).read()[0]
        self.assertNotIn("retail_stock_alert_count", product)
        stock = self.product.with_user(self.users["stock_user"])
        self.assertEqual(stock.read(["retail_stock_alert_count"])[0]["retail_stock_alert_count"], 0)

    def test_pos_status_of_customers_by_group(self):
        """The POS copies of a customer's tier, points, segment, churn risk and
        consent are read by cashiers and retail users, not by other employees
        nor by the customer through the portal."""
        for role in ("cashier", "pos_manager", "sales_manager"):
            values = self.customer.with_user(self.users[role]).read(
                ["retail_pos_points", "retail_pos_tier"]
            )[0]
            self.assertEqual(values["retail_pos_points"], self.card.points, role)
            self.assertGreater(values["retail_pos_points"], 0, role)
            self.assertEqual(values["retail_pos_tier"], self.customer.retail_tier_id.name or False)
        for role in ("employee", "salesperson", "stock_user", "billing", "portal"):
            with self.assertRaises(AccessError, msg=role):
                self.customer.with_user(self.users[role]).read(["retail_pos_churn_risk"])
