import {Component} from "@odoo/owl";
import {
    formatRetailPoints,
    retailTierColorClass,
} from "@retail_customer_mgmt/app/utils/retail_format";

/**
 * The customer's tier in its colour, and optionally the points balance.
 * Customers without a tier (no purchase yet) show no badge.
 */
export class RetailTierBadge extends Component {
    static template = "retail_customer_mgmt.RetailTierBadge";
    static props = {
        partner: Object,
        showPoints: {type: Boolean, optional: true},
    };
    static defaultProps = {showPoints: true};

    get colorClass() {
        return retailTierColorClass(this.props.partner.retail_pos_tier_color);
    }
    get points() {
        return formatRetailPoints(this.props.partner.retail_pos_points);
    }
}
