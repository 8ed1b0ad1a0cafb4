from contextlib import contextmanager
from datetime import datetime
from uuid import uuid4

from odoo import Command, fields
from odoo.tests import new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


class RetailCommon(AccountTestInvoicingCommon):
    """Two companies with a sales flow and a POS shop each.

    Orders go through Odoo's real flows: sales orders are confirmed,
    invoiced and reversed; POS orders are paid and refunded with Odoo's own
    payment wizard.
    """

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_data_2 = cls.setup_other_company(name="Retail Company 2")
        cls.company_1 = cls.company_data["company"]
        cls.company_2 = cls.company_data_2["company"]
        # The test user works in both companies, as a chain's head office
        # does, and manages retail and the shops.
        cls.env.user.sudo().write(
            {
                "company_ids": [Command.link(cls.company_2.id)],
                "groups_id": [
                    Command.link(cls.env.ref("retail_customer_mgmt.group_retail_manager").id),
                    Command.link(cls.env.ref("point_of_sale.group_pos_manager").id),
                    Command.link(cls.env.ref("sales_team.group_sale_manager").id),
                ],
            }
        )

        cls.product = cls.env["product.product"].create(
            {
                "name": "Retail Tea Set",
                "list_price": 100.0,
                "taxes_id": [Command.clear()],
                "available_in_pos": True,
            }
        )
        cls.pos_configs = {}
        for company_data in (cls.company_data, cls.company_data_2):
            company = company_data["company"]
            cash = cls.env["pos.payment.method"].create(
                {
                    "name": f"Cash {company.name}",
                    "journal_id": company_data["default_journal_cash"].id,
                    "receivable_account_id": company_data["default_account_receivable"].id,
                    "company_id": company.id,
                }
            )
            config = (
                cls.env["pos.config"]
                .with_company(company)
                .create(
                    {
                        "name": f"Shop {company.name}",
                        "company_id": company.id,
                        "journal_id": company_data["default_journal_sale"].id,
                        "invoice_journal_id": company_data["default_journal_sale"].id,
                        "payment_method_ids": [Command.set(cash.ids)],
                    }
                )
            )
            cls.pos_configs[company] = (config, cash)

    @classmethod
    def _tier_ladder(cls, company, ladder):
        """Replace ``company``'s tiers by ``ladder`` [(name, min_spend)],
        lowest first; return the new tiers."""
        Tier = cls.env["retail.tier"]
        Tier.search([("company_id", "=", company.id)]).active = False
        return Tier.concat(
            *(
                Tier.create(
                    {"name": name, "sequence": seq, "min_spend": spend, "company_id": company.id}
                )
                for seq, (name, spend) in enumerate(ladder, start=1)
            )
        )

    # ------------------------------------------------------------------
    # order helpers
    # ------------------------------------------------------------------
    @classmethod
    def _sale(cls, partner, amount, date, company=None, confirm=True, qty=1.0):
        return cls._sale_lines(partner, [(cls.product, qty, amount / qty)], date, company, confirm)

    @classmethod
    def _sale_lines(cls, partner, lines, date, company=None, confirm=True):
        """A sales order of ``lines`` [(product, quantity, unit price)]."""
        company = company or cls.company_1
        order = (
            cls.env["sale.order"]
            .with_company(company)
            .create(
                {
                    "partner_id": partner.id,
                    "company_id": company.id,
                    "order_line": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "product_uom_qty": qty,
                                "price_unit": price,
                                "tax_id": [Command.clear()],
                            }
                        )
                        for product, qty, price in lines
                    ],
                }
            )
        )
        if confirm:
            order.action_confirm()
            # confirmation dates the order today: put it back in history
            order.date_order = fields.Datetime.to_datetime(date)
        return order

    @classmethod
    def _refund_sale(cls, order, amount):
        """Invoice ``order`` and post a credit note of ``amount``."""
        invoice = order._create_invoices()
        invoice.action_post()
        reversal = (
            cls.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"journal_id": invoice.journal_id.id, "reason": "damaged"})
        )
        action = reversal.refund_moves()
        credit_note = cls.env["account.move"].browse(action["res_id"])
        line = credit_note.invoice_line_ids
        line.price_unit = amount / line.quantity
        credit_note.action_post()
        return credit_note

    @classmethod
    def _open_session(cls, company):
        config, _cash = cls.pos_configs[company]
        if not config.current_session_id:
            config.open_ui()
        return config.current_session_id

    @classmethod
    def _pay_pos(cls, order, company):
        cash = cls.pos_configs[company][1]
        context = {"active_ids": order.ids, "active_id": order.id}
        cls.env["pos.make.payment"].with_context(**context).create(
            {
                "amount": order.amount_total,
                "payment_method_id": cash.id,
            }
        ).with_context(**context).check()

    @classmethod
    def _pos(cls, partner, amount, date, company=None, pay=True):
        return cls._pos_lines(partner, [(cls.product, 1.0, amount)], date, company, pay)

    @classmethod
    def _pos_lines(cls, partner, lines, date, company=None, pay=True):
        """A POS order of ``lines`` [(product, quantity, unit price)], paid in cash."""
        company = company or cls.company_1
        session = cls._open_session(company)
        amount = sum(qty * price for _product, qty, price in lines)
        order = (
            cls.env["pos.order"]
            .with_company(company)
            .create(
                {
                    "company_id": company.id,
                    "session_id": session.id,
                    "uuid": str(uuid4()),  # as the POS client does
                    "partner_id": partner.id,
                    "lines": [
                        Command.create(
                            {
                                "product_id": product.id,
                                "price_unit": price,
                                "qty": qty,
                                "price_subtotal": qty * price,
                                "price_subtotal_incl": qty * price,
                            }
                        )
                        for product, qty, price in lines
                    ],
                    "amount_total": amount,
                    "amount_tax": 0.0,
                    "amount_paid": 0.0,
                    "amount_return": 0.0,
                    "last_order_preparation_change": "{}",
                }
            )
        )
        if pay:
            cls._pay_pos(order, company)
        order.date_order = fields.Datetime.to_datetime(date)
        return order

    @classmethod
    def _refund_pos(cls, order, date):
        company = order.company_id
        refund = cls.env["pos.order"].browse(order.refund()["res_id"])
        cls._pay_pos(refund, company)
        refund.date_order = fields.Datetime.to_datetime(date)
        return refund

    def _grade_snapshot(self, company, fingerprint=False):
        """Per customer of ``company``, the figures and the grade the last
        regrade wrote (and the date fingerprint with ``fingerprint``), read
        from the database."""
        self.env.flush_all()
        self.env.invalidate_all()
        grades = self.env["retail.customer.grade"].search([("company_id", "=", company.id)])
        return {
            g.partner_id.id: (
                g.frequency,
                g.monetary,
                g.order_count,
                g.lifetime_spend,
                g.median_interval,
                g.rfm_code,
                g.segment_id.id,
                g.churn_risk,
                g.last_purchase,
                *((g.date_fingerprint,) if fingerprint else ()),
            )
            for g in grades
        }

    @staticmethod
    def _validate_picking(picking):
        """Deliver or receive everything of ``picking``, as a warehouse worker does."""
        for move in picking.move_ids:
            move.quantity = move.product_uom_qty
        picking.move_ids.picked = True
        picking.button_validate()

    @contextmanager
    def assertRaisesMessage(self, exception, text):
        """assertRaises (which rolls back what the failed call wrote) plus a
        check that the message tells the user what is wrong."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertIn(text, str(catcher.exception))

    def _resolve_exception(self, exception, resolution, user=None, **values):
        """Resolve ``exception`` through its wizard, as the form's buttons do."""
        Wizard = self.env["retail.order.exception.resolve"]
        if user:
            Wizard = Wizard.with_user(user)
        wizard = Wizard.with_context(
            default_exception_id=exception.id, default_resolution=resolution
        ).create(values)
        return wizard.action_apply()

    @staticmethod
    def _dt(value):
        return datetime.fromisoformat(value)

    @classmethod
    def _retail_user(cls, login, groups, company=None):
        company = company or cls.company_1
        return new_test_user(
            cls.env,
            login=login,
            groups=groups,
            company_id=company.id,
            company_ids=[Command.set(company.ids)],
        )

    def _stock_move(self, product, source, dest, qty, state, date, company=None):
        """A stock move of ``qty`` ``product`` in ``state`` at ``date``,
        without move line: the quants stay what the test set."""
        return self.env["stock.move"].create(
            {
                "name": product.name,
                "product_id": product.id,
                "product_uom_qty": qty,
                "product_uom": product.uom_id.id,
                "quantity": 0.0,
                "location_id": source.id,
                "location_dest_id": dest.id,
                "company_id": (company or self.company_1).id,
                "state": state,
                "date": date,
            }
        )

    @classmethod
    def _least_privileged_users(cls, prefix, other_groups="retail_customer_mgmt.group_retail_user"):
        """The users of the security tests (logins ``<prefix>_sales``,
        ``_cashier``, ``_portal``, ``_other``): a salesperson, a cashier (a
        POS user without retail rights) and a portal user, and a user of the
        second company with ``other_groups``."""
        return (
            cls._retail_user(f"{prefix}_sales", "sales_team.group_sale_salesman"),
            cls._retail_user(f"{prefix}_cashier", "point_of_sale.group_pos_user"),
            new_test_user(cls.env, login=f"{prefix}_portal", groups="base.group_portal"),
            cls._retail_user(f"{prefix}_other", other_groups, company=cls.company_2),
        )
