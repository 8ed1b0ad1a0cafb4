from odoo import models

from ..services.service_level import ServiceLevel, combine


class ResPartner(models.Model):
    _inherit = "res.partner"

    # ------------------------------------------------------------------
    # Service that follows the tier and the segment
    # ------------------------------------------------------------------
    def _retail_service_levels(self, company):
        """``{commercial partner id: ServiceLevel}`` in ``company``, from the
        customer's tier and segment. A constant number of queries."""
        # sudo: tickets, exceptions and orders of any user follow the
        # customer's tier and segment, which only retail users read
        partners = self.commercial_partner_id.with_company(company).sudo()
        if not partners:
            return {}
        grades = {
            grade.partner_id.id: grade.segment_id
            for grade in self.env["retail.customer.grade"]
            .sudo()
            .search_fetch(
                [("partner_id", "in", partners.ids), ("company_id", "=", company.id)],
                ["partner_id", "segment_id"],
            )
        }
        levels = {}
        for partner in partners:
            tier, segment = partner.retail_tier_id, grades.get(partner.id)
            levels[partner.id] = combine(
                tier._retail_service_level(), segment and segment._retail_service_level()
            )
        return levels

    def _retail_service_level(self, company):
        """The service level of one customer (normal without a customer)."""
        if not self:
            return ServiceLevel()
        return self._retail_service_levels(company).get(
            self.commercial_partner_id.id, ServiceLevel()
        )
