from uuid import uuid4

from odoo import fields

from .common import RetailCommon


class RetailLoyaltyCommon(RetailCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.write(
            {
                "retail_points_per_unit": 1.0,
                "retail_tier_window_months": 12,
                "retail_tier_grace_days": 30,
                "retail_points_expiry_months": 0,
            }
        )
        Tier = cls.env["retail.tier"]
        Tier.search([("company_id", "=", cls.company_1.id)]).active = False
        cls.gold_pricelist = cls.env["product.pricelist"].create(
            {
                "name": "Gold prices",
                "company_id": cls.company_1.id,
            }
        )
        cls.normal = Tier.create(
            {
                "name": "Normal",
                "sequence": 1,
                "min_spend": 0,
                "points_multiplier": 1.0,
                "company_id": cls.company_1.id,
            }
        )
        cls.silver = Tier.create(
            {
                "name": "Silver",
                "sequence": 2,
                "min_spend": 1000,
                "points_multiplier": 1.5,
                "company_id": cls.company_1.id,
            }
        )
        cls.gold = Tier.create(
            {
                "name": "Gold",
                "sequence": 3,
                "min_spend": 5000,
                "points_multiplier": 2.0,
                "company_id": cls.company_1.id,
                "pricelist_id": cls.gold_pricelist.id,
            }
        )
        cls.program = cls.company_1._retail_get_program()
        cls.Card = cls.env["loyalty.card"]

    def _card(self, partner):
        return self.Card.search(
            [("program_id", "=", self.program.id), ("partner_id", "=", partner.id)]
        )

    def _lines(self, partner):
        return self._card(partner).history_ids.sorted("id")

    def assertLedgerBalanced(self):
        self.assertEqual(self.env["loyalty.history"]._retail_ledger_mismatches(self.program), {})

    def _lines_of_kind(self, partner, kind):
        return self._lines(partner).filtered(lambda line: line.retail_kind == kind)

    # ------------------------------------------------------------------
    # POS orders as the till sends them (sync_from_ui)
    # ------------------------------------------------------------------
    def _pos_payload(self, partner, lines, uuid=None, company=None, refunded=None):
        """What the POS client sends for a paid order.

        :param lines: ``[(product, qty, unit price)]``; a reward line is
            ``(reward, qty, unit price, declared points_cost, code)``, on the
            customer's card as the till sends it
        :param refunded: ``{index in lines: pos.order.line refunded}``
        """
        company = company or self.company_1
        session = self._open_session(company)
        cash = self.pos_configs[company][1]
        uuid = uuid or str(uuid4())
        order_lines = []
        for index, line in enumerate(lines):
            if len(line) == 5:
                reward, qty, price, declared, code = line
                card = self._card(partner) if partner else None
                vals = {
                    "product_id": reward.discount_line_product_id.id,
                    # the till names the card it shows (the server decides anyway)
                    "coupon_id": card.id if card else False,
                    "is_reward_line": True,
                    "reward_id": reward.id,
                    "points_cost": declared,
                    "reward_identifier_code": code,
                }
            else:
                product, qty, price = line
                vals = {"product_id": product.id}
            vals.update(
                {
                    "qty": qty,
                    "price_unit": price,
                    "price_subtotal": qty * price,
                    "price_subtotal_incl": qty * price,
                    "tax_ids": [(6, 0, [])],
                    "pack_lot_ids": [],
                }
            )
            if refunded and index in refunded:
                vals["refunded_orderline_id"] = refunded[index].id
            order_lines.append((0, 0, vals))
        amount = sum(line[1] * line[2] for line in lines)
        return {
            "amount_paid": amount,
            "amount_return": 0,
            "amount_tax": 0,
            "amount_total": amount,
            "date_order": fields.Datetime.to_string(fields.Datetime.now()),
            "name": f"Order {uuid}",
            "last_order_preparation_change": "{}",
            "lines": order_lines,
            "partner_id": partner.id if partner else False,
            "session_id": session.id,
            "sequence_number": 2,
            "payment_ids": [
                (
                    0,
                    0,
                    {"amount": amount, "name": fields.Datetime.now(), "payment_method_id": cash.id},
                )
            ],
            "uuid": uuid,
            "user_id": self.env.uid,
            "to_invoice": False,
            "state": "paid",
        }

    def _sync(self, payload, user=None):
        """Sync ``payload`` as the till does; the synced pos.order."""
        PosOrder = self.env["pos.order"].with_user(user) if user else self.env["pos.order"]
        result = PosOrder.sync_from_ui([payload])
        return self.env["pos.order"].browse(result["pos.order"][0]["id"])

    def _reward(self):
        """The retail program's "pay with points" reward (0.01 a point)."""
        return self.program.reward_ids[:1]
