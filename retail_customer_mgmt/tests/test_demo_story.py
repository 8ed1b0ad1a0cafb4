from dateutil.relativedelta import relativedelta

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestRetailDemoStory(TransactionCase):
    """The invariants of the demo story (demo/retail_story_demo.xml), as the
    database holds them right after the install: each feature is seen at
    work, through the documents the addon's own flows created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.demo = cls.env.ref(
            "retail_customer_mgmt.res_partner_guo_jing_demo", raise_if_not_found=False
        )
        cls.company = cls.env.ref("base.main_company")

    def setUp(self):
        super().setUp()
        if not self.demo:
            self.skipTest("needs the demo data (bin/test installs it unless RETAIL_TEST_DEMO=0)")

    def _partner(self, name):
        return self.env.ref(f"retail_customer_mgmt.res_partner_{name}_demo").with_company(
            self.company
        )

    def _tier_notes(self, partner):
        return partner.message_ids.filtered(lambda m: "Tier in" in (m.body or ""))

    def test_each_exception_type_in_each_state(self):
        Exception_ = self.env["retail.order.exception"]
        types = [kind for kind, _label in Exception_._fields["exception_type"].selection]
        states = [state for state, _label in Exception_._fields["state"].selection]
        found = {
            (group["exception_type"], group["state"])
            for group in Exception_.read_group(
                [], ["exception_type", "state"], ["exception_type", "state"], lazy=False
            )
        }
        missing = {(kind, state) for kind in types if kind != "points" for state in states} - found
        # points overdrafts come from two offline tills, not from the story
        self.assertFalse(missing, "each type of exception is seen in each state")

    def test_resolutions_point_at_their_documents(self):
        resolved = self.env["retail.order.exception"].search([("state", "=", "resolved")])
        by_resolution = resolved.grouped("resolution")
        self.assertLessEqual(
            {"partial", "refund", "exchange", "compensation", "auto"}, set(by_resolution)
        )
        credit_note = resolved.refund_move_id
        self.assertEqual(credit_note.move_type, "out_refund")
        self.assertEqual(credit_note.state, "posted")
        self.assertEqual(resolved.return_picking_id.picking_type_code, "incoming")
        self.assertTrue(resolved.replacement_picking_ids)
        self.assertTrue(resolved.backorder_picking_ids.backorder_id)
        pos_refund = resolved.refund_pos_order_id
        self.assertEqual(len(pos_refund), 1, "a shop purchase refunded in the till")
        self.assertEqual(pos_refund.state, "done", "paid back, and its session closed")
        self.assertLess(pos_refund.amount_total, 0)
        self.assertEqual(
            pos_refund.lines.refunded_orderline_id.order_id,
            resolved.filtered("refund_pos_order_id").pos_order_id,
        )
        self.assertEqual(pos_refund.session_id.state, "closed", "the register was closed")
        self.assertTrue(
            self.env["loyalty.history"].search(
                [("retail_pos_order_id", "=", pos_refund.id), ("retail_kind", "=", "refund")]
            ),
            "the POS refund took back the points the sale earned",
        )

    def test_ledger_lines_of_every_kind(self):
        History = self.env["loyalty.history"]
        program = self.company.retail_loyalty_program_id
        kinds = set(History.search([("card_id.program_id", "=", program.id)]).mapped("retail_kind"))
        every_kind = {kind for kind, _label in History._fields["retail_kind"].selection}
        self.assertEqual(every_kind - kinds, set(), "the demo's ledger holds every kind of line")
        self.assertFalse(
            self.env["loyalty.card"]._cron_retail_check_ledger(), "every balance is its ledger"
        )

    def test_tier_upgrade_on_purchase(self):
        """Lin Tao reached Silver, then Gold with his second purchase, and got
        the upgrade mail."""
        partner = self._partner("lin_tao")
        self.assertEqual(
            partner.retail_tier_id, self.env.ref("retail_customer_mgmt.retail_tier_gold")
        )
        notes = self._tier_notes(partner).sorted("id").mapped("body")
        self.assertEqual(len(notes), 2)
        self.assertIn("none → Silver", notes[0])
        self.assertIn("Silver → Gold", notes[1])
        mails = self.env["mail.mail"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)]
        )
        self.assertIn("welcome to Gold", " ".join(mails.mapped("subject")))

    def test_tier_downgrade_after_grace(self):
        """Guo Jing reached Gold 14 months ago; her purchase left the 12-month
        window more than the grace period ago, and the review moved her down
        to Silver (the tier her spend of the window reaches) only then."""
        partner = self._partner("guo_jing")
        gold = self.env.ref("retail_customer_mgmt.retail_tier_gold")
        silver = self.env.ref("retail_customer_mgmt.retail_tier_silver")
        self.assertEqual(partner.retail_tier_id, silver)
        notes = self._tier_notes(partner).sorted("date")
        self.assertEqual(len(notes), 2)
        self.assertIn("none → Gold", notes[0].body)
        self.assertIn("Gold → Silver", notes[1].body)
        orders = self.env["sale.order"].search(
            [("partner_id", "=", partner.id), ("state", "=", "sale")], order="date_order"
        )
        self.assertEqual(len(orders), 2)
        fell_below = orders[0].date_order + relativedelta(
            months=self.company.retail_tier_window_months
        )
        waited = (notes[1].date - fell_below).days
        self.assertGreaterEqual(waited, self.company.retail_tier_grace_days)
        earned_at = (
            self.env["loyalty.history"]
            .search([("retail_sale_order_id", "in", orders.ids), ("retail_kind", "=", "earn")])
            .mapped("retail_tier_id")
        )
        self.assertEqual(earned_at, gold, "both purchases earned at the Gold multiplier")
        # the review of today keeps her in Silver
        partner._retail_update_tiers(self.company, review=True)
        self.assertEqual(partner.retail_tier_id, silver)

    def test_pos_profile_edits(self):
        """Customers updated their profile at the till: applied edits with
        consent history rows of source POS, and one offline edit refused."""
        edits = self.env["retail.pos.profile.edit"].search([])
        self.assertEqual(set(edits.mapped("state")), {"applied", "refused"})
        history = self.env["retail.consent.history"].search([("source", "=", "pos")])
        self.assertTrue(history)
        self.assertIn(
            ("email", "given"),
            history.filtered(lambda h: h.partner_id == self._partner("zhao_min")).mapped(
                lambda h: (h.channel, h.action)
            ),
        )
        self.assertEqual(self._partner("zhao_min").retail_wechat_id, "zhaomin_88")
        self.assertTrue(self._partner("lin_tao").retail_birthday)
        self.assertFalse(self._partner("sophie_martin").retail_consent_email)

    def test_regrade_run_recorded(self):
        runs = self.env["retail.grade.run"].search([])
        self.assertTrue(runs)
        self.assertIn("done", runs.mapped("state"))

    def test_till_feedback_and_access_log(self):
        """A complaint logged in the till's feedback form, on its POS order;
        the access log holds an XLSX export, a list export and a copy of a
        customer's data."""
        ticket = self.env["retail.feedback"].search(
            [
                ("channel", "=", "pos"),
                ("pos_order_id.partner_id", "=", self._partner("zhao_min").id),
            ]
        )
        self.assertEqual(ticket.feedback_type, "complaint")
        self.assertIn("cracked", str(ticket.description))
        actions = set(self.env["retail.privacy.log"].search([]).mapped("action"))
        self.assertLessEqual({"export", "list_export", "copy"}, actions)
