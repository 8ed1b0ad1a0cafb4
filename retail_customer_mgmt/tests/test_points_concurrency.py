from odoo.tests import tagged

from .committed_common import RetryingCommittedCase


@tagged("post_install", "-at_install")
class TestPointsConcurrency(RetryingCommittedCase):
    """Two real PostgreSQL transactions credit the same card at the same time.

    Each thread has its own connection and commits, as two POS syncs or two
    workers would; a serialization failure is retried the way Odoo retries a
    request. Data is committed, so it is removed at the end.
    """

    def _in_threads(self, funcs):
        # the losing transaction's serialization failure is expected: PostgreSQL
        # reports it and the retry succeeds, as in Odoo's request retry
        self.conflicts = []
        results, errors = super()._in_threads(funcs)
        self.assertFalse([error for error in errors if error], errors)
        return results

    def _setup_partner(self):
        def create(env, _barrier):
            company = env.ref("base.main_company")
            partner = env["res.partner"].create({"name": f"Concurrent {self.tag}"})
            program = company._retail_get_program()
            card = env["loyalty.card"]._retail_cards_for(partner, program)[partner]
            return partner.id, program.id, card.id

        partner_id, program_id, card_id = self._run(create)
        self.addCleanup(self._cleanup, partner_id)
        return partner_id, program_id, card_id

    def _cleanup(self, partner_id):
        def drop(env, _barrier):
            cards = env["loyalty.card"].search([("partner_id", "=", partner_id)])
            env.cr.execute("DELETE FROM loyalty_history WHERE card_id = ANY(%s)", [cards.ids])
            env.cr.execute("DELETE FROM loyalty_card WHERE id = ANY(%s)", [cards.ids])
            env.cr.execute("DELETE FROM res_partner WHERE id = %s", [partner_id])

        self._run(drop)

    def _credit(self, card_id, key, points):
        def credit(env, barrier):
            # read the balance: the transaction's snapshot starts here
            env.cr.execute("SELECT points FROM loyalty_card WHERE id = %s", [card_id])
            if barrier:
                barrier.wait()
            env["loyalty.history"]._retail_post(
                [{"card_id": card_id, "description": key, "issued": points, "retail_key": key}]
            )

        return credit

    def _state(self, card_id):
        def read(env, _barrier):
            card = env["loyalty.card"].browse(card_id)
            return (
                card.points,
                len(card.history_ids),
                sum(card.history_ids.mapped("issued")) - sum(card.history_ids.mapped("used")),
            )

        return self._run(read)

    def test_two_orders_credit_the_same_card(self):
        _partner, _program, card_id = self._setup_partner()
        self._in_threads(
            [
                self._credit(card_id, f"earn:test:{self.tag}:a", 10.0),
                self._credit(card_id, f"earn:test:{self.tag}:b", 25.0),
            ]
        )
        self.assertTrue(self.conflicts, "the two transactions really collided (one retried)")
        points, lines, ledger = self._state(card_id)
        self.assertEqual(points, 35.0, "no credit lost")
        self.assertEqual(lines, 2)
        self.assertEqual(ledger, points)

    def test_two_tills_spend_the_same_points_at_once(self):
        """Two offline tills sync orders that each spend 80 of the card's 100
        points at the same moment: both paid orders are charged in full (the
        balance goes to -60, the overdraft is visible) and nothing is lost."""
        _partner, _program, card_id = self._setup_partner()
        self._run(self._credit(card_id, f"earn:test:{self.tag}:start", 100.0))

        def spend(key):
            def post(env, barrier):
                env.cr.execute("SELECT points FROM loyalty_card WHERE id = %s", [card_id])
                if barrier:
                    barrier.wait()
                env["loyalty.history"]._retail_post(
                    [
                        {
                            "card_id": card_id,
                            "description": key,
                            "used": 80.0,
                            "retail_kind": "redeem",
                            "retail_key": key,
                        }
                    ]
                )

            return post

        self._in_threads(
            [spend(f"redeem:test:{self.tag}:till1"), spend(f"redeem:test:{self.tag}:till2")]
        )
        self.assertTrue(self.conflicts, "the two transactions really collided (one retried)")
        points, lines, ledger = self._state(card_id)
        self.assertEqual((points, lines, ledger), (-60.0, 3, -60.0))

    def test_same_order_synced_twice_at_once(self):
        _partner, _program, card_id = self._setup_partner()
        key = f"earn:pos.order:{self.tag}"
        self._in_threads([self._credit(card_id, key, 40.0), self._credit(card_id, key, 40.0)])
        self.assertTrue(self.conflicts, "the second sync waited for the first and retried")
        points, lines, ledger = self._state(card_id)
        self.assertEqual((points, lines, ledger), (40.0, 1, 40.0), "earned exactly once")

    def test_card_created_once_under_concurrency(self):
        partner_id, program_id, card_id = self._setup_partner()

        def drop_card(env, _barrier):
            env.cr.execute("DELETE FROM loyalty_card WHERE id = %s", [card_id])

        self._run(drop_card)

        def get_card(env, barrier):
            partner = env["res.partner"].browse(partner_id)
            program = env["loyalty.program"].browse(program_id)
            env["loyalty.card"].search([("partner_id", "=", partner_id)])  # take the snapshot
            if barrier:
                barrier.wait()
            return env["loyalty.card"]._retail_cards_for(partner, program)[partner].id

        first, second = self._in_threads([get_card, get_card])
        self.assertTrue(self.conflicts, "the second insert met the first card and retried")
        self.assertEqual(first, second)

        def count(env, _barrier):
            return env["loyalty.card"].search_count(
                [("partner_id", "=", partner_id), ("program_id", "=", program_id)]
            )

        self.assertEqual(self._run(count), 1)
