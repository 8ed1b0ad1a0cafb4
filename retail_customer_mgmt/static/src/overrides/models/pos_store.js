import {PosStore} from "@point_of_sale/app/store/pos_store";
import {patch} from "@web/core/utils/patch";

patch(PosStore.prototype, {
    async setup() {
        await super.setup(...arguments);
        // another till (or this one) paid an order of a customer: every
        // contact of the same company on this till shows the new balance
        this.data.connectWebSocket("RETAIL_POINTS", (payload) =>
            this.retailApplyBalances(payload.accounts || {})
        );
    },
    postSyncAllOrders(orders) {
        super.postSyncAllOrders(...arguments);
        for (const order of orders) {
            this.retailUpdatePartnerFromOrder(order);
        }
    },
    /**
     * The customer's balance and tier as the server left them after this
     * order, so that the customer list and the order screen stay current
     * without reloading the customer.
     */
    retailUpdatePartnerFromOrder(order) {
        const partner = order.get_partner();
        if (!partner || !order.retailIsSynced()) {
            return;
        }
        this.retailApplyBalances({
            [partner.retail_pos_account || partner.id]: {
                points: order.retail_points_balance,
                tier: order.retail_tier_name,
                tier_color: order.retail_tier_color,
            },
        });
    },
    /**
     * @param {Object} accounts {commercial partner id: {points, tier, tier_color}}
     */
    retailApplyBalances(accounts) {
        for (const partner of this.models["res.partner"].getAll()) {
            const account = accounts[partner.retail_pos_account || partner.id];
            if (account) {
                partner.update({
                    retail_pos_points: account.points,
                    retail_pos_tier: account.tier,
                    retail_pos_tier_color: account.tier_color,
                });
            }
        }
    },
});
