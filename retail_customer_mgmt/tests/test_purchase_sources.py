from odoo_test_helper import FakeModelLoader

from odoo.tests import freeze_time, tagged
from odoo.tools import SQL

from .common import RetailCommon

NOW = "2026-06-01 12:00:00"


@tagged("post_install", "-at_install")
class TestPurchaseSources(RetailCommon):
    """A new kind of purchase document is one method on retail.purchase: the
    purchase figures, the tiers and the incremental regrade all pick it up."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.loader = FakeModelLoader(cls.env, cls.__module__)
        cls.loader.backup_registry()
        from .fake_purchase_source import RetailPurchase, RetailTestVoucherSale

        cls.loader.update_registry((RetailTestVoucherSale, RetailPurchase))
        cls.Voucher = cls.env["retail.test.voucher.sale"].sudo()  # no ACL: a test model
        cls.buyer = cls.env["res.partner"].create({"name": "Voucher Buyer Wu"})
        cls.contact = cls.env["res.partner"].create(
            {"name": "Wu's Assistant", "parent_id": cls.buyer.id}
        )

    @classmethod
    def tearDownClass(cls):
        cls.loader.restore_registry()
        super().tearDownClass()

    def _voucher(self, partner, amount, date, company=None, state="paid"):
        return self.Voucher.create(
            {
                "partner_id": partner.id,
                "company_id": (company or self.company_1).id,
                "date": date,
                "amount": amount,
                "state": state,
            }
        )

    def test_sources_are_discovered(self):
        self.assertEqual(
            self.env["retail.purchase"]._get_source_names(),
            ["pos", "sale", "sale_refund", "test_voucher"],
        )

    def test_purchase_figures_count_the_new_source(self):
        self._pos(self.buyer, 50.0, "2026-05-01 12:00:00")
        self._voucher(self.contact, 200.0, "2026-05-20 12:00:00")
        self._voucher(self.buyer, 999.0, "2026-05-21 12:00:00", state="draft")
        self._voucher(self.buyer, 777.0, "2026-05-22 12:00:00", company=self.company_2)
        buyer = self.buyer.with_company(self.company_1)
        self.assertEqual(buyer.retail_lifetime_spend, 250.0)
        self.assertEqual(buyer.retail_order_count, 2)
        self.assertEqual(buyer.retail_average_basket, 125.0)
        self.assertEqual(str(buyer.retail_last_purchase_date), "2026-05-20 12:00:00")
        self.assertEqual(
            self.env["res.partner"].search(
                [("retail_lifetime_spend", ">=", 250.0), ("id", "=", self.buyer.id)]
            ),
            self.buyer,
        )
        self.assertEqual(self.buyer.with_company(self.company_2).retail_lifetime_spend, 777.0)

    def test_tiers_count_the_new_source(self):
        _bronze, vip = self._tier_ladder(self.company_2, [("Bronze", 0), ("VIP", 1000)])
        self._voucher(self.buyer, 1500.0, "2026-11-20 12:00:00", company=self.company_2)
        self.buyer._retail_update_tiers(self.company_2)
        self.assertEqual(self.buyer.with_company(self.company_2).retail_tier_id, vip)

    def test_incremental_regrade_reads_the_new_source(self):
        company = self.company_1
        Run = self.env["retail.grade.run"]
        other = self.env["res.partner"].create({"name": "Other Buyer Li"})
        self._pos(other, 60.0, "2026-05-02 12:00:00")
        self._voucher(self.buyer, 100.0, "2026-05-10 12:00:00")
        # everything so far was written long before tonight's run
        for model in ("pos.order", "retail.test.voucher.sale", "res.partner"):
            self.env[model].flush_model()
            self.env.cr.execute(
                SQL(
                    "UPDATE %s SET write_date = %s",
                    SQL.identifier(self.env[model]._table),
                    "2026-05-31 00:00:00",
                )
            )
        self.env.invalidate_all()
        grade = self.env["retail.customer.grade"]
        with freeze_time(NOW):
            first = Run._regrade(company)
        self.assertEqual((first.mode, first.refreshed), ("full", 2))
        mine = grade.search([("partner_id", "=", self.buyer.id), ("company_id", "=", company.id)])
        self.assertEqual((mine.order_count, mine.lifetime_spend), (1, 100.0))
        with freeze_time("2026-06-02 12:00:00"):
            self._voucher(self.contact, 40.0, "2026-06-02 10:00:00")
            night = Run._regrade(company)
            self.assertEqual(night.mode, "incremental")
            self.assertEqual(night.refreshed, 1, "only the voucher buyer's history is read")
            self.assertEqual((mine.order_count, mine.lifetime_spend), (2, 140.0))
            full = Run._regrade(company, full=True)
        self.assertEqual(full.changed, 0, "the incremental run left nothing for a full one")
