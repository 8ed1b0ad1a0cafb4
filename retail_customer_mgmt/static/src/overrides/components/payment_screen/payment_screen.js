import {PaymentScreen} from "@point_of_sale/app/screens/payment_screen/payment_screen";
import {patch} from "@web/core/utils/patch";
import {RETAIL_ORDER_FIELDS} from "@retail_customer_mgmt/overrides/models/pos_order";

patch(PaymentScreen.prototype, {
    /**
     * Rewards paid with points are confirmed after the sync (pos_loyalty's
     * confirm_coupon_programs): read the server's figures again so that the
     * receipt shows the points spent and the balance after them.
     */
    async _postPushOrderResolve(order, serverIds) {
        const result = await super._postPushOrderResolve(...arguments);
        const orders = this.pos.models["pos.order"]
            .readMany(serverIds)
            .filter((o) => o.get_partner() && o._get_reward_lines?.().length);
        if (orders.length) {
            await this.pos.data.read(
                "pos.order",
                orders.map((o) => o.id),
                RETAIL_ORDER_FIELDS
            );
            for (const synced of orders) {
                this.pos.retailUpdatePartnerFromOrder(synced);
            }
        }
        return result;
    },
});
