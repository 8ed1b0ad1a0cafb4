from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

KINDS = [("product", "Product"), ("category", "Category")]


class RetailDemandSpike(models.Model):
    """A product or category selling much faster than its usual pace.

    The hourly scan opens one alert per product or category (never two open
    ones), keeps its figures current while the spike lasts and closes it when
    the pace is back to normal; the buyer closes it once handled. A closed
    alert stays closed for the recent window: the same spike does not reopen
    it, a new spike after that opens a new alert.
    """

    _name = "retail.demand.spike"
    _description = "Demand Spike"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "state desc, ratio desc, id desc"
    _check_company_auto = True

    kind = fields.Selection(KINDS, required=True, readonly=True, index=True)
    product_id = fields.Many2one(
        "product.product", readonly=True, index=True, ondelete="cascade", check_company=True
    )
    categ_id = fields.Many2one(
        "product.category", string="Category", readonly=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    state = fields.Selection(
        [("open", "Open"), ("closed", "Closed")],
        default="open",
        required=True,
        index=True,
        tracking=True,
    )
    close_reason = fields.Selection(
        [("handled", "Handled by the buyer"), ("ended", "Pace back to normal")],
        readonly=True,
        tracking=True,
    )
    recent_days = fields.Integer("Recent Window (days)", readonly=True)
    baseline_days = fields.Integer("Usual-Pace Window (days)", readonly=True)
    recent_qty = fields.Float("Sold Recently", digits="Product Unit of Measure", readonly=True)
    baseline_qty = fields.Float("Sold Before", digits="Product Unit of Measure", readonly=True)
    # paces, ratio and cover are stored unrounded (digits would round what
    # the ORM writes, not what the scan's SQL update writes)
    recent_pace = fields.Float("Recent Pace (per day)", readonly=True)
    usual_pace = fields.Float("Usual Pace (per day)", readonly=True)
    ratio = fields.Float("Times the Usual Pace", readonly=True, aggregator="max")
    on_hand_qty = fields.Float(
        "Free On Hand",
        digits="Product Unit of Measure",
        readonly=True,
        help="Quantity in the company's warehouses, less what is reserved.",
    )
    incoming_qty = fields.Float(
        "Incoming",
        digits="Product Unit of Measure",
        readonly=True,
        help="Receipts and transfers expected into the company's warehouses.",
    )
    forecasted_qty = fields.Float(
        "Forecasted",
        digits="Product Unit of Measure",
        readonly=True,
        help="Free on hand plus incoming.",
    )
    days_of_cover = fields.Float(
        readonly=True,
        help="Days the forecasted quantity lasts at the recent pace.",
    )
    forecast_qty = fields.Float(
        "Forecast This Month",
        digits="Product Unit of Measure",
        readonly=True,
        help="Units the nightly demand forecast expects this month, all warehouses.",
    )
    forecast_next_qty = fields.Float(
        "Forecast Next Month",
        digits="Product Unit of Measure",
        readonly=True,
        help="Units the nightly demand forecast expects next month, all warehouses.",
    )
    user_id = fields.Many2one("res.users", string="Buyer", readonly=True)
    opened_at = fields.Datetime(default=fields.Datetime.now, readonly=True)
    closed_at = fields.Datetime(readonly=True)

    _sql_constraints = [
        (
            "kind_target",
            "CHECK((kind = 'product' AND product_id IS NOT NULL) "
            "OR (kind = 'category' AND categ_id IS NOT NULL))",
            "A product spike needs a product and a category spike a category.",
        ),
    ]

    def init(self):
        # one open alert per product and per category, enforced by the database
        for name, column in (("product", "product_id"), ("category", "categ_id")):
            self.env.cr.execute(
                SQL(
                    "CREATE UNIQUE INDEX IF NOT EXISTS %s ON retail_demand_spike "
                    "(company_id, %s) WHERE state = 'open' AND kind = %s",
                    SQL.identifier(f"retail_demand_spike_open_{name}_unique"),
                    SQL.identifier(column),
                    name,
                )
            )

    @api.depends("kind", "product_id", "categ_id")
    def _compute_display_name(self):
        for spike in self:
            target = spike.product_id if spike.kind == "product" else spike.categ_id
            spike.display_name = target.display_name or ""

    def write(self, vals):
        # the figures come from the scan only: users close an alert, nothing else
        if not self.env.su:
            changed = {name for name in vals if not name.startswith(("message_", "activity_"))}
            if (
                changed - {"state", "close_reason", "closed_at"}
                or vals.get("state", "closed") != "closed"
            ):
                raise UserError(
                    self.env._(
                        "Demand-spike figures come from the sales: you can only close an alert."
                    )
                )
        return super().write(vals)

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_close(self):
        """The buyer handled the spike (ordered more, raised a price...)."""
        opened = self.filtered(lambda s: s.state == "open")
        opened.write(
            {"state": "closed", "close_reason": "handled", "closed_at": fields.Datetime.now()}
        )
        opened.activity_ids.action_feedback()
        for spike in opened:
            spike.message_post(
                body=self.env._("Handled by %s: alert closed.", self.env.user.name),
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_view_product(self):
        self.ensure_one()
        if self.kind == "product":
            return self.product_id.product_tmpl_id.get_formview_action()
        return {
            "type": "ir.actions.act_window",
            "name": self.categ_id.display_name,
            "res_model": "product.template",
            "view_mode": "list,form",
            "domain": [("categ_id", "child_of", self.categ_id.id)],
        }
