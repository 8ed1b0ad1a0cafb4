import {Component} from "@odoo/owl";
import {Dialog} from "@web/core/dialog/dialog";
import {_t} from "@web/core/l10n/translation";
import {useService} from "@web/core/utils/hooks";
import {usePos} from "@point_of_sale/app/store/pos_hook";
import {RetailTierBadge} from "@retail_customer_mgmt/app/tier_badge/tier_badge";
import {RetailProfileEditor} from "@retail_customer_mgmt/app/profile_editor/profile_editor";
import {formatRetailDate, formatRetailPoints} from "@retail_customer_mgmt/app/utils/retail_format";

/**
 * A short customer card for the cashier: tier, points, points expiring soon,
 * last purchase, segment and churn warning, what the service owes the
 * customer (VIP priority, open tickets and exception orders), the consent
 * of each channel, and the recommended products as buttons that add the
 * product to the current order. The profile editor opens from here.
 */
export class RetailCustomerCard extends Component {
    static template = "retail_customer_mgmt.RetailCustomerCard";
    static components = {Dialog, RetailTierBadge};
    static props = {
        partner: Object,
        close: Function,
    };

    setup() {
        this.pos = usePos();
        this.dialog = useService("dialog");
    }
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
    get consentChannels() {
        const given = new Set((this.partner.retail_pos_consents || "").split(","));
        return [
            {id: "email", name: _t("Email")},
            {id: "sms", name: _t("SMS")},
            {id: "phone", name: _t("Phone")},
            {id: "wechat", name: _t("WeChat")},
        ].map((channel) => ({...channel, given: given.has(channel.id)}));
    }
    get serviceLabel() {
        const tickets = this.partner.retail_pos_open_tickets || 0;
        const exceptions = this.partner.retail_pos_open_exceptions || 0;
        if (!tickets && !exceptions) {
            return _t("Nothing pending");
        }
        return _t("%(tickets)s open tickets, %(exceptions)s open order problems", {
            tickets,
            exceptions,
        });
    }
    get recommendedProducts() {
        let ids = [];
        try {
            ids = JSON.parse(this.partner.retail_pos_recommended_products || "[]");
        } catch {
            ids = [];
        }
        return ids.map((id) => this.pos.models["product.product"].get(id)).filter(Boolean);
    }
    get recommendations() {
        // the names, when the products are not loaded in this till
        return this.recommendedProducts.length ? "" : this.partner.retail_pos_recommendations || "";
    }
    async addProduct(product) {
        if (!this.pos.get_order()) {
            this.pos.add_new_order();
        }
        await this.pos.addLineToCurrentOrder({product_id: product}, {});
        this.props.close();
    }
    editProfile() {
        this.dialog.add(RetailProfileEditor, {partner: this.partner});
    }
}
