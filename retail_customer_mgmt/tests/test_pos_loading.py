from datetime import date

from odoo.tests import freeze_time, tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestPosCustomerLoading(RetailCommon):
    """What the POS loads for its customers at start-up (Odoo's loader, as a
    cashier), with figures worked out by hand."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_1
        company.write({"retail_points_per_unit": 1.0, "retail_points_expiry_months": 0})
        Tier = cls.env["retail.tier"]
        Tier.search([("company_id", "=", company.id)]).active = False
        cls.jade = Tier.create(
            {
                "name": "Load Jade",
                "sequence": 1,
                "min_spend": 0,
                "points_multiplier": 1.0,
                "color": 4,
                "company_id": company.id,
            }
        )
        cls.cashier = cls._retail_user(
            "load_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        Partner = cls.env["res.partner"]
        cls.regular = Partner.create(
            {"name": "Load Regular Ren", "company_id": company.id, "retail_consent_sms": True}
        )
        cls.quiet = Partner.create({"name": "Load Quiet Qin", "company_id": company.id})
        # 40 + 60 spent at the till, 1 point per unit at x1: 100 points
        cls._pos(cls.regular, 40.0, "2026-10-03 10:00:00")
        cls._pos(cls.regular, 60.0, "2026-10-17 10:00:00")
        cls.regular.with_company(company).retail_tier_id = cls.jade
        cls.segment = cls.env["retail.segment"].search([("company_id", "=", company.id)], limit=1)
        # sudo: grades are written by the regrade only
        cls.env["retail.customer.grade"].sudo().create(
            {"partner_id": cls.regular.id, "company_id": company.id, "segment_id": cls.segment.id}
        )
        cls.config = cls.pos_configs[company][0]

    def _load(self, order_partners, limit):
        self.env["ir.config_parameter"].sudo().set_param(
            "point_of_sale.limited_customer_count", limit
        )
        Partner = self.env["res.partner"].with_user(self.cashier).with_company(self.company_1)
        data = {
            "pos.config": {"data": [{"id": self.config.id}]},
            "pos.order": {"data": [{"partner_id": p.id} for p in order_partners]},
        }
        return {row["id"]: row for row in Partner._load_pos_data(data)["data"]}

    def test_loaded_customers_carry_their_loyalty_status(self):
        with freeze_time("2026-10-20 12:00:00"):  # 3 days after the last purchase
            rows = self._load(self.regular | self.quiet, limit=3)
        # Odoo's limit (3), the cashier, and the customers of the open orders
        self.assertGreaterEqual(len(rows), 3)
        self.assertLessEqual(len(rows), 3 + 1 + 2)
        self.assertIn(self.cashier.partner_id.id, rows)
        regular, quiet = rows[self.regular.id], rows[self.quiet.id]
        self.assertEqual(
            {key: value for key, value in regular.items() if key.startswith("retail_pos_")},
            {
                "retail_pos_tier": "Load Jade",
                "retail_pos_tier_color": 4,
                "retail_pos_points": 100.0,
                "retail_pos_points_expiring": 0.0,
                "retail_pos_segment": self.segment.name,
                "retail_pos_churn_risk": False,
                "retail_pos_recommendations": False,
                "retail_pos_last_purchase": date(2026, 10, 17),
                "retail_pos_marketing_consent": True,
                # the service the till's card shows (issue 17)
                "retail_pos_vip": False,
                "retail_pos_open_tickets": 0,
                "retail_pos_open_exceptions": 0,
                "retail_pos_consents": "sms",
                "retail_pos_recommended_products": "[]",
                "retail_pos_account": self.regular.id,
            },
        )
        self.assertEqual(
            (
                quiet["retail_pos_tier"],
                quiet["retail_pos_points"],
                quiet["retail_pos_last_purchase"],
                quiet["retail_pos_marketing_consent"],
            ),
            (False, 0.0, False, False),
        )

    def test_limit_is_applied(self):
        rows = self._load(self.quiet, limit=2)
        others = set(rows) - {self.cashier.partner_id.id, self.quiet.id}
        self.assertTrue(others, "the most frequent customers are loaded")
        self.assertLessEqual(len(others), 2, "no more than Odoo's limit")
        self.assertIn(self.quiet.id, rows, "the customer of an open order, whatever the limit")
        self.assertEqual(rows[self.quiet.id]["retail_pos_points"], 0.0)
