import {formatFloat} from "@web/core/utils/numbers";
import {deserializeDate, formatDate} from "@web/core/l10n/dates";

/**
 * Points as cashiers read them: whole points without decimals, fractions
 * (manual adjustments) with two.
 */
export function formatRetailPoints(points) {
    const value = points || 0;
    return formatFloat(value, {digits: [69, Number.isInteger(value) ? 0 : 2]});
}

/** A date field value ("YYYY-MM-DD") in the user's date format, "" if empty. */
export function formatRetailDate(value) {
    return value ? formatDate(deserializeDate(value)) : "";
}

/**
 * CSS class of a tier colour (Odoo's colour list; 0 = no colour).
 */
export function retailTierColorClass(color) {
    return color ? `o_colorlist_item_color_${color}` : "text-bg-secondary";
}
