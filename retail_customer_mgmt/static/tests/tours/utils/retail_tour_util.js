/**
 * Step helpers of the retail tours.
 *
 * Texts are matched whole: ":contains("100")" would also match "1000" and
 * ":contains("0")" any number with a zero, so hasText() matches the element's
 * whole text (trimmed, spaces collapsed, as Odoo's tour helpers read it).
 *
 * Absence is checked inside a block that has rendered: absentIn() waits for
 * the block and for a part of it that is always there before saying that
 * another part is missing, so the step cannot pass on a half-rendered screen.
 */

function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** Selector filter: the element's whole text is ``text``. */
export function hasText(text) {
    return `:contains(/^${escapeRegExp(String(text))}$/)`;
}

/**
 * Step: ``block`` has rendered (it contains ``present``) and holds none of
 * ``absent`` (a list of selectors).
 */
export function absentIn(content, block, present, absent) {
    const without = absent.map((selector) => `:not(:has(${selector}))`).join("");
    return {content, trigger: `${block}:has(${present})${without}`};
}
