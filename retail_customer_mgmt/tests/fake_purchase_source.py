"""A test-only document that counts as a purchase, registered by tests with
odoo-test-helper's FakeModelLoader (never imported at module level)."""

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.retail_customer_mgmt.report.retail_purchase import (
    PurchaseSource,
    changed_documents,
    date_filter,
)


class RetailTestVoucherSale(models.Model):
    _name = "retail.test.voucher.sale"
    _description = "Voucher Sale (test)"

    partner_id = fields.Many2one("res.partner", required=True)
    company_id = fields.Many2one("res.company", required=True)
    date = fields.Datetime(required=True)
    amount = fields.Float()
    state = fields.Selection([("draft", "Draft"), ("paid", "Paid")], default="draft")


class RetailPurchase(models.AbstractModel):
    _inherit = "retail.purchase"

    @api.model
    def _source_test_voucher(self, query):
        """Paid voucher sales: the one method a new source needs."""
        return PurchaseSource(
            rows=SQL(
                """
                SELECT 'test_voucher' AS source, p.commercial_partner_id AS partner_id,
                       v.date AS d, v.amount AS amount, 1 AS is_order, v.id AS doc_id
                  FROM retail_test_voucher_sale v
                  JOIN res_partner p ON p.id = v.partner_id
                 WHERE v.state = 'paid' AND v.company_id = %s AND %s AND %s
                """,
                query.company.id,
                query.partner_filter,
                date_filter("v.date", query.date_from),
            ),
            changed=changed_documents("retail_test_voucher_sale", query, "date"),
            models=("retail.test.voucher.sale",),
        )
