import {Component} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {_t} from "@web/core/l10n/translation";
import {RetailTierBadge} from "@retail_customer_mgmt/app/tier_badge/tier_badge";
import {formatRetailDate, formatRetailPoints} from "@retail_customer_mgmt/app/utils/retail_format";

/**
 * A short customer card for the cashier: tier, points, points expiring soon,
 * last purchase, segment and churn warning, marketing consent and, when the
 * partner record carries them, the top recommended products.
 */
export class RetailCustomerCard extends Component {
    static template = "retail_customer_mgmt.RetailCustomerCard";
    static components = {Dialog, RetailTierBadge};
    static props = {
        partner: Object,
        close: Function,
    };

    get partner() {
        return this.props.partner;
    }
    get title() {
        return _t("Customer card: %s", this.partner.name || "");
    }
    get tierLabel() {
        return this.partner.retail_pos_tier || _t("No tier yet");
    }
    get pointsLabel() {
        return _t("%s points", formatRetailPoints(this.partner.retail_pos_points));
    }
    get expiringLabel() {
        const expiring = this.partner.retail_pos_points_expiring;
        return expiring ? _t("%s points expire within 30 days", formatRetailPoints(expiring)) : "";
    }
    get lastPurchaseLabel() {
        return this.partner.retail_pos_last_purchase
            ? formatRetailDate(this.partner.retail_pos_last_purchase)
            : _t("No purchase yet");
    }
    get segmentLabel() {
        return this.partner.retail_pos_segment || _t("Not graded yet");
    }
    get consentLabel() {
        return this.partner.retail_pos_marketing_consent
            ? _t("Accepts marketing messages")
            : _t("No marketing consent: ask the customer before sending offers");
    }
    get recommendations() {
        // filled by the recommendations feature when it is installed
        return this.partner.retail_pos_recommendations || "";
    }
}
