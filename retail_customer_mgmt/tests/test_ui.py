from odoo.tests import HttpCase, tagged


@tagged("post_install", "-at_install")
class TestRetailUi(HttpCase):
    """The back-office screens render in Chromium without a JavaScript error."""

    def test_partner_retail_tab_renders(self):
        partner = self.env["res.partner"].create(
            {
                "name": "UI Umei",
                "email": "umei@example.cn",
                "retail_birthday": "1990-04-01",
                "retail_consent_email": True,
            }
        )
        self.env["retail.feedback"].create({"subject": "Ui ticket", "partner_id": partner.id})
        action = self.env.ref("retail_customer_mgmt.retail_contact_action")
        code = """
            const deadline = Date.now() + 30000;
            const waitFor = async (selector) => {
                while (!document.querySelector(selector)) {
                    if (Date.now() > deadline) { throw new Error("missing " + selector); }
                    await new Promise((resolve) => setTimeout(resolve, 100));
                }
                return document.querySelector(selector);
            };
            (async () => {
                const tab = [...(await waitFor(".o_form_view .o_notebook_headers"))
                    .querySelectorAll("a")].find((a) => a.textContent.trim() === "Retail");
                if (!tab) { throw new Error("no Retail tab"); }
                tab.click();
                await waitFor("div[name='retail_birthday']");
                await waitFor("div[name='retail_lifetime_spend']");
                await waitFor("div[name='retail_tier_id']");
                await waitFor("div[name='retail_open_ticket_count']");
                await waitFor("div[name='retail_recommendation_ids']");
                console.log("test successful");
            })().catch((error) => console.error(error.message));
        """
        self.browser_js(
            f"/odoo/action-{action.id}/{partner.id}", code, ready="", login="admin", timeout=120
        )

    def test_retail_lists_render(self):
        for xmlid in (
            "retail_customer_grade_action",
            "retail_feedback_action",
            "retail_stock_alert_action",
            "retail_order_exception_action",
            "retail_tier_action",
            "retail_segment_action",
            "retail_recommendation_action",
            "retail_birthday_greeting_action",
        ):
            action = self.env.ref(f"retail_customer_mgmt.{xmlid}")
            code = """
                const deadline = Date.now() + 30000;
                (async () => {
                    while (!document.querySelector(".o_action_manager .o_view_controller")) {
                        if (Date.now() > deadline) { throw new Error("view not rendered"); }
                        await new Promise((resolve) => setTimeout(resolve, 100));
                    }
                    console.log("test successful");
                })().catch((error) => console.error(error.message));
            """
            with self.subTest(action=xmlid):
                self.browser_js(f"/odoo/action-{action.id}", code, login="admin", timeout=120)
