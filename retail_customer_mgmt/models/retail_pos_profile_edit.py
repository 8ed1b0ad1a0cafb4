from odoo import fields, models


class RetailPosProfileEdit(models.Model):
    """A customer-profile edit made at a till, applied once.

    The till gives every edit a key (a uuid) when the cashier saves it, and
    sends it again with the same key when the first call got no answer (the
    till was offline, or the answer was lost): the key is recorded in the
    transaction that writes the profile, so that a replay finds it and
    changes nothing. See ``res.partner.retail_pos_save_profile``.
    """

    _name = "retail.pos.profile.edit"
    _description = "Customer Profile Edit at the Till"
    _order = "id desc"
    _check_company_auto = True

    uuid = fields.Char(required=True, readonly=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", string="Customer", required=True, readonly=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    changed_fields = fields.Char(readonly=True, help="The profile fields the edit changed.")
    state = fields.Selection(
        [("applied", "Applied"), ("refused", "Refused")],
        required=True,
        readonly=True,
        default="applied",
        help="Refused: the edit was made while the till was offline and the "
        "server refused it when it arrived (the reason is in the customer's chatter).",
    )

    _sql_constraints = [
        ("uuid_unique", "unique(uuid)", "This till edit was recorded already."),
    ]
