from uuid import uuid4

from odoo import Command, api, models
from odoo.exceptions import UserError


class RetailDemo(models.AbstractModel):
    """The shop's till in the demo story: a day of the register in which a
    cracked cup set is refunded through its exception order, a referred
    customer's first purchase credits the referral, and customers update
    their profile at the till (consents recorded with source POS)."""

    _inherit = "retail.demo"

    @api.model
    def _demo_load_pos(self):
        config = self._ref("point_of_sale.pos_config_main")
        admin = self._ref("base.user_admin")
        if not config.current_session_id:
            config.with_user(admin).open_ui()
        session = config.current_session_id
        cash = config.payment_method_ids.filtered("is_cash_count")[:1]
        self._demo_pos_refund(session, cash)
        self._demo_pos_referral(session, cash)
        self._demo_pos_profiles(admin)
        # the evening's closing: the counted cash is what the register expects
        if config.cash_control:
            session.post_closing_cash_details(session.cash_register_balance_end)
        result = session.close_session_from_ui()
        if not result.get("successful"):
            raise UserError(result.get("message") or "The demo register could not be closed.")

    def _demo_pos_order(self, session, cash, partner, lines):
        """A shop sale of ``lines`` [(product xmlid, quantity)], paid in cash
        (the back office's payment wizard)."""
        order_lines = []
        for product, qty in lines:
            product = self._ref(product)
            price = product.lst_price
            order_lines.append(
                Command.create(
                    {
                        "product_id": product.id,
                        "qty": qty,
                        "price_unit": price,
                        "price_subtotal": qty * price,
                        "price_subtotal_incl": qty * price,
                    }
                )
            )
        amount = sum(line[2]["price_subtotal_incl"] for line in order_lines)
        order = self.env["pos.order"].create(
            {
                "session_id": session.id,
                "company_id": session.config_id.company_id.id,
                "uuid": str(uuid4()),
                "partner_id": self._ref(partner).id,
                "lines": order_lines,
                "amount_total": amount,
                "amount_tax": 0.0,
                "amount_paid": 0.0,
                "amount_return": 0.0,
            }
        )
        context = {"active_ids": order.ids, "active_id": order.id}
        self.env["pos.make.payment"].with_context(**context).create(
            {"amount": amount, "payment_method_id": cash.id}
        ).with_context(**context).check()
        return order

    def _demo_pos_refund(self, session, cash):
        """Zhao Min bought two celadon cup sets at the counter; one cup was
        cracked: the exception order refunds one set in the till's session."""
        order = self._demo_pos_order(
            session,
            cash,
            "res_partner_zhao_min_demo",
            [("product_celadon_cups_demo", 2), ("product_puerh_cake_demo", 1)],
        )
        # the cashier notes the complaint in the till's feedback form
        order.with_user(session.user_id).retail_pos_log_feedback(
            {
                "feedback_type": "complaint",
                "description": "A cup of one celadon set was cracked in the box.\n"
                "The customer wants her money back for that set.",
            }
        )
        exception = self.env["retail.order.exception"].create(
            {
                "pos_order_id": order.id,
                "partner_id": order.partner_id.id,
                "exception_type": "product",
                "product_id": self._ref("product_celadon_cups_demo").id,
                "quantity": 1.0,
                "detail": "One cup of a celadon set was cracked when the customer unpacked it.",
            }
        )
        self._demo_resolve(exception, "refund", note="One set refunded in cash at the counter.")

    def _demo_pos_referral(self, session, cash):
        """Tang Yue comes with Wang Fang's referral code (typed on her contact);
        her first purchase at the till credits both of them."""
        code = self._ref("res_partner_wang_fang_demo").retail_referral_code
        self._ref("res_partner_tang_yue_demo").retail_referred_by_code = code
        self._demo_pos_order(
            session, cash, "res_partner_tang_yue_demo", [("product_celadon_cups_demo", 1)]
        )

    def _demo_pos_profiles(self, cashier):
        """Customers complete their profile at the till, as the till's profile
        editor sends it (an offline edit with a wrong WeChat ID is refused and
        recorded)."""
        edits = [
            (
                "res_partner_zhao_min_demo",
                # a new WeChat account, and the newsletter by email
                {"retail_wechat_id": "zhaomin_88", "retail_consent_email": True},
                False,
            ),
            (
                "res_partner_lin_tao_demo",
                {"retail_birthday": "1990-05-20", "retail_consent_sms": True},
                False,
            ),
            ("res_partner_sophie_martin_demo", {"retail_consent_email": False}, False),
            ("res_partner_yang_lei_demo", {"retail_wechat_id": "8888"}, True),
        ]
        for partner, vals, offline in edits:
            self._ref(partner).with_user(cashier).retail_pos_save_profile(
                vals, f"demo-pos-profile-{partner}", offline=offline
            )
