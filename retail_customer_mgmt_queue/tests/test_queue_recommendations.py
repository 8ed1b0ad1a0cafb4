"""The recommendations rebuild on queue_job: one job per company, and the
rows it writes are those of the inline rebuild."""

from odoo.tests import tagged

from odoo.addons.queue_job.tests.common import trap_jobs
from odoo.addons.retail_customer_mgmt.tests.common import RetailCommon


@tagged("post_install", "-at_install")
class TestQueueRecommendations(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        Product = cls.env["product.product"]
        values = {"list_price": 10.0, "taxes_id": [], "available_in_pos": True}
        tea, cups, honey, kettle = (
            Product.create({**values, "name": f"Queued {name}"})
            for name in ("Tea", "Cups", "Honey", "Kettle")
        )
        Partner = cls.env["res.partner"]
        baskets = [
            [(tea, 1, 10.0), (cups, 1, 10.0)],
            [(tea, 2, 10.0), (honey, 1, 10.0)],
            [(tea, 1, 10.0), (honey, 1, 10.0), (kettle, 1, 10.0)],
            [(cups, 1, 10.0), (kettle, 1, 10.0)],
            [(tea, 1, 10.0)],
            [(honey, 1, 10.0)],
        ]
        for i, basket in enumerate(baskets):
            partner = Partner.create({"name": f"Queued Reco {i}"})
            cls._sale_lines(partner, basket, f"2026-0{1 + i % 4}-1{i} 10:00:00")

    def _rows(self):
        recos = self.env["retail.recommendation"].search([("company_id", "=", self.company.id)])
        return sorted((r.partner_id.id, r.product_id.id, r.rank, r.reason, r.score) for r in recos)

    def test_one_job_per_company_same_rows_as_inline(self):
        Reco = self.env["retail.recommendation"]
        companies = self.env["res.company"].search([])
        with trap_jobs() as trap:
            Reco._cron_retail_refresh()
            trap.assert_jobs_count(len(companies))
            trap.assert_jobs_count(len(companies), only=Reco._retail_queue_refresh)
            trap.assert_enqueued_job(
                Reco._retail_queue_refresh,
                args=(self.company,),
                properties={
                    "channel": "root.retail",
                    "identity_key": f"retail.recommendation:{self.company.id}:refresh",
                },
            )
            self.assertFalse(self._rows(), "nothing rebuilt before the jobs run")
            trap.perform_enqueued_jobs()
        queued = self._rows()
        self.assertTrue(queued)
        self.env["retail.recommendation"].search([]).unlink()
        Reco._retail_refresh(self.company)
        self.assertEqual(self._rows(), queued)
