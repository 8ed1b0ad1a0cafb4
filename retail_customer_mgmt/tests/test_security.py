from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RetailCommon

RETAIL_FIELDS = ("retail_lifetime_spend", "retail_birthday", "retail_consent_email")


@tagged("post_install", "-at_install")
class TestRetailSecurity(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Li Na",
                "retail_birthday": "1979-11-02",
                "retail_consent_email": True,
            }
        )
        cls._sale(cls.customer, 250.0, "2025-10-10 10:00:00")
        cls.salesman = cls._retail_user("salesman", "sales_team.group_sale_salesman")
        cls.retail_user = cls._retail_user(
            "retail_user", "sales_team.group_sale_salesman,retail_customer_mgmt.group_retail_user"
        )
        cls.retail_manager = cls._retail_user(
            "retail_manager", "retail_customer_mgmt.group_retail_manager"
        )
        cls.sale_manager = cls._retail_user("sale_manager", "sales_team.group_sale_manager")
        cls.pos_manager = cls._retail_user("pos_manager", "point_of_sale.group_pos_manager")

    def test_salesman_without_retail_rights_cannot_read(self):
        customer = self.customer.with_user(self.salesman)
        self.assertEqual(customer.name, "Li Na", "the contact itself stays readable")
        for fname in RETAIL_FIELDS:
            with self.assertRaises(AccessError, msg=fname):
                customer.read([fname])
        self.assertFalse(set(RETAIL_FIELDS) & set(customer.fields_get()))
        with self.assertRaises(AccessError):
            customer.write({"retail_birthday": "1979-11-03"})

    def test_retail_roles_can_read(self):
        for user in (self.retail_user, self.retail_manager, self.sale_manager, self.pos_manager):
            values = self.customer.with_user(user).read(list(RETAIL_FIELDS))[0]
            self.assertEqual(values["retail_lifetime_spend"], 250.0, user.login)
            self.assertEqual(str(values["retail_birthday"]), "1979-11-02", user.login)
            self.assertTrue(values["retail_consent_email"], user.login)

    def test_group_implications(self):
        user_group = self.env.ref("retail_customer_mgmt.group_retail_user")
        manager_group = self.env.ref("retail_customer_mgmt.group_retail_manager")
        self.assertIn(user_group, manager_group.implied_ids)
        self.assertTrue(self.sale_manager.has_group("retail_customer_mgmt.group_retail_user"))
        self.assertFalse(self.sale_manager.has_group("retail_customer_mgmt.group_retail_manager"))
        self.assertTrue(self.pos_manager.has_group("retail_customer_mgmt.group_retail_user"))
        self.assertFalse(self.salesman.has_group("retail_customer_mgmt.group_retail_user"))
        self.assertTrue(
            self.env.ref("base.user_admin").has_group("retail_customer_mgmt.group_retail_manager")
        )

    def test_retail_menu_visibility(self):
        menu = self.env.ref("retail_customer_mgmt.retail_root_menu")
        Menu = self.env["ir.ui.menu"]
        self.assertNotIn(menu.id, Menu.with_user(self.salesman)._visible_menu_ids())
        self.assertIn(menu.id, Menu.with_user(self.retail_user)._visible_menu_ids())
        settings_menu = self.env.ref("retail_customer_mgmt.retail_config_settings_menu")
        self.assertNotIn(settings_menu.id, Menu.with_user(self.retail_user)._visible_menu_ids())
        admin = self._retail_user(
            "retail_admin", "base.group_system,retail_customer_mgmt.group_retail_manager"
        )
        self.assertIn(settings_menu.id, Menu.with_user(admin)._visible_menu_ids())

    def test_every_module_model_is_secured(self):
        """Each model of the module has access rights for the retail groups and,
        when it holds a company, a multi-company record rule. Abstract models
        (the KPI report, the XLSX exports) hold no records: as Odoo's own
        check at install, they need no access rights."""
        own = (
            self.env["ir.model"]
            .search([("model", "=like", "retail.%"), ("transient", "=", False)])
            .filtered(lambda model: not self.env[model.model]._abstract)
        )
        # abstract models (mixins) hold no records: nothing to secure
        own = own.filtered(lambda model: not self.env[model.model]._abstract)
        self.assertGreaterEqual(len(own), 8)
        user_group = self.env.ref("retail_customer_mgmt.group_retail_user")
        manager_group = self.env.ref("retail_customer_mgmt.group_retail_manager")
        # the public form's log (IP and email addresses, kept a day to limit
        # submissions) and the log of exports, copies and forgets are for
        # managers only
        manager_only = {"retail.feedback.submission", "retail.privacy.log"}
        for model in own:
            groups = model.access_ids.group_id
            if model.model in manager_only:
                self.assertEqual(groups, manager_group, model.model)
            else:
                self.assertIn(user_group, groups, model.model)
            self.assertIn(manager_group, groups, model.model)
            if "company_id" in self.env[model.model]._fields:
                self.assertTrue(
                    model.rule_ids.filtered(lambda r: "company_ids" in (r.domain_force or "")),
                    f"{model.model} has no multi-company rule",
                )
        portal = self._retail_user("sec_portal", "base.group_portal")
        for model in own:
            self.assertFalse(
                self.env[model.model].with_user(portal).has_access("read"), model.model
            )


@tagged("post_install", "-at_install")
class TestRetailUserLimits(RetailCommon):
    """What a retail user (no manager rights) may not change, and the
    multi-company rules at work: each user sees the records of the
    companies they work in, and of the active ones only."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.retail_user = cls._retail_user("limits_user", "retail_customer_mgmt.group_retail_user")
        cls.customer = cls.env["res.partner"].create({"name": "Limits Lu"})
        cls.records = {}
        for company in (cls.company_1, cls.company_2):
            tier = cls.env["retail.tier"].create(
                {"name": f"Jade {company.name}", "min_spend": 99999, "company_id": company.id}
            )
            segment = cls.env["retail.segment"].create(
                {
                    "name": f"Tea fans {company.name}",
                    "code": f"fans{company.id}",
                    "company_id": company.id,
                }
            )
            sla = cls.env["retail.feedback.sla"].create(
                {"feedback_type": "inquiry", "priority": "1", "hours": 8, "company_id": company.id}
            )
            # sudo: grades are written by the regrade only
            grade = (
                cls.env["retail.customer.grade"]
                .sudo()
                .create(
                    {
                        "partner_id": cls.customer.id,
                        "company_id": company.id,
                        "segment_id": segment.id,
                    }
                )
            )
            ticket = cls.env["retail.feedback"].create(
                {
                    "subject": f"Ask {company.name}",
                    "partner_id": cls.customer.id,
                    "company_id": company.id,
                }
            )
            card = cls.env["loyalty.card"]._retail_cards_for(
                cls.customer, company._retail_get_program()
            )[cls.customer]
            cls.records[company] = {
                "retail.tier": tier,
                "retail.segment": segment,
                "retail.feedback.sla": sla,
                "retail.customer.grade": grade,
                "retail.feedback": ticket,
                "loyalty.card": card,
            }

    def test_retail_user_cannot_change_configuration_grades_or_cards(self):
        mine = self.records[self.company_1]
        attempts = {
            "retail.tier": ({"min_spend": 1}, {"name": "Fake", "company_id": self.company_1.id}),
            "retail.segment": ({"name": "Renamed"}, {"name": "Fake", "code": "fake"}),
            "retail.feedback.sla": (
                {"hours": 1000},
                {"feedback_type": "praise", "hours": 1, "company_id": self.company_1.id},
            ),
            "retail.customer.grade": (
                {"r_score": 5},
                {"partner_id": self.customer.id, "company_id": self.company_1.id},
            ),
            "loyalty.card": (
                {"points": 1000},
                {"partner_id": self.customer.id, "program_id": mine["loyalty.card"].program_id.id},
            ),
        }
        for model, (write_vals, create_vals) in attempts.items():
            record = mine[model].with_user(self.retail_user)
            before = record.sudo().read(list(write_vals))[0]
            self.assertTrue(record.read(["id"]), f"{model} is readable")
            with self.subTest(model=model, operation="write"), self.assertRaises(AccessError):
                record.write(write_vals)
            with self.subTest(model=model, operation="create"), self.assertRaises(AccessError):
                record.create(create_vals)
            with self.subTest(model=model, operation="unlink"), self.assertRaises(AccessError):
                record.unlink()
            record.invalidate_recordset()
            self.assertEqual(record.sudo().read(list(write_vals))[0], before, model)
            self.assertTrue(record.exists())

    def test_company_rules_at_work(self):
        models = [
            "retail.tier",
            "retail.segment",
            "retail.feedback.sla",
            "retail.customer.grade",
            "retail.feedback",
        ]
        theirs = self.records[self.company_2]
        for model in models:
            env = self.env[model].with_user(self.retail_user)
            with self.subTest(model=model):
                self.assertEqual(
                    env.search([("id", "in", theirs[model].ids)]),
                    env.browse(),
                    "not found in search",
                )
                with self.assertRaises(AccessError):
                    env.browse(theirs[model].id).read(["display_name"])
        # a user of both companies sees the active ones only
        both = self._retail_user("limits_both", "retail_customer_mgmt.group_retail_user")
        both.company_ids = self.company_1 | self.company_2
        for model in models:
            records = self.records[self.company_1][model] | theirs[model]
            one = (
                self.env[model].with_user(both).with_context(allowed_company_ids=self.company_1.ids)
            )
            two = (
                self.env[model]
                .with_user(both)
                .with_context(allowed_company_ids=(self.company_1 | self.company_2).ids)
            )
            with self.subTest(model=model):
                self.assertEqual(
                    one.search([("id", "in", records.ids)]), self.records[self.company_1][model]
                )
                self.assertEqual(len(two.search([("id", "in", records.ids)])), 2)
