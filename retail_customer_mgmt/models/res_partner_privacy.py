import io
import json
import re
from datetime import datetime

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import AccessError

from ..services.privacy import inactive_since
from .res_partner import CONSENT_CHANNELS

PROFILE_FIELDS = (
    "name",
    "email",
    "phone",
    "mobile",
    "street",
    "street2",
    "zip",
    "city",
    "lang",
    "retail_birthday",
    "retail_wechat_id",
    "retail_preferred_channel",
)
# a tier change note of the partner's chatter: "Tier in <company>: A → B (...)"
_TIER_NOTE = re.compile(r"→")
ANONYMIZE_YEARS_PARAM = "retail_customer_mgmt.anonymize_after_years"
DEFAULT_ANONYMIZE_YEARS = 5


def _plain(value):
    """A JSON and XLSX friendly value (records by name, dates as ISO)."""
    if isinstance(value, models.BaseModel):
        return value.display_name or False
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _day(value):
    """The day of a date or datetime."""
    return value.date() if isinstance(value, datetime) else value


class ResPartner(models.Model):
    """Copy of a customer's personal data (PIPL / GDPR right of access),
    accountable list exports, and the candidates for anonymisation."""

    _inherit = "res.partner"

    retail_anonymize_proposed = fields.Date(
        string="Proposed for Anonymisation On",
        readonly=True,
        copy=False,
        groups="retail_customer_mgmt.group_retail_manager",
        help="Set by the daily job when the customer has bought nothing for the configured "
        "number of years. Nothing is erased until a manager forgets the customer.",
    )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------
    def action_retail_data_copy(self):
        """Download the copy of this customer's data (retail managers)."""
        self.ensure_one()
        self._retail_check_data_copy(self)
        return {
            "type": "ir.actions.act_url",
            "url": f"/retail/privacy/copy/{self.id}?file_format=xlsx",
            "target": "download",
        }

    def export_data(self, fields_to_export):
        """Odoo's list export of contacts is logged (who, how many, which
        columns)."""
        result = super().export_data(fields_to_export)
        self.env["retail.privacy.log"]._retail_log(
            "list_export",
            len(self),
            kind=self._description,
            filter_description=", ".join(fields_to_export)[:250],
        )
        return result

    # ------------------------------------------------------------------
    # Copy of the data
    # ------------------------------------------------------------------
    @api.model
    def _retail_check_data_copy(self, partner):
        """Retail managers copy any customer's data; anyone else only their
        own (a portal user through "My data")."""
        if self.env.user.has_group("retail_customer_mgmt.group_retail_manager"):
            # a customer of a company the manager does not work for is refused
            partner.check_access("read")
            return
        own = self.env.user.partner_id.commercial_partner_id
        if not partner or partner.sudo().commercial_partner_id != own:
            raise AccessError(
                self.env._(
                    "You can only download a copy of your own data; copies of other "
                    "customers' data are made by retail managers."
                )
            )

    def _retail_data_copy(self):
        """The customer's personal data, as plain values:
        ``{section: dict or list of dicts}``. Raises an AccessError unless
        the user may copy it (see _retail_check_data_copy); logged."""
        self.ensure_one()
        self._retail_check_data_copy(self)
        # sudo: the rights were checked above; the copy reads what the
        # customer's documents hold in every company
        partner = self.sudo().commercial_partner_id
        family = partner.with_context(active_test=False).search([("id", "child_of", partner.id)])
        env = partner.env
        data = {
            "profile": {fname: _plain(partner[fname]) for fname in PROFILE_FIELDS},
            "consents": [
                {
                    "channel": channel,
                    "given": partner[f"retail_consent_{channel}"],
                    "date": _plain(partner[f"retail_consent_{channel}_date"]),
                }
                for channel in CONSENT_CHANNELS
            ],
            "consent_history": [
                {
                    "date": _plain(row.date),
                    "channel": row.channel,
                    "action": row.action,
                    "through": row.source,
                    "wording": row.wording,
                }
                for row in partner.retail_consent_history_ids
            ],
            "orders": self._retail_copy_orders(env, family),
            "points": [
                {
                    "date": _plain(line.retail_date),
                    "company": _plain(line.card_id.company_id),
                    "description": line.description,
                    "kind": line.retail_kind,
                    "issued": line.issued,
                    "used": line.used,
                }
                for line in env["loyalty.history"].search(
                    [("card_id.partner_id", "in", family.ids)], order="retail_date, id"
                )
            ],
            "tiers": self._retail_copy_tiers(env, partner),
            "tickets": [
                {
                    "reference": ticket.name,
                    "opened": _plain(ticket.opened_at),
                    "type": ticket.feedback_type,
                    "subject": ticket.subject,
                    "stage": _plain(ticket.stage_id),
                    "description": ticket.description and str(ticket.description),
                    "resolution": ticket.resolution and str(ticket.resolution),
                }
                for ticket in env["retail.feedback"].search(
                    [("partner_id", "in", family.ids)], order="opened_at"
                )
            ],
            "grades": [
                {
                    "company": _plain(grade.company_id),
                    "segment": _plain(grade.segment_id),
                    "rfm": grade.rfm_code,
                    "orders": grade.order_count,
                    "lifetime_spend": grade.lifetime_spend,
                    "average_basket": grade.avg_basket,
                    "last_purchase": _plain(grade.last_purchase),
                }
                for grade in env["retail.customer.grade"].search([("partner_id", "=", partner.id)])
            ],
        }
        self.env["retail.privacy.log"]._retail_log(
            "copy", 1, kind=self.env._("Copy of personal data"), filter_description=f"#{partner.id}"
        )
        return data

    @api.model
    def _retail_copy_orders(self, env, family):
        sales = env["sale.order"].search(
            [("partner_id", "in", family.ids), ("state", "!=", "cancel")], order="date_order"
        )
        pos = env["pos.order"].search([("partner_id", "in", family.ids)], order="date_order")
        return [
            {
                "reference": order.name,
                "date": _plain(order.date_order),
                "company": _plain(order.company_id),
                "where": kind,
                "total": order.amount_total,
                "currency": order.currency_id.name,
                "state": order.state,
            }
            for kind, orders in (("online", sales), ("shop", pos))
            for order in orders
        ]

    @api.model
    def _retail_copy_tiers(self, env, partner):
        """The current tier in each company, then the tier changes noted in
        the customer's history."""
        current = []
        for company in env["res.company"].search([]):
            tier = partner.with_company(company).retail_tier_id
            if tier:
                current.append(
                    {
                        "company": company.name,
                        "tier": tier.name,
                        "since": _plain(partner.with_company(company).retail_tier_since),
                    }
                )
        notes = env["mail.message"].search(
            [("model", "=", "res.partner"), ("res_id", "=", partner.id)], order="date"
        )
        changes = [
            {"date": _plain(note.date), "change": note.preview}
            for note in notes
            if note.body and _TIER_NOTE.search(str(note.body))
        ]
        return current + changes

    @api.model
    def _retail_data_copy_file(self, data, file_format):
        """``(content bytes, mimetype, extension)`` of ``data`` as JSON or
        XLSX (one sheet per section)."""
        if file_format == "json":
            content = json.dumps(data, ensure_ascii=False, indent=2, default=str)
            return content.encode(), "application/json", "json"
        buffer = io.BytesIO()
        workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = workbook.add_format({"bold": True})
        for section, rows in data.items():
            sheet = workbook.add_worksheet(section[:31])
            if isinstance(rows, dict):
                rows = [{"field": key, "value": value} for key, value in rows.items()]
            columns = list(rows[0]) if rows else []
            for col, title in enumerate(columns):
                sheet.write(0, col, title, bold)
                sheet.set_column(col, col, 22)
            for row_index, row in enumerate(rows, start=1):
                for col, key in enumerate(columns):
                    value = row.get(key)
                    sheet.write(row_index, col, "" if value is None else value)
        workbook.close()
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )

    # ------------------------------------------------------------------
    # Candidates for anonymisation
    # ------------------------------------------------------------------
    @api.model
    def _cron_retail_anonymize_candidates(self):
        """Propose for anonymisation the customers who bought nothing, in
        any company, for the configured number of years (and were created
        before); a customer who bought again is no longer proposed. Nothing
        is erased: managers forget the customers they confirm. A constant
        number of queries (one per company)."""
        years = int(
            self.env["ir.config_parameter"]
            .sudo()
            .get_param(ANONYMIZE_YEARS_PARAM, DEFAULT_ANONYMIZE_YEARS)
            or DEFAULT_ANONYMIZE_YEARS
        )
        today = fields.Date.context_today(self)
        cutoff = inactive_since(today, max(years, 1))
        Purchase = self.env["retail.purchase"]
        Purchase._flush()
        last = {}
        for company in self.env["res.company"].sudo().search([]):
            self.env.cr.execute(Purchase._aggregates_sql(company))
            for row in self.env.cr.dictfetchall():
                if row["last_date"]:
                    previous = last.get(row["partner_id"])
                    last[row["partner_id"]] = max(previous or row["last_date"], row["last_date"])
        Partner = self.sudo().with_context(active_test=True)
        customers = Partner.search(
            [
                ("parent_id", "=", False),
                ("user_ids", "=", False),
                ("create_date", "<", cutoff),
                "|",
                ("customer_rank", ">", 0),
                ("id", "in", list(last)),
            ]
        )
        inactive = customers.filtered(lambda p: not last.get(p.id) or _day(last[p.id]) < cutoff)
        proposed = Partner.search([("retail_anonymize_proposed", "!=", False)])
        (proposed - inactive).write({"retail_anonymize_proposed": False})
        inactive.filtered(lambda p: not p.retail_anonymize_proposed).write(
            {"retail_anonymize_proposed": today}
        )
        return inactive
