from datetime import date

from odoo.tests import freeze_time, tagged

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestPointsExpiryDates(RetailCommon):
    """Expiry dates of earned points on pinned calendar days, worked out by
    hand: the same day N months later, or the month's last day when that
    day does not exist."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.write({"retail_points_per_unit": 1.0, "retail_points_expiry_months": 6})
        # no tier: no multiplier
        cls.env["retail.tier"].search([("company_id", "=", cls.company_1.id)]).active = False

    def _earned(self, partner):
        return self.env["loyalty.history"].search(
            [("card_id.partner_id", "=", partner.id), ("retail_kind", "=", "earn")]
        )

    def test_sale_earned_on_31_august_expires_end_of_february(self):
        partner = self.env["res.partner"].create({"name": "Expiry Ai"})
        with freeze_time("2025-08-31 15:00:00"):
            self._sale(partner, 40.0, "2025-08-31 15:00:00")
        line = self._earned(partner)
        self.assertEqual((line.issued, line.retail_expiry_date), (40.0, date(2026, 2, 28)))

    def test_pos_earned_mid_month_expires_same_day(self):
        partner = self.env["res.partner"].create({"name": "Expiry Bo"})
        with freeze_time("2025-03-15 09:00:00"):
            self._pos(partner, 25.0, "2025-03-15 09:00:00")
        line = self._earned(partner)
        self.assertEqual((line.issued, line.retail_expiry_date), (25.0, date(2025, 9, 15)))

    def test_leap_day_after_twelve_months(self):
        self.company_1.retail_points_expiry_months = 12
        partner = self.env["res.partner"].create({"name": "Expiry Cai"})
        with freeze_time("2024-02-29 08:00:00"):
            self._sale(partner, 10.0, "2024-02-29 08:00:00")
        self.assertEqual(self._earned(partner).retail_expiry_date, date(2025, 2, 28))
