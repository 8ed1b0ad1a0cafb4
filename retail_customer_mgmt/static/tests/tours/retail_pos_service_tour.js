/* global luxon, posmodel */
import * as Chrome from "@point_of_sale/../tests/tours/utils/chrome_util";
import * as Dialog from "@point_of_sale/../tests/tours/utils/dialog_util";
import * as PartnerList from "@point_of_sale/../tests/tours/utils/partner_list_util";
import * as ProductScreen from "@point_of_sale/../tests/tours/utils/product_screen_util";
import * as ReceiptScreen from "@point_of_sale/../tests/tours/utils/receipt_screen_util";
import * as TicketScreen from "@point_of_sale/../tests/tours/utils/ticket_screen_util";
import {
    callKw,
    clickCardButton,
    partnerLine,
    payCash,
} from "@retail_customer_mgmt/../tests/tours/utils/retail_pos_util";
import {hasText} from "@retail_customer_mgmt/../tests/tours/utils/retail_tour_util";
import {rpc} from "@web/core/network/rpc";
import {serializeDateTime} from "@web/core/l10n/dates";

import {registry} from "@web/core/registry";

const {DateTime} = luxon;

// Data of the tours: see tests/test_pos_tours_service.py.

/**
 * An order paid at another till, synced by RPC as a till does: its lines are
 * products ({product, price}) or a "Pay with points" reward
 * ({reward: true, price, declared}) with the points the till declares.
 */
async function otherTillSale(customer, lines) {
    const [partner] = await callKw("res.partner", "search_read", [
        [["name", "=", customer]],
        ["id"],
    ]);
    const now = serializeDateTime(DateTime.now());
    const uuid = `retail-other-till-${customer}`;
    const orderLines = lines.map((line, index) => {
        const vals = {qty: 1, price_unit: line.price, price_subtotal: line.price};
        if (line.reward) {
            const reward = posmodel.models["loyalty.reward"].find(
                (r) => r.description === "Pay with points"
            );
            Object.assign(vals, {
                product_id: reward.discount_line_product_id.id,
                is_reward_line: true,
                reward_id: reward.id,
                points_cost: line.declared,
                reward_identifier_code: `r${index}`,
            });
        } else {
            vals.product_id = posmodel.models["product.product"].find(
                (p) => p.display_name === line.product
            ).id;
        }
        return [0, 0, {...vals, price_subtotal_incl: line.price, tax_ids: [[6, 0, []]]}];
    });
    const total = lines.reduce((sum, line) => sum + line.price, 0);
    await callKw("pos.order", "sync_from_ui", [
        [
            {
                amount_paid: total,
                amount_return: 0,
                amount_tax: 0,
                amount_total: total,
                date_order: now,
                name: `Order ${uuid}`,
                last_order_preparation_change: "{}",
                lines: orderLines,
                partner_id: partner.id,
                session_id: posmodel.session.id,
                sequence_number: 900 + lines.length,
                payment_ids: [
                    [
                        0,
                        0,
                        {
                            amount: total,
                            name: now,
                            payment_method_id: posmodel.config.payment_method_ids[0].id,
                        },
                    ],
                ],
                uuid,
                user_id: posmodel.user.id,
                to_invoice: false,
                state: "paid",
            },
        ],
    ]);
}

function openCardFromList(name) {
    return [
        ProductScreen.clickPartnerButton(),
        PartnerList.searchCustomerValue(name),
        clickCardButton(name),
    ].flat();
}

function card(selector, content = `customer card: ${selector}`) {
    return {content, trigger: `.o_retail_customer_mgmt_card ${selector}`};
}

function editor(selector) {
    return `.o_retail_customer_mgmt_profile_editor ${selector}`;
}

function openEditor() {
    return [
        {
            content: "open the profile editor from the card",
            trigger: ".o_retail_customer_mgmt_card .o_retail_customer_mgmt_card_edit",
            run: "click",
        },
        {content: "the editor is open", trigger: editor(".o_retail_customer_mgmt_profile_save")},
    ];
}

function saveProfile() {
    return {
        content: "save the profile",
        trigger: editor(".o_retail_customer_mgmt_profile_save"),
        run: "click",
    };
}

function editorClosed() {
    return {
        content: "the editor closed, the card is shown",
        trigger: `.o_retail_customer_mgmt_card:not(:has(.o_retail_customer_mgmt_profile_save))`,
    };
}

function waitFor(content, predicate) {
    return {
        content,
        trigger: "body",
        run: async () => {
            for (let i = 0; i < 100; i++) {
                if (await predicate()) {
                    return;
                }
                await new Promise((resolve) => setTimeout(resolve, 100));
            }
            throw new Error(`timeout: ${content}`);
        },
    };
}

// (1) The cashier records birthday, WeChat ID, preferred channel and
// consents. A bad WeChat ID is refused with the server's sentence; the
// corrected profile is saved. Then the till goes offline: the consent given
// is queued, synced when the till is back online, and the same call sent
// again (an answer lost) changes nothing.
registry.category("web_tour.tours").add("RetailPosProfileTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ...openCardFromList("Profile Pan"),
            card(
                `.o_retail_customer_mgmt_card_channel_wechat:not(.o_retail_customer_mgmt_card_channel_given)`,
                "no WeChat consent yet"
            ),
            ...openEditor(),
            {trigger: editor(".o_retail_customer_mgmt_profile_wechat"), run: "edit 12 34"},
            saveProfile(),
            {
                content: "the server's sentence is shown, the editor stays open",
                trigger: editor('.o_retail_customer_mgmt_profile_error:contains("is not valid")'),
            },
            {trigger: editor(".o_retail_customer_mgmt_profile_wechat"), run: "edit pan_wx88"},
            {trigger: editor(".o_retail_customer_mgmt_profile_birthday"), run: "edit 1990-05-17"},
            {trigger: editor(".o_retail_customer_mgmt_profile_channel"), run: "select wechat"},
            {trigger: editor(".o_retail_customer_mgmt_profile_consent_wechat"), run: "click"},
            saveProfile(),
            editorClosed(),
            card(
                ".o_retail_customer_mgmt_card_channel_wechat.o_retail_customer_mgmt_card_channel_given",
                "the card shows the WeChat consent"
            ),
            card('.o_retail_customer_mgmt_card_consent:contains("Accepts marketing messages")'),
            {
                content: "the till goes offline",
                trigger: "body",
                run: () => {
                    posmodel.data.network.offline = true;
                },
            },
            ...openEditor(),
            {
                content: "the editor shows the profile read before, and says the till is offline",
                trigger: editor(
                    `.o_retail_customer_mgmt_profile_offline ~ div .o_retail_customer_mgmt_profile_wechat`
                ),
                run: function () {
                    if (this.anchor.value !== "pan_wx88") {
                        throw new Error(`WeChat ID shown: ${this.anchor.value}`);
                    }
                },
            },
            {trigger: editor(".o_retail_customer_mgmt_profile_consent_sms"), run: "click"},
            saveProfile(),
            editorClosed(),
            card(
                ".o_retail_customer_mgmt_card_channel_sms.o_retail_customer_mgmt_card_channel_given",
                "the card shows the SMS consent given offline"
            ),
            {
                content: "the edit is queued, with its key",
                trigger: "body",
                run: () => {
                    const queued = posmodel.data.network.unsyncData;
                    if (
                        queued.length !== 1 ||
                        queued[0].args[0].method !== "retail_pos_save_profile"
                    ) {
                        throw new Error(`queued: ${JSON.stringify(queued)}`);
                    }
                    window.retailQueuedEdit = JSON.parse(JSON.stringify(queued[0].args[0]));
                    // back online: the POS sends its queue
                    window.dispatchEvent(new Event("online"));
                },
            },
            waitFor(
                "the queue is sent",
                () => !posmodel.data.network.unsyncData.length && !posmodel.data.syncInProgress
            ),
            {
                content: "the same edit sent again changes nothing",
                trigger: "body",
                run: async () => {
                    const edit = window.retailQueuedEdit;
                    const result = await rpc(`/web/dataset/call_kw/res.partner/${edit.method}`, {
                        model: "res.partner",
                        method: edit.method,
                        args: edit.args,
                        kwargs: edit.kwargs,
                    });
                    if (!result.replayed) {
                        throw new Error(`replay applied again: ${JSON.stringify(result)}`);
                    }
                },
            },
            {
                content: "close the card",
                trigger: ".o_retail_customer_mgmt_card .o_retail_customer_mgmt_card_close",
                run: "click",
            },
            Chrome.endTour(),
        ].flat(),
});

// (2) The card of a VIP customer shows the service owed (priority, an open
// ticket), the consent of each channel and the recommended products as
// buttons: one is added to the order. The cashier logs a complaint about
// the current order, pays, then logs feedback about the paid order from the
// order list.
registry.category("web_tour.tours").add("RetailPosServiceCardTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ...openCardFromList("Vip Wei"),
            card(".o_retail_customer_mgmt_card_vip", "VIP priority is shown"),
            card(
                `.o_retail_customer_mgmt_card_service${hasText("1 open tickets, 1 open order problems")}`
            ),
            card(
                ".o_retail_customer_mgmt_card_channel_email.o_retail_customer_mgmt_card_channel_given"
            ),
            card(
                ".o_retail_customer_mgmt_card_channel_phone:not(.o_retail_customer_mgmt_card_channel_given)"
            ),
            card('.o_retail_customer_mgmt_card_expiring:contains("30 points expire")'),
            {
                content: "close the card",
                trigger: ".o_retail_customer_mgmt_card .o_retail_customer_mgmt_card_close",
                run: "click",
            },
            PartnerList.clickPartner("Vip Wei"),
            {
                content: "the order screen marks the VIP",
                trigger: ".product-screen .o_retail_customer_mgmt_summary_vip",
            },
            {
                content: "open the card from the order screen",
                trigger:
                    ".product-screen .o_retail_customer_mgmt_summary .o_retail_customer_mgmt_card_button",
                run: "click",
            },
            {
                content: "add the recommended tea cup to the order",
                trigger: `.o_retail_customer_mgmt_card .o_retail_customer_mgmt_card_product${hasText("Retail Tea Cup")}`,
                run: "click",
            },
            ProductScreen.selectedOrderlineHas("Retail Tea Cup", "1"),
            {
                content: "log feedback about the current order",
                trigger:
                    ".product-screen .o_retail_customer_mgmt_summary .o_retail_customer_mgmt_feedback_button",
                run: "click",
            },
            {
                content: "choose the category Packaging",
                trigger: `.o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_category:has(option${hasText("Packaging")})`,
                run: function () {
                    const option = [...this.anchor.options].find((o) => o.text === "Packaging");
                    this.anchor.value = option.value;
                    this.anchor.dispatchEvent(new Event("change"));
                },
            },
            {
                trigger: ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_save",
                run: "click",
            },
            {
                content: "a description is required",
                trigger: ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_error",
            },
            {
                trigger:
                    ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_description",
                run: "edit The cup box was crushed",
            },
            {
                trigger: ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_save",
                run: "click",
            },
            {
                content: "the ticket is created",
                trigger: '.o_notification:contains("Ticket")',
            },
            ...payCash(),
            {
                content: "no dialog is left open on the receipt screen",
                trigger: ".receipt-screen",
                run: () => {
                    const modals = [...document.querySelectorAll(".modal")];
                    if (modals.length) {
                        throw new Error(
                            `dialog open: ${modals.map((m) => m.textContent.trim()).join(" | ")}`
                        );
                    }
                },
            },
            ...ReceiptScreen.clickNextOrder(),
            ...ProductScreen.clickRefund(),
            TicketScreen.selectOrder("Vip Wei"),
            {
                content: "log feedback about the paid order",
                trigger: ".ticket-screen .o_retail_customer_mgmt_feedback_button",
                run: "click",
            },
            {
                trigger: ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_type",
                run: "select praise",
            },
            {
                trigger:
                    ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_description",
                run: "edit Thanks for the quick help",
            },
            {
                trigger: ".o_retail_customer_mgmt_feedback .o_retail_customer_mgmt_feedback_save",
                run: "click",
            },
            {
                content: "the second ticket is created, the form closed",
                trigger: `body:not(:has(.o_retail_customer_mgmt_feedback)) .ticket-screen`,
            },
            Chrome.endTour(),
        ].flat(),
});

function reprint(customer) {
    return [
        // searched on the server by customer: an order paid at another till
        // is not among those this till fetched when the list opened
        ...TicketScreen.search("Customer", customer),
        TicketScreen.selectOrder(customer),
        {
            content: `print the receipt of ${customer}'s order again`,
            trigger: '.ticket-screen .control-buttons button:contains("Print Receipt")',
            run: "click",
        },
    ];
}

function printedShows(selector, text) {
    return {
        content: `the reprinted receipt: ${selector} shows "${text}"`,
        trigger: `.render-container .pos-receipt ${selector}${text}`,
    };
}

// (3) Receipts stay true: Silver Sun's order prints a balance of 250; the
// balance grows afterwards (a manager's adjustment), the reprint still says
// 250. Charged Chen's order, paid at another till that declared 30 points for
// a reward worth 50, was charged 50: the reprint says so.
registry.category("web_tour.tours").add("RetailPosReprintTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickDisplayedProduct("Retail Tea Set"),
            ProductScreen.clickPartnerButton(),
            PartnerList.searchCustomerValue("Silver Sun"),
            PartnerList.clickPartner("Silver Sun"),
            ...payCash(),
            {
                content: "the receipt shows the balance after the order",
                trigger: `.receipt-screen .o_retail_customer_mgmt_receipt_balance .pos-receipt-right-align${hasText("250")}`,
            },
            ...ReceiptScreen.clickNextOrder(),
            {
                content:
                    "later, a manager gives Silver Sun 500 points; Charged Chen pays elsewhere",
                trigger: ".product-screen",
                run: async () => {
                    const [partner] = await callKw("res.partner", "search_read", [
                        [["name", "=", "Silver Sun"]],
                        ["id"],
                    ]);
                    const wizardId = await callKw("retail.points.adjust", "create", [
                        {
                            partner_id: partner.id,
                            operation: "add",
                            points: 500,
                            reason: "goodwill",
                        },
                    ]);
                    await callKw("retail.points.adjust", "action_apply", [[wizardId]]);
                    await otherTillSale("Charged Chen", [
                        {product: "Retail Tea Set", price: 100},
                        {reward: true, price: -0.5, declared: 30},
                    ]);
                },
            },
            ...ProductScreen.clickRefund(),
            ...reprint("Silver Sun"),
            printedShows(
                ".o_retail_customer_mgmt_receipt_balance .pos-receipt-right-align",
                hasText("250")
            ),
            printedShows(
                ".o_retail_customer_mgmt_receipt_earned .pos-receipt-right-align",
                hasText("150")
            ),
            ...reprint("Charged Chen"),
            printedShows(
                ".o_retail_customer_mgmt_receipt_charge_differs",
                hasText("The till showed 30 points for the rewards; the shop charged 50 points.")
            ),
            Chrome.endTour(),
        ].flat(),
});

// (4) Colleague Cai and Buyer Bo share their company's card. The customer
// list shows Colleague Cai; another till sells to Buyer Bo: without reloading,
// the list shows Colleague Cai's new points (POS bus).
registry.category("web_tour.tours").add("RetailPosSharedCardTour", {
    steps: () =>
        [
            Chrome.startPoS(),
            Dialog.confirm("Open Register"),
            ProductScreen.clickPartnerButton(),
            PartnerList.searchCustomerValue("Colleague Cai"),
            {
                content: "Colleague Cai has the company's 20 points",
                trigger: `${partnerLine("Colleague Cai")} .o_retail_customer_mgmt_points${hasText("20 pts")}`,
            },
            {
                content: "another till sells a 100.00 tea set to Buyer Bo (synced by RPC)",
                trigger: partnerLine("Colleague Cai"),
                run: async () => {
                    await otherTillSale("Buyer Bo", [{product: "Retail Tea Set", price: 100}]);
                    // A server wakes the websockets up with PostgreSQL's NOTIFY
                    // once the order's transaction commits; the test server
                    // skips post-commit hooks, so the till asks its websocket
                    // for the notifications written since (what a reconnect does).
                    odoo.__WOWL_DEBUG__.root.env.services.bus_service.forceUpdateChannels();
                },
            },
            {
                content: "Colleague Cai shows the company's new balance, without reload",
                trigger: `${partnerLine("Colleague Cai")} .o_retail_customer_mgmt_points${hasText("120 pts")}`,
            },
            Chrome.endTour(),
        ].flat(),
});
