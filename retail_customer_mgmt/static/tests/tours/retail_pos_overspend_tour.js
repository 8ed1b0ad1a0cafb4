import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PartnerList from "@point_of_sale/../tests/tours/utils/partner_list_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import {callKw} from "@retail_customer_mgmt/../tests/tours/utils/retail_pos_util";
import {registry} from "@web/core/registry";

// Data of the tour: see tests/test_pos_tour_overspend.py.
const CUSTOMER = "Spender Song";

// Spender Song's card shows 650 points at the till; while the order is being
// rung up, the balance drops to 50 on the server (points spent elsewhere).
// The till offers the 650-point reward from what it loaded, but validating
// the payment asks the server, which refuses with a sentence the cashier can
// read; the order is not paid.
registry.category("web_tour.tours").add("RetailPosOverspendTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickDisplayedProduct("Retail Tea Set"),
            ProductScreen.clickPartnerButton(),
            PartnerList.searchCustomerValue(CUSTOMER),
            PartnerList.clickPartner(CUSTOMER),
            PosLoyalty.claimReward("Pay with points"),
            PosLoyalty.orderTotalIs("93.50"),
            {
                content: "meanwhile, 600 of the 650 points are spent elsewhere (server side)",
                trigger: ".product-screen",
                run: async () => {
                    const [partner] = await callKw("res.partner", "search_read", [
                        [["name", "=", CUSTOMER]],
                        ["id"],
                    ]);
                    const wizardId = await callKw("retail.points.adjust", "create", [
                        {
                            partner_id: partner.id,
                            operation: "remove",
                            points: 600,
                            reason: "spent at another till",
                        },
                    ]);
                    await callKw("retail.points.adjust", "action_apply", [[wizardId]]);
                },
            },
            ProductScreen.clickPayButton(),
            PaymentScreen.clickPaymentMethod("Cash"),
            PaymentScreen.clickValidate(),
            {
                content: "the server refuses the reward with the card's real balance",
                trigger: ".modal-body",
                run: function () {
                    const expected =
                        "Spender Song has 50 Points: this reward needs 650 Points. " +
                        "Remove the reward or lower it.";
                    const shown = this.anchor.textContent.trim();
                    if (shown !== expected) {
                        throw new Error(`dialog says "${shown}", expected "${expected}"`);
                    }
                },
            },
            Dialog.confirm(),
            PaymentScreen.isShown(),
            Chrome.endTour(),
        ].flat(),
});
