from odoo import models


class PhoneBlacklist(models.Model):
    """A blacklisted number withdraws the SMS consent of its contacts."""

    _name = "phone.blacklist"
    _inherit = ["phone.blacklist", "retail.blacklist.consent"]

    _retail_channel = "sms"
    _retail_address_field = "number"
