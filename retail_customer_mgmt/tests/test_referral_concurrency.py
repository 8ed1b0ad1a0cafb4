from odoo.tests import tagged

from .committed_common import RetryingCommittedCase


@tagged("post_install", "-at_install")
class TestReferralConcurrency(RetryingCommittedCase):
    """Two real transactions pay a referred customer's first purchases at the
    same moment (two tills, or a till and an invoice payment): the referral
    is credited once. Serialization failures are retried as Odoo retries a
    request; the data is committed and removed at the end."""

    def setUp(self):
        super().setUp()

        def create(env, _barrier):
            company = env.ref("base.main_company")
            before = (
                company.retail_referral_points_referrer,
                company.retail_referral_points_referred,
            )
            company.write(
                {"retail_referral_points_referrer": 50.0, "retail_referral_points_referred": 20.0}
            )
            Partner = env["res.partner"]
            alice = Partner.create({"name": f"Referrer {self.tag}"})
            bob = Partner.create({"name": f"Referred {self.tag}", "retail_referrer_id": alice.id})
            company._retail_get_program()
            return company.id, alice.id, bob.id, before

        self.company_id, self.alice_id, self.bob_id, before = self._run(create)
        self.addCleanup(self._cleanup, before)

    def _cleanup(self, before):
        def drop(env, _barrier):
            company = env["res.company"].browse(self.company_id)
            company.write(
                {
                    "retail_referral_points_referrer": before[0],
                    "retail_referral_points_referred": before[1],
                }
            )
            ids = [self.alice_id, self.bob_id]
            cards = (
                env["loyalty.card"]
                .with_context(active_test=False)
                .search([("partner_id", "in", ids)])
            )
            env.cr.execute("DELETE FROM loyalty_history WHERE card_id = ANY(%s)", [cards.ids])
            env.cr.execute("DELETE FROM loyalty_card WHERE id = ANY(%s)", [cards.ids])
            env.cr.execute("DELETE FROM res_partner WHERE id = ANY(%s)", [ids[::-1]])

        self._run(drop)

    def _pay_event(self, env, barrier):
        company = env["res.company"].browse(self.company_id)
        bob = env["res.partner"].browse(self.bob_id)
        # read first: the transaction's snapshot starts before the race
        bob._retail_referral_credited_ids()
        if barrier:
            barrier.wait()
        bob._retail_credit_referrals(company)

    def test_two_first_payments_at_once_credit_once(self):
        _results, errors = self._in_threads([self._pay_event, self._pay_event])
        self.assertFalse([e for e in errors if e], errors)
        self.assertTrue(self.conflicts, "the two transactions really raced (one retried)")

        def read(env, _barrier):
            lines = env["loyalty.history"].search(
                [
                    (
                        "retail_key",
                        "in",
                        [f"referral:{self.bob_id}:referrer", f"referral:{self.bob_id}:referred"],
                    )
                ]
            )
            cards = {
                card.partner_id.id: card.points
                for card in env["loyalty.card"].search(
                    [("partner_id", "in", [self.alice_id, self.bob_id])]
                )
            }
            program = env["res.company"].browse(self.company_id).retail_loyalty_program_id
            mismatches = env["loyalty.history"]._retail_ledger_mismatches(program)
            return len(lines), cards, mismatches

        count, cards, mismatches = self._run(read)
        self.assertEqual(count, 2, "one line for each customer, once")
        self.assertEqual(cards, {self.alice_id: 50.0, self.bob_id: 20.0})
        self.assertFalse(mismatches)
        # a retry after both committed writes nothing either
        self._run(self._pay_event)
        self.assertEqual(self._run(read)[0], 2)
