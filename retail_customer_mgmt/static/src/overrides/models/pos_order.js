import {PosOrder} from "@point_of_sale/app/models/pos_order";
import {patch} from "@web/core/utils/patch";
import {formatRetailPoints} from "@retail_customer_mgmt/app/utils/retail_format";

// Figures of an order's retail points, written by the server from its ledger
// when the order was paid, stored on the order and returned with it (see
// pos_order_receipt.py in retail_customer_mgmt): a reprint shows them as
// they were then.
export const RETAIL_ORDER_FIELDS = [
    "retail_points_earned",
    "retail_points_spent",
    "retail_points_taken_back",
    "retail_points_balance",
    "retail_tier_name",
    "retail_tier_color",
    "retail_points_declared",
    "retail_points_charge_differs",
    "retail_points_recorded",
];

patch(PosOrder.prototype, {
    /** True once the server has recorded the order's points figures. */
    retailIsSynced() {
        return (
            typeof this.id === "number" &&
            this.state !== "draft" &&
            Boolean(this.retail_points_recorded)
        );
    },
    /** What the receipt shows of the retail points; null without a customer. */
    getRetailReceiptData() {
        if (!this.get_partner()) {
            return null;
        }
        if (!this.retailIsSynced()) {
            return {synced: false};
        }
        return {
            synced: true,
            tier: this.retail_tier_name || "",
            earned: this.retail_points_earned ? formatRetailPoints(this.retail_points_earned) : "",
            spent: this.retail_points_spent ? formatRetailPoints(this.retail_points_spent) : "",
            takenBack: this.retail_points_taken_back
                ? formatRetailPoints(this.retail_points_taken_back)
                : "",
            balance: formatRetailPoints(this.retail_points_balance),
            chargeDiffers: Boolean(this.retail_points_charge_differs),
            declared: formatRetailPoints(this.retail_points_declared),
            charged: formatRetailPoints(this.retail_points_spent),
        };
    },
    export_for_printing(baseUrl, headerData) {
        const result = super.export_for_printing(...arguments);
        const retailProgram = this.company.retail_loyalty_program_id;
        if (retailProgram && result.loyaltyStats) {
            // the retail program's points are printed from the server's figures
            result.loyaltyStats = result.loyaltyStats.filter(
                (stat) => stat.program?.id !== retailProgram.id
            );
        }
        result.retailPoints = this.getRetailReceiptData();
        return result;
    },
});
