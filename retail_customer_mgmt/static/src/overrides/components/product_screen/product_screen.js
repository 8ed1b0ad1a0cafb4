import {ProductScreen} from "@point_of_sale/app/screens/product_screen/product_screen";
import {patch} from "@web/core/utils/patch";
import {RetailCustomerSummary} from "@retail_customer_mgmt/app/customer_summary/customer_summary";

patch(ProductScreen, {
    components: {...ProductScreen.components, RetailCustomerSummary},
});
