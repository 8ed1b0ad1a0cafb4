from datetime import timedelta

from odoo import api, fields, models

DEFAULT_PER_HOUR = 5


class RetailFeedbackSubmission(models.Model):
    """What the public feedback form received, to limit submissions per IP
    address and per email address and hour. Kept one day."""

    _name = "retail.feedback.submission"
    _description = "Public Feedback Submission"
    _log_access = True

    ip_address = fields.Char(index=True)
    email = fields.Char(index=True)

    @api.model
    def _retail_allowed(self, ip_address, email):
        limit = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param("retail_customer_mgmt.public_feedback_per_hour", DEFAULT_PER_HOUR)
        )
        since = fields.Datetime.now() - timedelta(hours=1)
        for field, value in (("ip_address", ip_address), ("email", email)):
            if (
                value
                and self.search_count(
                    [(field, "=", value), ("create_date", ">=", since)], limit=limit
                )
                >= limit
            ):
                return False
        return True

    @api.autovacuum
    def _gc_old_submissions(self):
        self.search([("create_date", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
