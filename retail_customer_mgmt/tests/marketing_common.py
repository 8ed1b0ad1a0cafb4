from datetime import timedelta

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.mass_mailing.tests.common import MassMailCase

from .common import RetailCommon


class RetailMarketingCommon(RetailCommon, MassMailCase):
    """Customers of company 1 graded in two segments, with and without
    consents, a tea category and a marketing user with retail rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.marketer = new_test_user(
            cls.env,
            login="retail_marketer",
            groups="base.group_user,mass_mailing.group_mass_mailing_user,"
            "retail_customer_mgmt.group_retail_user",
            company_id=cls.company_1.id,
            company_ids=[Command.set(cls.company_1.ids)],
            email="marketer@shop.example.cn",
        )
        cls.champions = cls.env.ref("retail_customer_mgmt.retail_segment_champions")
        cls.at_risk = cls.env.ref("retail_customer_mgmt.retail_segment_at_risk")
        cls.tea = cls.env["product.category"].create({"name": "Tea"})
        cls.green_tea = cls.env["product.category"].create(
            {"name": "Green Tea", "parent_id": cls.tea.id}
        )
        cls.longjing = cls._product("Longjing", cls.green_tea)
        cls.teapot = cls._product("Teapot", cls.env.ref("product.product_category_all"))
        Partner = cls.env["res.partner"]
        cls.wang = Partner.create(
            {
                "name": "Wang Fang",
                "email": "wang@example.cn",
                "mobile": "+86 139 1000 0001",
                "retail_consent_email": True,
                "retail_consent_sms": True,
            }
        )
        cls.zhao = Partner.create(
            {
                "name": "Zhao Lei",
                "email": "zhao@example.cn",
                "mobile": "+86 139 1000 0002",
                "retail_consent_email": True,
            }
        )
        cls.sun = Partner.create(
            {"name": "Sun Mei", "email": "sun@example.cn", "mobile": "+86 139 1000 0003"}
        )
        cls.zhou = Partner.create(
            {
                "name": "Zhou Jie",
                "email": "zhou@example.cn",
                "mobile": "+86 139 1000 0004",
                "retail_consent_email": True,
                "retail_consent_sms": True,
            }
        )
        cls.customers = cls.wang | cls.zhao | cls.sun | cls.zhou
        # wang, zhao and sun are champions (sun without any consent), zhou at risk
        for partner, segment, scores in (
            (cls.wang, cls.champions, (5, 5, 4)),
            (cls.zhao, cls.champions, (4, 5, 5)),
            (cls.sun, cls.champions, (5, 4, 5)),
            (cls.zhou, cls.at_risk, (1, 3, 3)),
        ):
            cls._grade(partner, segment, scores, churn=segment == cls.at_risk)

    @classmethod
    def _product(cls, name, category):
        return cls.env["product.product"].create(
            {
                "name": name,
                "categ_id": category.id,
                "list_price": 50.0,
                "taxes_id": [Command.clear()],
                "available_in_pos": True,
            }
        )

    @classmethod
    def _grade(cls, partner, segment, scores, churn=False, company=None):
        r, f, m = scores
        return (
            cls.env["retail.customer.grade"]
            .sudo()
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": (company or cls.company_1).id,
                    "segment_id": segment.id,
                    "r_score": r,
                    "f_score": f,
                    "m_score": m,
                    "rfm_total": r + f + m,
                    "rfm_code": f"{r}{f}{m}",
                    "churn_risk": churn,
                }
            )
        )

    @staticmethod
    def _days_ago(days):
        return fields.Datetime.now() - timedelta(days=days)

    def _partner_mailing(self, domain, mailing_type="mail", user=None, **values):
        vals = {
            "subject": "Spring tea",
            "mailing_type": mailing_type,
            "mailing_model_id": self.env["ir.model"]._get_id("res.partner"),
            "mailing_domain": repr(domain),
            **values,
        }
        if mailing_type == "mail":
            vals.setdefault("body_html", "<p>New tea has arrived, {{ object.name }}.</p>")
        else:
            vals.setdefault("body_plaintext", "New tea has arrived")
            vals.setdefault("sms_force_send", True)
        return self.env["mailing.mailing"].with_user(user or self.marketer).create(vals)
