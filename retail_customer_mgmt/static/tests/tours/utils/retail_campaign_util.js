/**
 * Step helpers of the campaign tours (back office, list and mailing form).
 */
import {hasText} from "@retail_customer_mgmt/../tests/tours/utils/retail_tour_util";

/** Steps: tick the row of the list whose name is ``name``. */
export function selectRow(name) {
    return [
        {
            content: `tick ${name}`,
            trigger: `.o_list_view .o_data_row:has(td.o_data_cell${hasText(name)}) .o_list_record_selector input`,
            run: "click",
        },
    ];
}

/** Steps: open the list's Actions menu and run the action ``label``. */
export function runListAction(label) {
    return [
        {
            content: "open the Actions menu",
            trigger: ".o_control_panel .o_cp_action_menus button:has(i.fa-cog)",
            run: "click",
        },
        {
            content: `run ${label}`,
            trigger: `.o-dropdown--menu .o_menu_item:contains("${label}")`,
            run: "click",
        },
    ];
}
