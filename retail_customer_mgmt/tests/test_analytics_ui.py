from odoo.tests import HttpCase, tagged

WAIT_FOR = """
    const deadline = Date.now() + 30000;
    const waitFor = async (selector) => {
        while (!document.querySelector(selector)) {
            if (Date.now() > deadline) { throw new Error("missing " + selector); }
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return document.querySelector(selector);
    };
"""


@tagged("post_install", "-at_install")
class TestRetailAnalyticsUi(HttpCase):
    """The dashboard and the customer analysis render in Chromium."""

    def test_dashboard_renders(self):
        code = (
            WAIT_FOR
            + """
            (async () => {
                await waitFor(".o_retail_customer_mgmt_dashboard div[name='repeat_rate']");
                await waitFor("div[name='cohort_table']");
                await waitFor("div[name='clv_predicted']");
                await waitFor("button[name='action_export_customers']");
                await waitFor("button[name='action_view_customers_by_tier']");
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        )
        self.browser_js("/odoo/retail-dashboard", code, ready="", login="admin", timeout=120)

    def test_customer_analysis_renders(self):
        self.env["retail.grade.run"]._regrade(self.env.company)
        action = self.env.ref("retail_customer_mgmt.retail_customer_analysis_action")
        code = (
            WAIT_FOR
            + """
            (async () => {
                await waitFor(".o_action_manager .o_graph_view");
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        )
        self.browser_js(f"/odoo/action-{action.id}", code, ready="", login="admin", timeout=120)
