from odoo import api, models


class RetailRecommendation(models.Model):
    """The nightly recommendations rebuild on OCA's queue_job: one job per
    company (channel ``root.retail``) instead of every company in the
    scheduled action's transaction."""

    _inherit = "retail.recommendation"

    @api.model
    def _cron_retail_refresh(self):
        channel = self.env["retail.grade.run"]._retail_queue_channel()
        for company in self.env["res.company"].search([]):
            self.with_delay(
                channel=channel,
                identity_key=f"retail.recommendation:{company.id}:refresh",
                description=f"Recommendations of {company.name}",
            )._retail_queue_refresh(company)

    @api.model
    def _retail_queue_refresh(self, company):
        """Job: rebuild ``company``'s recommendations (two statements)."""
        # sudo: as the scheduled action (OdooBot) does, the rebuild reads
        # every order of the company and rewrites its table
        count = self.sudo()._retail_refresh(company)
        return f"{count} recommendations"
