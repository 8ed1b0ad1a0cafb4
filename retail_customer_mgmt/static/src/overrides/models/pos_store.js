import {PosStore} from "@point_of_sale/app/store/pos_store";
import {patch} from "@web/core/utils/patch";

patch(PosStore.prototype, {
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
        partner.update({
            retail_pos_points: order.retail_points_balance,
            retail_pos_tier: order.retail_tier_name,
            retail_pos_tier_color: order.retail_tier_color,
        });
    },
});
