import {PosOrder} from "@point_of_sale/app/models/pos_order";
import {patch} from "@web/core/utils/patch";
import {formatRetailPoints} from "@retail_customer_mgmt/app/utils/retail_format";

// Figures of an order's retail points, computed by the server from its ledger
// and returned with the synced order (see pos.order in retail_customer_mgmt).
export const RETAIL_ORDER_FIELDS = [
    "retail_points_earned",
    "retail_points_spent",
    "retail_points_taken_back",
    "retail_points_balance",
    "retail_tier_name",
    "retail_tier_color",
];

patch(PosOrder.prototype, {
    /** True once the server has answered for this order (its figures are loaded). */
    retailIsSynced() {
        return (
            typeof this.id === "number" &&
            this.state !== "draft" &&
            typeof this.retail_points_balance === "number"
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
