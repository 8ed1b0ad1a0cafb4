import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as Order from "@point_of_sale/../tests/tours/utils/generic_components/order_widget_util";
import * as PartnerList from "@point_of_sale/../tests/tours/utils/partner_list_util";
import * as PosLoyalty from "@pos_loyalty/../tests/tours/utils/pos_loyalty_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/tours/utils/ticket_screen_util";
import {inLeftSide} from "@point_of_sale/../tests/tours/utils/common";
import {
    clickCardButton,
    partnerLine,
    payCash,
} from "@retail_customer_mgmt/../tests/tours/utils/retail_pos_util";
import {absentIn, hasText} from "@retail_customer_mgmt/../tests/tours/utils/retail_tour_util";
import {registry} from "@web/core/registry";

// Data of the tours: see tests/test_pos_tours.py.
const PRODUCT = "Retail Tea Set";

function cardShows(selector, text) {
    return {
        content: `customer card: ${selector} shows "${text}"`,
        trigger: `.o_retail_customer_mgmt_card ${selector}${hasText(text)}`,
    };
}

function closeCard() {
    return {
        content: "close the customer card",
        trigger: ".o_retail_customer_mgmt_card .o_retail_customer_mgmt_card_close",
        run: "click",
    };
}

function summaryShows(selector, text) {
    return {
        content: `order screen: ${selector} shows "${text}"`,
        trigger: `.product-screen .o_retail_customer_mgmt_summary ${selector}${hasText(text)}`,
    };
}

function receiptShows(selector, text) {
    return {
        content: `receipt: ${selector} shows "${text}"`,
        trigger: `.receipt-screen .pos-receipt .o_retail_customer_mgmt_receipt ${selector} .pos-receipt-right-align${hasText(text)}`,
    };
}

// the points figure of a customer line or of the order screen ("650 pts")
function pointsText(points) {
    return hasText(`${points} pts`);
}

function sellTeaSetTo(name) {
    return [
        ProductScreen.clickDisplayedProduct(PRODUCT),
        ProductScreen.clickPartnerButton(),
        ProductScreen.clickCustomer(name),
    ].flat();
}

// (a) A customer not loaded at start (the POS loads a limited number of
// customers) is searched; the list shows the tier badge and points, the card
// the details, and the order screen the badge once the customer is set.
registry.category("web_tour.tours").add("RetailPosCustomerBadgeTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            PartnerList.searchCustomerValue("Zeta Gold"),
            {
                content: "the tier badge is on the customer line",
                trigger: `${partnerLine("Zeta Gold")} .o_retail_customer_mgmt_tier_badge${hasText("Gold")}`,
            },
            {
                content: "the points are on the customer line",
                trigger: `${partnerLine("Zeta Gold")} .o_retail_customer_mgmt_points${pointsText(650)}`,
            },
            clickCardButton("Zeta Gold"),
            cardShows(
                ".o_retail_customer_mgmt_card_tier .o_retail_customer_mgmt_tier_badge",
                "Gold"
            ),
            cardShows(".o_retail_customer_mgmt_card_points", "650 points"),
            cardShows(".o_retail_customer_mgmt_card_expiring", "50 points expire within 30 days"),
            {
                content: "the last purchase date is shown",
                trigger: `.o_retail_customer_mgmt_card .o_retail_customer_mgmt_card_last_purchase:not(:contains("No purchase yet"))`,
            },
            cardShows(".o_retail_customer_mgmt_card_segment", "Champions Test"),
            cardShows(
                ".o_retail_customer_mgmt_card_churn",
                "At risk of leaving: welcome them back"
            ),
            cardShows(".o_retail_customer_mgmt_card_consent", "Accepts marketing messages"),
            closeCard(),
            PartnerList.clickPartner("Zeta Gold"),
            summaryShows(".o_retail_customer_mgmt_tier_badge", "Gold"),
            summaryShows(".o_retail_customer_mgmt_points", "650 pts"),
            summaryShows(".o_retail_customer_mgmt_summary_expiring", "50 expiring soon"),
            {
                content: "the card opens from the order screen",
                trigger:
                    ".product-screen .o_retail_customer_mgmt_summary .o_retail_customer_mgmt_card_button",
                run: "click",
            },
            cardShows(".o_retail_customer_mgmt_card_points", "650 points"),
            closeCard(),
            Chrome.endTour(),
        ].flat(),
});

// (b) An order paid by a Silver customer (x1.5): the receipt shows the points
// the server wrote for this order, the new balance and the tier.
registry.category("web_tour.tours").add("RetailPosEarnTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ...sellTeaSetTo("Silver Sun"),
            summaryShows(".o_retail_customer_mgmt_tier_badge", "Silver"),
            summaryShows(".o_retail_customer_mgmt_points", "100 pts"),
            ...payCash(),
            receiptShows(".o_retail_customer_mgmt_receipt_tier", "Silver"),
            receiptShows(".o_retail_customer_mgmt_receipt_earned", "150"),
            receiptShows(".o_retail_customer_mgmt_receipt_balance", "250"),
            ...ReceiptScreen.clickNextOrder(),
            // the customer list shows the new balance without reloading
            ProductScreen.clickPartnerButton(),
            {
                content: "the customer line shows the new balance",
                trigger: `${partnerLine("Silver Sun")} .o_retail_customer_mgmt_points${pointsText(250)}`,
            },
            Chrome.endTour(),
        ].flat(),
});

// (c) The order of (b) is refunded in the POS: the receipt shows the points
// taken back and the balance after the refund.
registry.category("web_tour.tours").add("RetailPosRefundTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            ...ProductScreen.clickRefund(),
            TicketScreen.selectOrder("Silver Sun"),
            inLeftSide(Order.hasLine({productName: PRODUCT, withClass: ".selected"})),
            ProductScreen.clickNumpad("1"),
            TicketScreen.toRefundTextContains("To Refund: 1.00"),
            TicketScreen.confirmRefund(),
            ProductScreen.isShown(),
            summaryShows(".o_retail_customer_mgmt_tier_badge", "Silver"),
            ...payCash(),
            receiptShows(".o_retail_customer_mgmt_receipt_taken_back", "150"),
            receiptShows(".o_retail_customer_mgmt_receipt_balance", "100"),
            absentIn(
                "a refund earns nothing",
                ".receipt-screen .o_retail_customer_mgmt_receipt",
                ".o_retail_customer_mgmt_receipt_balance",
                [".o_retail_customer_mgmt_receipt_earned"]
            ),
            Chrome.endTour(),
        ].flat(),
});

// (d) An order without customer prints no points; a customer without
// marketing consent and without a loyalty card shows no badge, a card that
// says so, and gets a card and points from the server when paying.
registry.category("web_tour.tours").add("RetailPosNoCardTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickDisplayedProduct(PRODUCT),
            ...payCash(),
            absentIn(
                "no points on the receipt of an order without customer",
                ".receipt-screen .pos-receipt",
                ".before-footer",
                [".o_retail_customer_mgmt_receipt"]
            ),
            ...ReceiptScreen.clickNextOrder(),
            ProductScreen.clickDisplayedProduct(PRODUCT),
            ProductScreen.clickPartnerButton(),
            absentIn(
                "no badge nor points for a customer without a card",
                partnerLine("Newcomer Niu"),
                ".o_retail_customer_mgmt_card_button",
                [".o_retail_customer_mgmt_tier_badge", ".o_retail_customer_mgmt_points"]
            ),
            clickCardButton("Newcomer Niu"),
            cardShows(".o_retail_customer_mgmt_card_tier", "No tier yet"),
            cardShows(".o_retail_customer_mgmt_card_points", "0 points"),
            cardShows(".o_retail_customer_mgmt_card_last_purchase", "No purchase yet"),
            cardShows(".o_retail_customer_mgmt_card_segment", "Not graded yet"),
            cardShows(
                ".o_retail_customer_mgmt_card_consent",
                "No marketing consent: ask the customer before sending offers"
            ),
            absentIn(
                "no expiry nor churn warning",
                ".o_retail_customer_mgmt_card",
                ".o_retail_customer_mgmt_card_consent",
                [".o_retail_customer_mgmt_card_expiring", ".o_retail_customer_mgmt_card_churn"]
            ),
            closeCard(),
            ProductScreen.clickCustomer("Newcomer Niu"),
            summaryShows(".o_retail_customer_mgmt_points", "0 pts"),
            ...payCash(),
            receiptShows(".o_retail_customer_mgmt_receipt_earned", "100"),
            receiptShows(".o_retail_customer_mgmt_receipt_balance", "100"),
            receiptShows(".o_retail_customer_mgmt_receipt_tier", "Normal"),
            Chrome.endTour(),
        ].flat(),
});

// (e) Zeta Gold (650 points) pays part of an order with points through Odoo's
// Reward button: the receipt shows the points spent, the points the paid
// amount earned (93.50 x 2) and the balance after both, from the server;
// pos_loyalty's own lines for the retail program are not printed twice.
registry.category("web_tour.tours").add("RetailPosRedeemTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickDisplayedProduct(PRODUCT),
            ProductScreen.clickPartnerButton(),
            PartnerList.searchCustomerValue("Zeta Gold"),
            PartnerList.clickPartner("Zeta Gold"),
            summaryShows(".o_retail_customer_mgmt_points", "650 pts"),
            PosLoyalty.claimReward("Pay with points"),
            PosLoyalty.orderTotalIs("93.50"),
            ...payCash(),
            receiptShows(".o_retail_customer_mgmt_receipt_tier", "Gold"),
            receiptShows(".o_retail_customer_mgmt_receipt_spent", "650"),
            receiptShows(".o_retail_customer_mgmt_receipt_earned", "187"),
            receiptShows(".o_retail_customer_mgmt_receipt_balance", "187"),
            absentIn(
                "the retail program is printed once, from the server's figures",
                ".receipt-screen .pos-receipt",
                ".o_retail_customer_mgmt_receipt_balance",
                [".loyalty"]
            ),
            ...ReceiptScreen.clickNextOrder(),
            ProductScreen.clickPartnerButton(),
            {
                content: "the customer line shows the balance after the reward",
                trigger: `${partnerLine("Zeta Gold")} .o_retail_customer_mgmt_points${pointsText(187)}`,
            },
            Chrome.endTour(),
        ].flat(),
});
