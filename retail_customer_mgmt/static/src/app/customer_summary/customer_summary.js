import {Component} from "@odoo/owl";
import {useService} from "@web/core/utils/hooks";
import {_t} from "@web/core/l10n/translation";
import {RetailTierBadge} from "@retail_customer_mgmt/app/tier_badge/tier_badge";
import {RetailCustomerCard} from "@retail_customer_mgmt/app/customer_card/customer_card";
import {RetailFeedbackDialog} from "@retail_customer_mgmt/app/feedback_dialog/feedback_dialog";
import {formatRetailPoints} from "@retail_customer_mgmt/app/utils/retail_format";

/**
 * The current order's customer at a glance on the order screen: tier badge,
 * points, a warning when points expire soon or the customer is at risk, and
 * a button opening the customer card and one logging feedback about the
 * current order.
 */
export class RetailCustomerSummary extends Component {
    static template = "retail_customer_mgmt.RetailCustomerSummary";
    static components = {RetailTierBadge};
    static props = {partner: Object, order: {type: Object, optional: true}};

    setup() {
        this.dialog = useService("dialog");
    }
    get expiringLabel() {
        const expiring = this.props.partner.retail_pos_points_expiring;
        return expiring ? _t("%s expiring soon", formatRetailPoints(expiring)) : "";
    }
    openCard() {
        this.dialog.add(RetailCustomerCard, {partner: this.props.partner});
    }
    /** A complaint or other feedback about the order being rung up. */
    logFeedback() {
        this.dialog.add(RetailFeedbackDialog, {order: this.props.order});
    }
}
