import * as Campaign from "@retail_customer_mgmt/../tests/tours/utils/retail_campaign_util";
import {registry} from "@web/core/registry";

// Data of the tour: see tests/test_marketing_ui.py. Three customers are
// picked in the contact list and get an email campaign; the server keeps
// the one without email consent out when the mailing is sent.
registry.category("web_tour.tours").add("retail_campaign_tour", {
    steps: () => [
        {
            content: "the contact list is shown",
            trigger: ".o_list_view .o_data_row",
        },
        ...Campaign.selectRow("Tour Wang"),
        ...Campaign.selectRow("Tour Zhao"),
        ...Campaign.selectRow("Tour Sun"),
        ...Campaign.runListAction("Send an Email Campaign"),
        {
            content: "the mailing form opens: pick the basic theme",
            trigger: ":iframe #basic",
            run: "click",
        },
        {
            content: "write the subject",
            trigger: ".o_form_view div[name='subject'] input",
            run: "edit Autumn tea tasting",
        },
        {
            content: "send",
            trigger: ".o_form_view button[name='action_launch']",
            run: "click",
        },
        {
            content: "confirm sending",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "the mailing is queued",
            trigger: ".o_form_view:not(:has(button[name='action_launch'])) .o_form_statusbar",
        },
    ],
});
