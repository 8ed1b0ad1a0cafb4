from odoo import models


class MailBlacklist(models.Model):
    """A blacklisted email address withdraws the email consent of its contacts."""

    _name = "mail.blacklist"
    _inherit = ["mail.blacklist", "retail.blacklist.consent"]

    _retail_channel = "email"
    _retail_address_field = "email"
