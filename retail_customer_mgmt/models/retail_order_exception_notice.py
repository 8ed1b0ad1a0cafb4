import logging
from datetime import timedelta

from odoo import api, fields, models

from ..services.notices import CUSTOMER_FACING, pick_channel

TEMPLATES = {
    "stock": "retail_customer_mgmt.mail_template_order_exception",
    "late": "retail_customer_mgmt.mail_template_order_exception_late",
    "address": "retail_customer_mgmt.mail_template_order_exception_address",
    "product": "retail_customer_mgmt.mail_template_order_exception_product",
}
RESOLVED_TEMPLATE = "retail_customer_mgmt.mail_template_order_exception_resolved"
# one PostgreSQL advisory lock for the two jobs that write exception orders:
# the detection and the notices would otherwise update the same rows at the
# same moment and one of them fail on a serialization conflict
JOBS_LOCK = 0x52455843  # "REXC"

_logger = logging.getLogger(__name__)


class RetailOrderException(models.Model):
    """The customer hears about a problem with their order when it is
    detected and again when it is resolved: once each, on the channel they
    prefer among those they consented to."""

    _inherit = "retail.order.exception"

    notice_channel = fields.Selection(
        [("email", "Email"), ("sms", "SMS"), ("phone", "Phone Call"), ("wechat", "WeChat")],
        readonly=True,
        copy=False,
        help="How the customer was told about the problem.",
    )
    notice_pending = fields.Boolean(readonly=True, copy=False, index="btree_not_null")
    resolution_notice_pending = fields.Boolean(readonly=True, copy=False, index="btree_not_null")
    resolution_notified_on = fields.Datetime(readonly=True, copy=False)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if vals.get("exception_type") in CUSTOMER_FACING and vals.get("partner_id"):
                vals["notice_pending"] = True
        exceptions = super().create(vals_list)
        if exceptions.filtered("notice_pending"):
            self._retail_trigger_notices()
        return exceptions

    def write(self, vals):
        res = super().write(vals)
        if vals.get("state") == "resolved":
            told = self.filtered(lambda e: e.notified_on and not e.resolution_notified_on)
            if told:
                super(RetailOrderException, told).write({"resolution_notice_pending": True})
                self._retail_trigger_notices()
        return res

    # ------------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------------
    def _retail_trigger_notices(self):
        # the notices leave in their own job right after this transaction:
        # detecting and resolving stay set-based and never wait for mail
        self.env.ref("retail_customer_mgmt.ir_cron_retail_exception_notices")._trigger()

    @api.model
    def _retail_jobs_busy(self, cron_xmlid):
        """True when the other exception job holds the lock: this job then
        asks to run again in a minute instead of failing on a conflict."""
        self.env.cr.execute("SELECT pg_try_advisory_xact_lock(%s)", [JOBS_LOCK])
        if self.env.cr.fetchone()[0]:
            return False
        _logger.info(
            "Exception orders: the other job is running, %s retries in a minute", cron_xmlid
        )
        self.env.ref(cron_xmlid)._trigger(fields.Datetime.now() + timedelta(minutes=1))
        return True

    @api.model
    def _cron_retail_detect(self):
        if self._retail_jobs_busy("retail_customer_mgmt.ir_cron_retail_detect_exceptions"):
            return
        super()._cron_retail_detect()

    @api.model
    def _cron_retail_send_notices(self):
        """Send the pending notices: the problem, then its resolution."""
        if self._retail_jobs_busy("retail_customer_mgmt.ir_cron_retail_exception_notices"):
            return
        pending = self.search([("notice_pending", "=", True)])
        pending._retail_send_notices(resolved=False)
        pending.write({"notice_pending": False})
        solved = self.search([("resolution_notice_pending", "=", True)])
        solved._retail_send_notices(resolved=True)
        solved.write({"resolution_notice_pending": False})

    def _retail_channels(self):
        """``{partner: channel or None}`` for the customers of ``self``."""
        partners = self.partner_id
        consents = partners._retail_consented_channels()
        return {
            partner: pick_channel(partner.sudo().retail_preferred_channel, consents[partner.id])
            for partner in partners
        }

    def _retail_send_notices(self, resolved):
        """Tell the customers of ``self`` (the problem, or its resolution),
        each at most once."""
        if resolved:
            todo = self.filtered(lambda e: e.notified_on and not e.resolution_notified_on)
        else:
            # still open and not told by hand in the meantime
            todo = self.filtered(lambda e: e.state == "new" and not e.notified_on)
        if not todo:
            return
        channels = todo._retail_channels()
        now = fields.Datetime.now()
        for exception in todo:
            channel = channels.get(exception.partner_id)
            if not channel:
                if not resolved:
                    exception.message_post(
                        body=self.env._(
                            "The customer was not told about this problem: they consented "
                            "to no contact channel (or left no address for it)."
                        )
                    )
                continue
            exception._retail_notify(channel, resolved)
            if resolved:
                exception.resolution_notified_on = now
            else:
                exception.write(
                    {"state": "notified", "notified_on": now, "notice_channel": channel}
                )

    def _retail_notify(self, channel, resolved):
        self.ensure_one()
        if channel == "email":
            template = self.env.ref(
                RESOLVED_TEMPLATE if resolved else TEMPLATES[self.exception_type]
            )
            self.message_post_with_source(
                template,
                subtype_xmlid="mail.mt_comment",
                email_layout_xmlid="mail.mail_notification_light",
            )
            return
        text = self._retail_notice_text(resolved)
        if channel == "sms" and hasattr(self, "_message_sms"):
            self._message_sms(text, partner_ids=self.partner_id.ids)
            return
        # by phone or WeChat (or SMS without Odoo's SMS app): a person tells them
        self.activity_schedule(
            act_type_xmlid="mail.mail_activity_data_call",
            user_id=(self.user_id or self.env.user).id,
            summary=self.env._("Tell %s", self.partner_id.display_name),
            note=text,
            date_deadline=fields.Date.context_today(self),
        )

    def _retail_notice_text(self, resolved):
        order = self.sale_order_id.name or self.pos_order_id.name or ""
        if resolved:
            text = self.env._("The problem with your order %s is solved.", order)
        else:
            text = self.env._(
                "There is a problem with your order %(order)s: %(detail)s",
                order=order,
                detail=self.detail or "",
            )
        if self.promised_date:
            text += " " + self.env._(
                "New delivery date: %s.", fields.Date.to_string(self.promised_date)
            )
        return text
