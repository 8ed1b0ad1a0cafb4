import json
from collections import Counter

from odoo import api, fields, models

from .res_partner import CONSENT_CHANNELS
from .res_partner_pos import _POS_GROUPS


def _card_field(field_type, **kwargs):
    """A field of what the till's customer card shows of the service owed."""
    return field_type(
        compute="_compute_retail_pos_card", compute_sudo=True, groups=_POS_GROUPS, **kwargs
    )


class ResPartner(models.Model):
    """What the service owes the customer, on the till's customer card: VIP
    priority, open tickets and exceptions, consent of each channel and the
    recommended products as buttons. Computed as superuser for cashiers, for
    all loaded customers at once (a constant number of queries)."""

    _inherit = "res.partner"

    retail_pos_vip = _card_field(
        fields.Boolean, help="The customer's tier or segment asks for priority service."
    )
    retail_pos_open_tickets = _card_field(fields.Integer)
    retail_pos_open_exceptions = _card_field(fields.Integer)
    retail_pos_consents = _card_field(
        fields.Char, help="The channels the customer consented to marketing on, comma-separated."
    )
    retail_pos_account = _card_field(
        fields.Integer,
        help="The commercial entity whose loyalty card the customer shares (its contacts "
        "see the same points).",
    )
    retail_pos_recommended_products = _card_field(
        fields.Char, help="Ids of the recommended products sold in the Point of Sale (JSON list)."
    )

    @api.depends_context("company")
    def _compute_retail_pos_card(self):
        company = self.env.company
        partners = self.commercial_partner_id
        levels = self._retail_service_levels(company) if partners else {}
        tickets, exceptions = Counter(), Counter()
        if partners:
            for model, counter, domain in (
                ("retail.feedback", tickets, [("is_closed", "=", False)]),
                (
                    "retail.order.exception",
                    exceptions,
                    [("state", "in", ("new", "notified", "in_progress"))],
                ),
            ):
                for partner, count in self.env[model]._read_group(
                    [
                        *domain,
                        ("company_id", "=", company.id),
                        ("partner_id.commercial_partner_id", "in", partners.ids),
                    ],
                    ["partner_id"],
                    ["__count"],
                ):
                    counter[partner.commercial_partner_id.id] += count
        products = {}
        for reco in self._retail_recommendations():
            if reco.product_id.available_in_pos and reco.product_id.sale_ok:
                products.setdefault(reco.partner_id.id, []).append(reco.product_id.id)
        for partner in self:
            key = partner.commercial_partner_id.id
            level = levels.get(key)
            partner.retail_pos_account = key
            partner.retail_pos_vip = bool(level and level.vip)
            partner.retail_pos_open_tickets = tickets[key]
            partner.retail_pos_open_exceptions = exceptions[key]
            partner.retail_pos_consents = ",".join(
                channel for channel in CONSENT_CHANNELS if partner[f"retail_consent_{channel}"]
            )
            partner.retail_pos_recommended_products = json.dumps(products.get(key, [])[:5])

    @api.model
    def _load_pos_data_fields(self, config_id):
        return super()._load_pos_data_fields(config_id) + [
            "retail_pos_vip",
            "retail_pos_open_tickets",
            "retail_pos_open_exceptions",
            "retail_pos_consents",
            "retail_pos_recommended_products",
            "retail_pos_account",
        ]
