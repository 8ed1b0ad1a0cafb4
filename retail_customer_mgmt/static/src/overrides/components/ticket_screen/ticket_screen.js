import {TicketScreen} from "@point_of_sale/app/screens/ticket_screen/ticket_screen";
import {patch} from "@web/core/utils/patch";
import {RetailFeedbackDialog} from "@retail_customer_mgmt/app/feedback_dialog/feedback_dialog";

patch(TicketScreen.prototype, {
    /** A complaint or other feedback about a past order. */
    retailLogFeedback(order) {
        this.dialog.add(RetailFeedbackDialog, {order});
    },
});
