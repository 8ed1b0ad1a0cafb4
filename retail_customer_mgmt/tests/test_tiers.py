from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .loyalty_common import RetailLoyaltyCommon


@tagged("post_install", "-at_install")
class TestTiers(RetailLoyaltyCommon):
    def test_upgrade_at_once_with_mail_and_pricelist(self):
        partner = self.env["res.partner"].create(
            {
                "name": "Gold Guo",
                "email": "guo@example.cn",
                "retail_consent_email": True,
            }
        )
        self._sale(partner, 6000.0, "2026-11-01 10:00:00")
        partner_c = partner.with_company(self.company_1)
        self.assertEqual(partner_c.retail_tier_id, self.gold)
        self.assertEqual(partner_c.retail_tier_since, fields.Date.context_today(partner))
        self.assertEqual(partner_c.property_product_pricelist, self.gold_pricelist)
        self.assertTrue(partner.message_ids.filtered(lambda m: "Gold" in str(m.body)))
        mail = self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)])
        self.assertTrue(mail.filtered(lambda m: "Gold" in m.subject))

    def test_no_upgrade_mail_without_consent(self):
        partner = self.env["res.partner"].create({"name": "Quiet Qin", "email": "qin@example.cn"})
        self._sale(partner, 6000.0, "2026-11-01 10:00:00")
        self.assertEqual(partner.with_company(self.company_1).retail_tier_id, self.gold)
        self.assertFalse(self.env["mail.mail"].search([("recipient_ids", "in", partner.ids)]))

    def test_downgrade_only_after_grace_period(self):
        partner = self.env["res.partner"].create({"name": "Fading Fang"})
        with freeze_time("2025-01-15 10:00:00"):
            self._sale(partner, 6000.0, "2025-01-15 10:00:00")
        partner_c = partner.with_company(self.company_1)
        self.assertEqual(partner_c.retail_tier_id, self.gold)
        Partner = self.env["res.partner"]
        # 2026-03-01: the order left the 12-month window; grace starts
        with freeze_time("2026-03-01 02:00:00"):
            Partner._cron_retail_review_tiers()
        partner_c.invalidate_recordset()
        self.assertEqual(partner_c.retail_tier_id, self.gold)
        self.assertEqual(str(partner_c.retail_tier_below_since), "2026-03-01")
        with freeze_time("2026-03-20 02:00:00"):
            Partner._cron_retail_review_tiers()
        partner_c.invalidate_recordset()
        self.assertEqual(partner_c.retail_tier_id, self.gold, "19 days: still in grace")
        with freeze_time("2026-03-31 02:00:00"):
            Partner._cron_retail_review_tiers()
        partner_c.invalidate_recordset()
        self.assertEqual(partner_c.retail_tier_id, self.normal, "30 days: downgraded")
        self.assertFalse(
            partner_c.property_product_pricelist == self.gold_pricelist,
            "the Gold pricelist went with the Gold tier",
        )

    def test_tier_is_decided_per_company(self):
        _bronze, vip = self._tier_ladder(self.company_2, [("Bronze", 0), ("VIP", 1000)])
        partner = self.env["res.partner"].create({"name": "Two Shops Tu"})
        self._sale(partner, 1500.0, "2026-11-01 10:00:00", company=self.company_2)
        self.assertEqual(partner.with_company(self.company_2).retail_tier_id, vip)
        self.assertFalse(
            partner.with_company(self.company_1).retail_tier_id,
            "no purchase, no tier in the other company",
        )

    def test_thresholds_must_increase(self):
        with self.assertRaisesMessage(ValidationError, "must increase"):
            self.env["retail.tier"].create(
                {
                    "name": "Platinum",
                    "sequence": 4,
                    "min_spend": 3000,
                    "company_id": self.company_1.id,
                }
            )
        self.assertFalse(self.env["retail.tier"].search([("name", "=", "Platinum")]))
        with self.assertRaisesMessage(ValidationError, "must increase"):
            self.silver.min_spend = 5000
        with self.assertRaisesMessage(ValidationError, "greater than zero"):
            self.silver.points_multiplier = 0
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.normal.min_spend = -1
        # another company has its own ladder
        self.env["retail.tier"].create(
            {
                "name": "Bronze",
                "sequence": 4,
                "min_spend": 3000,
                "company_id": self.company_2.id,
            }
        )

    def test_held_tier_cannot_be_deleted(self):
        partner = self.env["res.partner"].create({"name": "Holder Hu"})
        partner.with_company(self.company_1).retail_tier_id = self.silver
        with self.assertRaisesMessage(UserError, "hold it"):
            self.silver.unlink()

    def test_settings_reject_negative_values(self):
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.company_1.retail_points_per_unit = -1
        with self.assertRaisesMessage(ValidationError, "cannot be negative"):
            self.company_1.retail_points_expiry_months = -3
        self.assertEqual(self.company_1.retail_points_per_unit, 1.0)
