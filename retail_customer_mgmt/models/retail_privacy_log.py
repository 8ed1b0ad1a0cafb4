from odoo import api, fields, models

ACCESS_ACTIONS = [
    ("export", "XLSX Export"),
    ("list_export", "List Export"),
    ("copy", "Copy of Personal Data"),
    ("forget", "Customer Forgotten"),
]


class RetailPrivacyLog(models.Model):
    """Who exported customer data, copied a customer's data or forgot a
    customer: user, time, company, number of records and the filter used.
    Written by the exports, the copy and the forget only (sudo), read by
    retail managers."""

    _name = "retail.privacy.log"
    _description = "Retail Personal Data Access Log"
    _order = "date desc, id desc"
    _rec_name = "action"

    date = fields.Datetime(required=True, readonly=True, default=fields.Datetime.now)
    user_id = fields.Many2one(
        "res.users", required=True, readonly=True, default=lambda self: self.env.user
    )
    company_id = fields.Many2one(
        "res.company", required=True, readonly=True, default=lambda self: self.env.company
    )
    action = fields.Selection(ACCESS_ACTIONS, required=True, readonly=True)
    kind = fields.Char(string="What", readonly=True)
    record_count = fields.Integer(string="Customers or Rows", readonly=True)
    filter_description = fields.Char(string="Filter", readonly=True)

    @api.model
    def _retail_log(self, action, count, kind=False, filter_description=False, company=None):
        """Record one access (sudo: every user's exports are logged, only
        managers read the log)."""
        return self.sudo().create(
            {
                "action": action,
                "kind": kind,
                "record_count": count,
                "filter_description": filter_description,
                "company_id": (company or self.env.company).id,
                "user_id": self.env.uid,
            }
        )
