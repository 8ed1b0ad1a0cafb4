/**
 * Step helpers shared by the retail POS tours (the till's customer list,
 * the customer card, paying cash, calling the server as another till would).
 */
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as PaymentScreen from "@point_of_sale/../tests/tours/utils/payment_screen_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import {hasText} from "@retail_customer_mgmt/../tests/tours/utils/retail_tour_util";
import {rpc} from "@web/core/network/rpc";

/** A model method called over RPC with the tour user's rights. */
export function callKw(model, method, args) {
    return rpc(`/web/dataset/call_kw/${model}/${method}`, {model, method, args, kwargs: {}});
}

/** Selector: the line of the customer list whose name is ``name``. */
export function partnerLine(name) {
    return `.partner-list .partner-info:has(b${hasText(name)})`;
}

/** Step: open the customer card from the line of ``name`` in the customer list. */
export function clickCardButton(name) {
    return {
        content: `open the customer card of ${name} from the customer list`,
        trigger: `${partnerLine(name)} .o_retail_customer_mgmt_card_button`,
        run: "click",
    };
}

/** Steps: pay the order in cash and wait for the receipt. */
export function payCash() {
    return [
        ProductScreen.clickPayButton(),
        PaymentScreen.clickPaymentMethod("Cash"),
        PaymentScreen.clickValidate(),
        Chrome.isSyncStatusConnected(),
        ReceiptScreen.isShown(),
    ].flat();
}
