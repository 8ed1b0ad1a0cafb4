from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import RetailCommon

# what the till shows of a customer, and nothing more
POS_STATUS = {
    "retail_pos_tier",
    "retail_pos_tier_color",
    "retail_pos_points",
    "retail_pos_points_expiring",
    "retail_pos_segment",
    "retail_pos_churn_risk",
    "retail_pos_recommendations",
    "retail_pos_last_purchase",
    "retail_pos_marketing_consent",
    # the customer card's service fields (VIP priority, what is pending,
    # consents, recommended products, the account whose card is shared)
    "retail_pos_vip",
    "retail_pos_open_tickets",
    "retail_pos_open_exceptions",
    "retail_pos_consents",
    "retail_pos_recommended_products",
    "retail_pos_account",
}
PURCHASE_FIGURES = (
    "retail_lifetime_spend",
    "retail_order_count",
    "retail_average_basket",
    "retail_first_purchase_date",
    "retail_last_purchase_date",
    "retail_points",
    "retail_rfm_code",
)


@tagged("post_install", "-at_install")
class TestLeastPrivilege(RetailCommon):
    """Purchase figures (grades, spend, baskets) are read by retail users
    only; a cashier gets the loyalty status the till shows, through the POS
    data loading; other employees and portal users get neither. Direct
    ``search_read`` calls, as any RPC client makes them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company_1
        cls.customer = cls.env["res.partner"].create(
            {"name": "Least Li", "company_id": company.id, "retail_consent_sms": True}
        )
        cls._pos(cls.customer, 80.0, "2026-10-03 10:00:00")
        cls._pos(cls.customer, 40.0, "2026-10-17 10:00:00")
        # sudo: grades are written by the regrade only
        cls.grade = (
            cls.env["retail.customer.grade"]
            .sudo()
            .create(
                {
                    "partner_id": cls.customer.id,
                    "company_id": company.id,
                    "monetary": 120.0,
                    "lifetime_spend": 120.0,
                    "avg_basket": 60.0,
                    "order_count": 2,
                }
            )
        )
        cls.users = {
            role: cls._retail_user(f"least_{role}", groups)
            for role, groups in {
                "cashier": "base.group_user,point_of_sale.group_pos_user",
                "employee": "base.group_user",
                "salesperson": "base.group_user,sales_team.group_sale_salesman",
                "portal": "base.group_portal",
                "retail": "base.group_user,retail_customer_mgmt.group_retail_user",
            }.items()
        }
        cls.config = cls.pos_configs[company][0]

    def _partner_as(self, role):
        return self.env["res.partner"].with_user(self.users[role]).with_company(self.company_1)

    def test_grades_readable_by_retail_users_only(self):
        domain = [("partner_id", "=", self.customer.id)]
        for role in ("cashier", "employee", "salesperson", "portal"):
            Grade = self.env["retail.customer.grade"].with_user(self.users[role])
            with self.assertRaises(AccessError, msg=role):
                Grade.search_read(domain, ["monetary", "lifetime_spend", "avg_basket"])
            with self.assertRaises(AccessError, msg=role):
                Grade.read_group(domain, ["lifetime_spend:sum"], [])
        rows = (
            self.env["retail.customer.grade"]
            .with_user(self.users["retail"])
            .search_read(domain, ["monetary", "lifetime_spend", "avg_basket"])
        )
        self.assertEqual(
            [(row["monetary"], row["lifetime_spend"], row["avg_basket"]) for row in rows],
            [(120.0, 120.0, 60.0)],
        )

    def test_purchase_figures_of_customers_by_group(self):
        domain = [("id", "=", self.customer.id)]
        for role in ("cashier", "employee", "salesperson", "portal"):
            for fname in PURCHASE_FIGURES:
                with self.assertRaises(AccessError, msg=f"{role} {fname}"):
                    self._partner_as(role).search_read(domain, [fname])
        figures = self._partner_as("retail").search_read(domain, list(PURCHASE_FIGURES))[0]
        self.assertEqual(figures["retail_lifetime_spend"], 120.0)
        self.assertEqual(figures["retail_average_basket"], 60.0)

    def test_pos_status_by_group(self):
        domain = [("id", "=", self.customer.id)]
        for role in ("employee", "salesperson", "portal"):
            for fname in POS_STATUS:
                with self.assertRaises(AccessError, msg=f"{role} {fname}"):
                    self._partner_as(role).search_read(domain, [fname])
        # the till: what Odoo's loader gives the cashier
        Partner = self._partner_as("cashier")
        loaded = Partner._load_pos_data(
            {
                "pos.config": {"data": [{"id": self.config.id}]},
                "pos.order": {"data": [{"partner_id": self.customer.id}]},
            }
        )
        added = {fname for fname in loaded["fields"] if fname.startswith("retail_")}
        self.assertEqual(added, POS_STATUS, "the loyalty status the till shows, nothing else")
        row = next(row for row in loaded["data"] if row["id"] == self.customer.id)
        self.assertEqual(row["retail_pos_points"], 120.0)
        self.assertTrue(row["retail_pos_marketing_consent"])
        # the partner search of the till reads the same fields
        direct = Partner.search_read(domain, sorted(POS_STATUS))[0]
        self.assertEqual({key: direct[key] for key in POS_STATUS}, {k: row[k] for k in POS_STATUS})

    def test_segments_without_counts_for_cashiers(self):
        segment = self.env["retail.segment"]._segments_for(self.company_1)[:1]
        self.assertTrue(segment)
        Segment = self.env["retail.segment"].with_user(self.users["cashier"])
        self.assertEqual(
            Segment.search_read([("id", "=", segment.id)], ["name"])[0]["name"], segment.name
        )
        with self.assertRaises(AccessError):
            Segment.search_read([("id", "=", segment.id)], ["grade_count"])
