import {PartnerLine} from "@point_of_sale/app/screens/partner_list/partner_line/partner_line";
import {patch} from "@web/core/utils/patch";
import {RetailPartnerStatus} from "@retail_customer_mgmt/app/partner_status/partner_status";

patch(PartnerLine, {
    components: {...PartnerLine.components, RetailPartnerStatus},
});
