from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRetailAnalyticsUi(HttpCase):
    """The dashboard and the customer analysis render in Chromium."""

    def test_dashboard_renders(self):
        # browser_js runs the code once the `ready` expression holds
        ready = "!!document.querySelector(\"div[name='cohort_table'] :is(table, p)\")"
        code = """
            for (const selector of [
                ".o_retail_customer_mgmt_dashboard div[name='repeat_rate']",
                "div[name='clv_predicted']",
                "button[name='action_export_customers']",
                "button[name='action_view_customers_by_tier']",
            ]) {
                if (!document.querySelector(selector)) { throw new Error("missing " + selector); }
            }
            console.log("test successful");
        """
        self.browser_js("/odoo/retail-dashboard", code, ready=ready, login="admin", timeout=120)

    def test_customer_analysis_renders(self):
        self.env["retail.grade.run"]._regrade(self.env.company)
        action = self.env.ref("retail_customer_mgmt.retail_customer_analysis_action")
        self.browser_js(
            f"/odoo/action-{action.id}",
            "console.log('test successful')",
            ready="!!document.querySelector('.o_action_manager .o_graph_view canvas')",
            login="admin",
            timeout=120,
        )
