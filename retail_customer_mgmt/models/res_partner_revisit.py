from odoo import fields, models

from ..services.revisit import revisit_channel


class ResPartner(models.Model):
    _inherit = "res.partner"

    retail_preferred_channel = fields.Selection(
        selection_add=[("visit", "Visit")], ondelete={"visit": "set null"}
    )

    # ------------------------------------------------------------------
    # Revisits: through a channel the customer consented to
    # ------------------------------------------------------------------
    def _retail_revisit_consents(self):
        """``{partner id: channels the partner may be revisited on}``.

        Calls, email, SMS and WeChat follow the consent check of every
        marketing contact (``_retail_may_contact``); a visit is arranged by
        phone, so it needs the phone consent and an address to go to.
        """
        consents = self._retail_consented_channels()
        # sudo: the address of customers who allowed calls, read by the
        # nightly planner whatever the contact-details group of its user
        for partner in self.sudo().filtered(lambda p: "phone" in consents[p.id]):
            if (partner.street or "").strip() or (partner.city or "").strip():
                consents[partner.id].add("visit")
        return consents

    def _retail_revisit_channels(self, segments):
        """``{partner id: channel or None}`` for the partners of ``self``,
        whose segment is ``segments[partner id]`` (a retail.segment)."""
        consents = self._retail_revisit_consents()
        # sudo: the preferred channel is a retail field; the planner reads it
        # for the salesperson who gets the activity
        return {
            partner.id: revisit_channel(
                partner.retail_preferred_channel or None,
                consents[partner.id],
                segments[partner.id].revisit_channel or None,
            )
            for partner in self.sudo()
        }
