import {Component} from "@odoo/owl";
import {useService} from "@web/core/utils/hooks";
import {RetailTierBadge} from "@retail_customer_mgmt/app/tier_badge/tier_badge";
import {RetailCustomerCard} from "@retail_customer_mgmt/app/customer_card/customer_card";

/** Tier badge, points and a customer-card button on a line of the customer list. */
export class RetailPartnerStatus extends Component {
    static template = "retail_customer_mgmt.RetailPartnerStatus";
    static components = {RetailTierBadge};
    static props = {partner: Object};

    setup() {
        this.dialog = useService("dialog");
    }
    get hasLoyalty() {
        return Boolean(this.props.partner.retail_pos_tier || this.props.partner.retail_pos_points);
    }
    openCard() {
        this.dialog.add(RetailCustomerCard, {partner: this.props.partner});
    }
}
