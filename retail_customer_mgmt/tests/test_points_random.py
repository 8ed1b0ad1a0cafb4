import logging
import random
from collections import defaultdict
from datetime import timedelta

from odoo import fields
from odoo.tests import freeze_time, tagged

from ..services.points import earned_points
from .loyalty_common import RetailLoyaltyCommon

_logger = logging.getLogger(__name__)

SEEDS = range(6)
STEPS = 14


@tagged("post_install", "-at_install")
class TestPointsRandomSequences(RetailLoyaltyCommon):
    """Seeded random sequences of what happens to points in a shop: sales and
    POS earnings, retried syncs, partial and full refunds, exchanges,
    redemptions, cancellations, reductions, credit notes, adjustments and
    expiry, in real Odoo flows. After every step, for every card:
    balance == sum(issued) - sum(used), no document earns twice, and no
    refund takes back more than its order earned."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_1.retail_points_expiry_months = 1
        cls.cashier = cls._retail_user(
            "random_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.manager = cls._retail_user(
            "random_manager", "retail_customer_mgmt.group_retail_manager"
        )

    def _check(self, step):
        History = self.env["loyalty.history"]
        self.assertEqual(
            self.env["loyalty.history"]._retail_ledger_mismatches(self.program), {}, step
        )
        lines = History.search([("card_id.program_id", "=", self.program.id)])
        earns = lines.filtered(lambda h: h.retail_kind == "earn")
        per_pos = defaultdict(int)
        for earn in earns.filtered("retail_pos_order_id"):
            per_pos[earn.retail_pos_order_id] += 1
        self.assertFalse(
            [o for o, n in per_pos.items() if n > 1], f"{step}: a POS order earned twice"
        )
        taken = defaultdict(float)
        for line in lines.filtered("retail_earn_id"):
            taken[line.retail_earn_id] += line.used
        for earn, used in taken.items():
            self.assertLessEqual(used, earn.issued + 1e-6, f"{step}: took back more than earned")
        for order in earns.retail_sale_order_id:
            net = sum(
                earns.filtered(lambda h, o=order: h.retail_sale_order_id == o).mapped("issued")
            )
            net -= sum(
                taken[e] for e in earns.filtered(lambda h, o=order: h.retail_sale_order_id == o)
            )
            cap = earned_points(order.amount_total, 1.0, 2.0)  # the highest multiplier
            self.assertLessEqual(net, cap + 1e-6, f"{step}: {order.name} earned more than once")

    # ------------------------------------------------------------------
    # operations (the state of the sequence lives on self.seq)
    # ------------------------------------------------------------------
    def _op_sale(self, partner):
        rng = self.seq["rng"]
        self.seq["sales"].append(
            self._sale(
                partner, float(rng.randint(10, 300)), self.seq["day"], qty=float(rng.randint(1, 3))
            )
        )

    def _op_pos_sale(self, partner):
        rng = self.seq["rng"]
        lines = [(self.product, rng.randint(1, 3), float(rng.randint(5, 80)))]
        card = self._card(partner)
        if card and card.points >= 50 and rng.random() < 0.5:
            spend = rng.randint(1, int(card.points))
            lines.append((self._reward(), 1, -spend / 100.0, float(spend), "r"))
        payload = self._pos_payload(partner, lines)
        self.seq["payloads"].append(payload)
        self.seq["pos"].append(self._sync(payload, self.cashier))

    def _op_pos_retry(self, _partner):
        if self.seq["payloads"]:
            self._sync(dict(self.seq["rng"].choice(self.seq["payloads"])), self.cashier)

    def _op_pos_refund(self, _partner, exchange=False):
        rng = self.seq["rng"]
        if not self.seq["pos"]:
            return
        order = rng.choice(self.seq["pos"])
        line = order.lines.filtered(lambda line: not line.reward_id)[:1]
        left = line.qty - sum(line.refund_orderline_ids.mapped(lambda r: -r.qty))
        if left <= 0:
            return
        lines = [(self.product, -rng.randint(1, int(left)), line.price_unit)]
        if exchange:
            lines.append((self.product, 1, float(rng.randint(5, 80))))
        customer = rng.choice([order.partner_id, False])
        self._sync(self._pos_payload(customer, lines, refunded={0: line}), self.cashier)

    def _op_pos_exchange(self, partner):
        self._op_pos_refund(partner, exchange=True)

    def _op_sale_change(self, _partner):
        rng = self.seq["rng"]
        if not self.seq["sales"]:
            return
        order = rng.choice(self.seq["sales"])
        if order.state != "sale" or order.invoice_ids:
            return
        action = rng.choice(["cancel", "reduce", "grow", "credit"])
        if action == "cancel":
            order._action_cancel()
        elif action == "credit":
            self._refund_sale(order, float(rng.randint(1, int(order.amount_total))))
        else:
            line = order.order_line[:1]
            line.product_uom_qty = max(1, line.product_uom_qty + (1 if action == "grow" else -1))

    def _op_adjust(self, partner):
        card = self._card(partner)
        low = -int(card.points) if card and card.points > 0 else 0
        delta = self.seq["rng"].randint(low, 40)
        if delta:
            self.env["retail.points.adjust"].with_user(self.manager).create(
                {
                    "partner_id": partner.id,
                    "operation": "add" if delta > 0 else "remove",
                    "points": abs(delta),
                    "reason": "random sequence",
                }
            ).action_apply()

    def _op_expire(self, _partner):
        with freeze_time(self.seq["day"] + timedelta(days=self.seq["rng"].randint(20, 70))):
            self.Card._cron_retail_expire_points()

    def _run_sequence(self, seed):
        rng = random.Random(seed)
        self.seq = {
            "rng": rng,
            "day": fields.Datetime.now(),
            "sales": [],
            "pos": [],
            "payloads": [],
        }
        customers = [
            self.env["res.partner"].create({"name": f"Random {seed}-{i}"}) for i in range(2)
        ]
        names = [name for name in dir(self) if name.startswith("_op_")]
        done = []
        for step in range(STEPS):
            name = rng.choice(names)
            getattr(self, name)(rng.choice(customers))
            done.append(name[4:])
            self._check(f"seed {seed}, step {step} ({name}); steps so far: {done}")
        return done

    def test_random_sequences_keep_the_ledger_true(self):
        seen = set()
        for seed in SEEDS:
            with self.subTest(seed=seed):
                seen.update(self._run_sequence(seed))
        _logger.info(
            "Random ledger sequences: %s seeds x %s steps; operations %s",
            len(SEEDS),
            STEPS,
            sorted(seen),
        )
        self.assertEqual(len(seen), 8, f"every operation was drawn at least once: {sorted(seen)}")
