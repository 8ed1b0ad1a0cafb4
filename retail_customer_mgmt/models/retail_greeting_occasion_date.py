from odoo import api, fields, models


class RetailGreetingOccasionDate(models.Model):
    _name = "retail.greeting.occasion.date"
    _description = "Greeting Occasion Date"
    _order = "date"

    occasion_id = fields.Many2one(
        "retail.greeting.occasion", required=True, ondelete="cascade", index=True
    )
    company_id = fields.Many2one(related="occasion_id.company_id", store=True, index=True)
    date = fields.Date(required=True)
    year = fields.Integer(compute="_compute_year", store=True)

    _sql_constraints = [
        (
            "occasion_year_unique",
            "UNIQUE (occasion_id, year)",
            "An occasion has one date a year.",
        ),
    ]

    @api.depends("date")
    def _compute_year(self):
        for line in self:
            line.year = line.date.year if line.date else 0
