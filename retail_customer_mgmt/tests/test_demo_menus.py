import logging
import re

from odoo.tests import HttpCase, tagged

_logger = logging.getLogger(__name__)

# Opens the action in Chromium, waits for its view to show its data, fails
# (console.error) on Odoo's empty-state helper or sample data, and logs how
# many records the view shows: the pager's total, else the rows or cards.
MENU_CHECK = """
    const deadline = Date.now() + 60000;
    const shown = [
        ".o_view_nocontent", ".o_view_sample_data", ".o_data_row",
        ".o_kanban_record:not(.o_kanban_ghost)", ".o_pivot table", ".o_graph_renderer canvas",
        ".o_form_view .o_form_sheet_bg",
    ].map((s) => ".o_action_manager " + s).join(", ");
    (async () => {
        while (!document.querySelector(shown)) {
            if (Date.now() > deadline) { throw new Error("the view did not render"); }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        // let a second render (a grouped kanban's columns) settle
        await new Promise((resolve) => setTimeout(resolve, 300));
        const root = document.querySelector(".o_action_manager");
        if (root.querySelector(".o_view_nocontent, .o_view_sample_data")) {
            throw new Error("MENU_NAME shows the empty-state helper instead of records");
        }
        const pager = root.querySelector(".o_pager_limit");
        const items = root.querySelectorAll(".o_data_row, .o_kanban_record:not(.o_kanban_ghost)");
        let count = pager ? pager.textContent.trim() : String(items.length);
        // the view switcher's buttons carry o_pivot/o_graph too: test the controller
        if (root.querySelector(".o_view_controller.o_pivot_view")) {
            const cells = root.querySelectorAll(".o_pivot_cell_value").length;
            if (!cells) { throw new Error("MENU_NAME shows an empty pivot table"); }
            count = "pivot table, " + cells + " cells";
        } else if (root.querySelector(".o_view_controller.o_graph_view")) {
            count = "graph";
        } else if (root.querySelector(".o_view_controller.o_form_view")) {
            count = "form";
        } else if (count === "0") {
            throw new Error("MENU_NAME shows no record");
        }
        console.log("retail demo menu MENU_NAME: " + count);
        console.log("test successful");
    })().catch((error) => console.error(error.message));
"""


@tagged("post_install", "-at_install")
class TestRetailDemoMenus(HttpCase):
    """The demo tells the whole story: every menu entry of the Retail app,
    found by walking the menu tree (so menus added later are covered too),
    shows records on the demo database, without a JavaScript error."""

    def _retail_menus(self):
        root = self.env.ref("retail_customer_mgmt.retail_root_menu")
        return (
            self.env["ir.ui.menu"]
            .with_context(**{"ir.ui.menu.full_list": True})
            .search([("id", "child_of", root.id), ("action", "!=", False)])
        )

    def _skip_reason(self, action):
        """Menus that open no list of records, and why they are not checked."""
        if action._name == "ir.actions.server":
            return "runs a job (regrade, refresh) instead of opening records"
        if action._name != "ir.actions.act_window":
            return f"{action._name} opens no list of records"
        if action.res_model == "res.config.settings":
            return "the settings page holds no records"
        if action.target == "new":
            return "a wizard in a dialog, no list"
        return None

    def test_every_retail_menu_shows_demo_records(self):
        if not self.env.ref(
            "retail_customer_mgmt.res_partner_wang_fang_demo", raise_if_not_found=False
        ):
            self.skipTest("needs the demo data (bin/test installs it unless RETAIL_TEST_DEMO=0)")
        menus = self._retail_menus()
        self.assertGreater(len(menus), 20, "the Retail app's menu entries are found")
        opened = []
        for menu in menus:
            action = menu.action
            reason = self._skip_reason(action)
            path = menu.complete_name
            if reason:
                _logger.info("retail demo menu %s: not opened, %s", path, reason)
                continue
            code = MENU_CHECK.replace("MENU_NAME", re.sub(r"[^\w /&-]", "", path))
            with self.subTest(menu=path):
                self.browser_js(
                    f"/odoo/action-{action.id}?menu_id={menu.id}",
                    code,
                    login="admin",
                    timeout=120,
                )
                opened.append(path)
        _logger.info("retail demo menus opened: %s", len(opened))

    def test_demo_exceptions_are_the_shops_own_story(self):
        """Odoo's own demo orders (entered before the addon) open no exception,
        even after the hourly scan; the story's exceptions cover each type and
        point at the documents their resolutions created."""
        if not self.env.ref(
            "retail_customer_mgmt.res_partner_wang_fang_demo", raise_if_not_found=False
        ):
            self.skipTest("needs the demo data (bin/test installs it unless RETAIL_TEST_DEMO=0)")
        Exception_ = self.env["retail.order.exception"]
        since = self.env.ref("base.main_company").retail_exception_since
        older = self.env["sale.order"].search([("state", "=", "sale"), ("create_date", "<", since)])
        self.assertTrue(older, "Odoo's demo holds confirmed orders entered before the addon")
        self.assertTrue(
            older.picking_ids.filtered(lambda p: p.state not in ("done", "cancel")),
            "some of them still wait for their delivery",
        )
        Exception_._cron_retail_detect()
        self.assertFalse(Exception_.search([("sale_order_id", "in", older.ids)]))
        exceptions = Exception_.search([])
        self.assertEqual(
            set(exceptions.mapped("exception_type")) - {"points"},
            {"stock", "late", "abnormal", "address", "product"},
        )
        self.assertEqual(
            set(exceptions.mapped("state")),
            {"new", "notified", "in_progress", "resolved", "cancelled"},
        )
        resolved = exceptions.filtered(lambda e: e.state == "resolved")
        self.assertEqual(resolved.refund_move_id.move_type, "out_refund")
        self.assertEqual(resolved.return_picking_id.picking_type_code, "incoming")
        self.assertTrue(resolved.backorder_picking_ids.backorder_id)
        self.assertIn("auto", resolved.mapped("resolution"))
        compensation = self.env["loyalty.history"].search([("retail_kind", "=", "compensation")])
        self.assertTrue(compensation, "the compensation went through the ledger")

    def test_demo_story_covers_each_feature(self):
        """Tickets in every SLA state, one arrived by mail; low-stock alerts open
        and closed by a receipt; a birthday greeting with its coupon; ledger
        lines of every kind, all made by the addon's own flows."""
        if not self.env.ref(
            "retail_customer_mgmt.res_partner_wang_fang_demo", raise_if_not_found=False
        ):
            self.skipTest("needs the demo data (bin/test installs it unless RETAIL_TEST_DEMO=0)")
        tickets = self.env["retail.feedback"].search([])
        self.assertEqual(set(tickets.mapped("sla_state")), {"on_time", "at_risk", "breached"})
        self.assertEqual(len(tickets.stage_id), 4, "a ticket in every stage")
        self.assertGreaterEqual(
            set(tickets.mapped("feedback_type")),
            {"complaint", "suggestion", "praise", "return", "inquiry"},
        )
        mailed = tickets.filtered(lambda t: t.subject == "Where is my teapot?")
        self.assertEqual(mailed.channel, "email")
        self.assertIn("email", mailed.message_ids.mapped("message_type"))
        closed = tickets.filtered("is_closed")
        self.assertTrue(closed and all(closed.mapped("rating_last_value")))
        alerts = self.env["retail.stock.alert"].search([])
        self.assertEqual(set(alerts.mapped("state")), {"open", "closed"})
        self.assertTrue(any(alerts.mapped("regular_customer_count")))
        self.assertTrue(self.env["retail.feedback.alert"].search([]), "a recurring issue")
        greeting = self.env["retail.birthday.greeting"].search(
            [("partner_id", "=", self.env.ref("retail_customer_mgmt.res_partner_zhou_xin_demo").id)]
        )
        self.assertTrue(greeting.coupon_id)
        kinds = set(self.env["loyalty.history"].search([]).mapped("retail_kind"))
        self.assertGreaterEqual(
            kinds, {"earn", "redeem", "refund", "expire", "adjust", "compensation"}
        )
        self.assertFalse(
            self.env["loyalty.card"]._cron_retail_check_ledger(), "every balance is its ledger"
        )
