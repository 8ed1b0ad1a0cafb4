import {registry} from "@web/core/registry";

// Data of the tours: see tests/test_feedback_portal.py. A logged-in customer
// writes about one of their orders from "My feedback" and follows it; a
// visitor uses the public form. Both first send something the server refuses
// and see why, then correct it.
registry.category("web_tour.tours").add("retail_portal_feedback_tour", {
    url: "/my/feedback",
    steps: () => [
        {
            content: "the customer has not written yet",
            trigger: ".alert-info:contains('You have not written to us yet')",
        },
        {
            content: "write to us",
            trigger: "a.o_retail_feedback_new",
            run: "click",
        },
        {
            content: "pick the order",
            trigger: "form.o_retail_feedback_form select[name='order']",
            run: "selectByIndex 1",
        },
        {
            content: "a complaint",
            trigger: "select[name='feedback_type']",
            run: "select complaint",
        },
        {
            content: "send without a subject",
            trigger: "form.o_retail_feedback_form button[type='submit']",
            run: "click",
        },
        {
            content: "the server says what is missing, and keeps the order",
            trigger:
                "input[name='subject'].is-invalid ~ .invalid-feedback:contains('Tell us in a few words')",
        },
        {
            content: "the subject",
            trigger: "input[name='subject']",
            run: "edit Lid does not fit",
        },
        {
            content: "the details",
            trigger: "textarea[name='description']",
            run: "edit The lid of the teapot wobbles.",
        },
        {
            content: "send",
            trigger: "form.o_retail_feedback_form button[type='submit']",
            run: "click",
        },
        {
            content: "the ticket page shows the subject and its status",
            trigger:
                ".card-header:contains('Lid does not fit') ~ .card-body .o_retail_ticket_stage:contains('New')",
        },
        {
            content: "back to the list",
            trigger: ".o_retail_ticket_stage",
            run() {
                window.location.assign("/my/feedback");
            },
        },
        {
            content: "the ticket is listed with its status",
            trigger: ".o_portal_my_doc_table tr:contains('Lid does not fit'):contains('New')",
        },
    ],
});

registry.category("web_tour.tours").add("retail_public_feedback_tour", {
    url: "/feedback",
    steps: () => [
        {
            content: "name",
            trigger: "input[name='name']",
            run: "edit Walk In Wu",
        },
        {
            content: "email",
            trigger: "input[name='email']",
            run: "edit wu@example.cn",
        },
        {
            content: "praise",
            trigger: "select[name='feedback_type']",
            run: "select praise",
        },
        {
            content: "send without a subject",
            trigger: "form[action='/feedback'] button[type='submit']",
            run: "click",
        },
        {
            content: "refused with the reason; the name is kept",
            trigger: ".invalid-feedback:contains('Tell us in a few words')",
        },
        {
            content: "the name is still there",
            trigger: "input[name='name']:value('Walk In Wu')",
        },
        {
            content: "the subject",
            trigger: "input[name='subject']",
            run: "edit Lovely shop",
        },
        {
            content: "the details box is still there after the refusal",
            trigger: "textarea[name='description']",
            run: "edit Friendly staff.",
        },
        {
            content: "send",
            trigger: "form[action='/feedback'] button[type='submit']",
            run: "click",
        },
        {
            content: "thanked",
            trigger: ".o_retail_public_feedback_thanks:contains('Thank you!')",
        },
    ],
});
