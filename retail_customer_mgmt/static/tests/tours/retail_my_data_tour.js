import {registry} from "@web/core/registry";

// Data of the tour: see tests/test_privacy_portal.py. A customer opens "My
// data" from the portal home, gives the SMS consent and withdraws the email
// one; the server records both in the consent history.
registry.category("web_tour.tours").add("retail_my_data_tour", {
    url: "/my",
    steps: () => [
        {
            content: "the portal home links to My Data",
            trigger: "a[href='/my/data']",
            run: "click",
        },
        {
            content: "the page shows the customer's own profile",
            trigger: ".o_retail_my_data_name:contains('Portal Data Pan')",
        },
        {
            content: "a copy of the data can be downloaded",
            trigger: "a.o_retail_my_data_json[href='/my/data/download?file_format=json']",
        },
        {
            content: "give the SMS consent",
            trigger: ".o_retail_my_data_consent_sms button:contains('I agree')",
            run: "click",
        },
        {
            content: "the choice is saved",
            trigger: ".o_retail_my_data_saved",
        },
        {
            content: "SMS is now given",
            trigger: ".o_retail_my_data_consent_sms .badge.text-bg-success",
        },
        {
            content: "withdraw the email consent",
            trigger: ".o_retail_my_data_consent_email button:contains('Withdraw')",
            run: "click",
        },
        {
            content: "email is now withdrawn",
            trigger: ".o_retail_my_data_consent_email .badge.text-bg-secondary",
        },
    ],
});
