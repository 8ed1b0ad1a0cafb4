from odoo import Command

from .common import RetailCommon


class RetailExceptionCommon(RetailCommon):
    """A storable tea without stock in company 1's warehouse and a customer
    with a complete address who consented to email."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_1
        cls.company.retail_exception_amount_factor = 5.0
        cls.warehouse = cls.env["stock.warehouse"].search(
            [("company_id", "=", cls.company.id)], limit=1
        )
        cls.tea = (
            cls.env["product.product"]
            .with_company(cls.company)
            .create(
                {
                    "name": "Pu-erh cake",
                    "is_storable": True,
                    "list_price": 50.0,
                    "taxes_id": [Command.clear()],
                }
            )
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Exception Xu",
                "street": "1 Nanjing Road",
                "city": "Shanghai",
                "phone": "+86 21 1234 5678",
                "email": "xu@example.cn",
                "retail_consent_email": True,
            }
        )
        cls.Exception = cls.env["retail.order.exception"]

    def _order(self, qty=2.0, partner=None, price=50.0):
        order = (
            self.env["sale.order"]
            .with_company(self.company)
            .create(
                {
                    "partner_id": (partner or self.customer).id,
                    "company_id": self.company.id,
                    "warehouse_id": self.warehouse.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": self.tea.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_id": [Command.clear()],
                            }
                        )
                    ],
                }
            )
        )
        order.action_confirm()
        return order

    def _of(self, order, kind):
        return self.Exception.search(
            [("sale_order_id", "=", order.id), ("exception_type", "=", kind)]
        )

    def _stock(self, qty):
        self.env["stock.quant"]._update_available_quantity(
            self.tea, self.warehouse.lot_stock_id, qty
        )

    def _exception(self, order=None, kind="product", **vals):
        return self.Exception.create(
            {
                "sale_order_id": order.id if order else False,
                "partner_id": self.customer.id,
                "exception_type": kind,
                "company_id": self.company.id,
                **vals,
            }
        )
