from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResCompany(models.Model):
    _inherit = "res.company"

    retail_followup_user_id = fields.Many2one(
        "res.users",
        string="Default Retail Follow-up User",
        help="Receives follow-up activities for customers without a salesperson.",
    )
    retail_feedback_manager_id = fields.Many2one(
        "res.users",
        string="Feedback Escalation Manager",
        help="Receives an activity when a feedback ticket's SLA is at risk or breached.",
    )
    retail_stock_alert_default = fields.Float(
        string="Default Low-Stock Threshold",
        help="Alert when a storable product's forecast falls below this quantity in a "
        "warehouse, for products without reordering rule nor own threshold; 0 = no alert.",
    )
    retail_stock_horizon_days = fields.Integer(
        string="Incoming Horizon (days)",
        default=7,
        help="Receipts expected within this many days count in the forecast.",
    )
    retail_exception_amount_factor = fields.Float(
        string="Abnormal Order Factor",
        default=5.0,
        help="An order above this many times the customer's usual basket opens an "
        "'abnormal order' exception; 0 = no check.",
    )
    retail_exception_since = fields.Datetime(
        string="Detect Exceptions Since",
        # the install (or company creation) transaction: orders entered before
        # the addon, Odoo's own demo orders included, are not scanned
        default=lambda self: self.env.cr.now(),
        help="Exception orders are opened only for orders entered from this date on, so that "
        "installing the addon does not flag the shop's historical orders; empty = all orders. "
        "Exceptions already open still close when their cause disappears.",
    )
    retail_loyalty_program_id = fields.Many2one(
        "loyalty.program",
        domain="[('program_type', '=', 'loyalty'), ('company_id', 'in', [id, False])]",
        help="The loyalty program whose cards hold the customers' retail points.",
    )
    retail_points_per_unit = fields.Float(
        string="Points per Currency Unit",
        default=1.0,
        help="Points earned per unit of the company currency spent, before the tier multiplier.",
    )
    retail_point_value = fields.Float(
        string="Point Value",
        default=0.01,
        digits=(16, 4),
        help="Discount, in company currency, that one point buys.",
    )
    retail_compensation_limit = fields.Float(
        string="Compensation Limit (points)",
        default=500.0,
        help="Retail users give at most this many compensation points when they resolve an "
        "exception order; above it, a retail manager resolves it.",
    )
    retail_points_trigger = fields.Selection(
        [("confirm", "Sales order confirmation"), ("paid", "Invoice payment")],
        string="Sales Orders Earn Points On",
        default="confirm",
        required=True,
    )
    retail_points_expiry_months = fields.Integer(
        string="Points Expire After (months)",
        default=0,
        help="Points expire this many months after they were earned; 0 means never.",
    )
    retail_tier_window_months = fields.Integer(
        string="Tier Window (months)",
        default=12,
        help="Tiers are decided on the spend of this many past months.",
    )
    retail_tier_grace_days = fields.Integer(
        string="Downgrade Grace Period (days)",
        default=30,
        help="A customer whose spend falls below their tier keeps it this many days "
        "before the nightly review downgrades them.",
    )

    retail_rfm_window_months = fields.Integer(
        string="Grading Window (months)",
        default=12,
        help="Frequency and monetary scores count the orders of this many past months.",
    )
    retail_churn_factor = fields.Float(
        string="Churn Factor",
        default=2.0,
        help="A customer is at risk when the days since their last purchase exceed this "
        "factor times their usual interval between purchases.",
    )

    # Engagement: recommendations and birthday greetings
    retail_reco_count = fields.Integer(
        string="Recommended Products",
        default=5,
        help="How many products are recommended to each customer.",
    )
    retail_reco_exclude_days = fields.Integer(
        string="Skip Products Bought Within (days)",
        default=30,
        help="A product the customer bought within this many days is not recommended again.",
    )
    retail_birthday_greetings = fields.Boolean(
        string="Birthday Greetings",
        default=True,
        help="Every day, customers whose birthday it is receive a greeting with a coupon "
        "(only with email consent, once a year).",
    )
    retail_birthday_program_id = fields.Many2one(
        "loyalty.program",
        string="Birthday Coupon Program",
        domain="[('program_type', '=', 'coupons'), ('company_id', 'in', [id, False])]",
        help="The coupons program whose coupons are offered on birthdays; created on first use.",
    )
    retail_birthday_coupon_days = fields.Integer(
        string="Birthday Coupon Validity (days)",
        default=30,
        help="The birthday coupon expires this many days after the birthday; 0 = never.",
    )

    @api.constrains("retail_reco_count", "retail_reco_exclude_days", "retail_birthday_coupon_days")
    def _check_retail_engagement_settings(self):
        for company in self:
            if company.retail_reco_count < 1:
                raise ValidationError(self.env._("Recommend at least one product per customer."))
            if company.retail_reco_exclude_days < 0 or company.retail_birthday_coupon_days < 0:
                raise ValidationError(
                    self.env._(
                        "The days of recently bought products and the birthday coupon "
                        "validity cannot be negative."
                    )
                )

    def _retail_get_birthday_program(self):
        """The birthday coupons program of the company, created on first use."""
        self.ensure_one()
        program = self.retail_birthday_program_id
        if program:
            return program
        # sudo: the daily job or a retail manager triggers the creation; the
        # program is company configuration of Odoo's loyalty app.
        program = (
            self.env["loyalty.program"]
            .sudo()
            .create(
                {
                    "name": self.env._("Birthday Coupons"),
                    "program_type": "coupons",
                    "company_id": self.id,
                    "trigger": "with_code",
                    "applies_on": "current",
                    # the greeting mail carries the code: no mail of Odoo's own
                    "communication_plan_ids": [fields.Command.clear()],
                    "reward_ids": [
                        fields.Command.create(
                            {
                                "reward_type": "discount",
                                "discount_mode": "percent",
                                "discount": 10,
                                "discount_applicability": "order",
                                "required_points": 1,
                            }
                        )
                    ],
                }
            )
        )
        self.sudo().retail_birthday_program_id = program
        return program

    @api.constrains(
        "retail_stock_alert_default", "retail_stock_horizon_days", "retail_exception_amount_factor"
    )
    def _check_retail_stock_settings(self):
        for company in self:
            if company.retail_exception_amount_factor < 0:
                raise ValidationError(self.env._("The abnormal order factor cannot be negative."))
            if company.retail_stock_alert_default < 0 or company.retail_stock_horizon_days < 0:
                raise ValidationError(
                    self.env._(
                        "The low-stock threshold and the incoming horizon cannot be negative."
                    )
                )

    def _retail_open_stock_alerts(self):
        self.ensure_one()
        return self.env["retail.stock.alert"].search(
            [("company_id", "=", self.id), ("state", "=", "open")],
            order="days_of_cover asc nulls last, forecast_qty",
        )

    @api.constrains("retail_rfm_window_months", "retail_churn_factor")
    def _check_retail_grading_settings(self):
        for company in self:
            if company.retail_rfm_window_months < 1:
                raise ValidationError(self.env._("The grading window must be at least one month."))
            if company.retail_churn_factor <= 0:
                raise ValidationError(self.env._("The churn factor must be greater than zero."))

    @api.constrains(
        "retail_points_per_unit",
        "retail_point_value",
        "retail_points_expiry_months",
        "retail_tier_window_months",
        "retail_tier_grace_days",
        "retail_compensation_limit",
    )
    def _check_retail_loyalty_settings(self):
        for company in self:
            if company.retail_compensation_limit < 0:
                raise ValidationError(self.env._("The compensation limit cannot be negative."))
            if company.retail_points_per_unit < 0 or company.retail_point_value < 0:
                raise ValidationError(
                    self.env._("Points per currency unit and point value cannot be negative.")
                )
            if company.retail_points_expiry_months < 0 or company.retail_tier_grace_days < 0:
                raise ValidationError(
                    self.env._(
                        "The points expiry and the downgrade grace period cannot be negative."
                    )
                )
            if company.retail_tier_window_months < 1:
                raise ValidationError(self.env._("The tier window must be at least one month."))

    def _retail_get_program(self, create=True):
        """The retail loyalty program of the company, created on first use."""
        self.ensure_one()
        program = self.retail_loyalty_program_id
        if program or not create:
            return program
        # sudo: retail users trigger the creation through their first sale;
        # the program is company configuration they may not write themselves.
        program = self.env["loyalty.program"].sudo().create(self._retail_program_values())
        self.sudo().retail_loyalty_program_id = program
        return program

    def _retail_expiry_date(self, date=None):
        """Expiry date of points credited on ``date`` (now), or None (no expiry)."""
        self.ensure_one()
        months = self.retail_points_expiry_months
        if not months:
            return None
        return fields.Date.add((date or fields.Datetime.now()).date(), months=months)

    def _retail_program_values(self):
        self.ensure_one()
        return {
            "name": self.env._("Retail Points"),
            "program_type": "loyalty",
            "applies_on": "both",
            "trigger": "auto",
            "company_id": self.id,
            "portal_visible": True,
            "portal_point_name": self.env._("Points"),
            # No earning rule: points are earned on the server by
            # retail_customer_mgmt (once per order, with the tier multiplier).
            # Nominative programs stay attached to orders with 0 points, so
            # rewards remain claimable in sales and POS.
            "reward_ids": [
                fields.Command.create(
                    {
                        "reward_type": "discount",
                        "discount_mode": "per_point",
                        "discount": self.retail_point_value or 0.01,
                        "discount_applicability": "order",
                        "required_points": 1,
                        "description": self.env._("Pay with points"),
                    }
                )
            ],
        }

    @api.model
    def _load_pos_data_fields(self, config_id):
        # the POS tells the retail program apart from Odoo's other loyalty
        # programs: its points are shown from the server's ledger
        return [*super()._load_pos_data_fields(config_id), "retail_loyalty_program_id"]
