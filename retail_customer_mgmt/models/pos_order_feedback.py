import base64
import binascii

from markupsafe import Markup

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import html_escape
from odoo.tools.mimetypes import guess_mimetype

from .retail_feedback import FEEDBACK_TYPES

# a photo taken at the till: an image of at most 5 MB
_PHOTO_MAX_BYTES = 5 * 1024 * 1024


class PosOrder(models.Model):
    """Feedback logged at the till: the cashier records a complaint or any
    other feedback about the current or a past order; it becomes a feedback
    ticket of the order's company, with the order and its customer linked,
    following the ticket rules (sequence, SLA, priority of the customer's
    service level, category)."""

    _inherit = "pos.order"

    @api.model
    def _retail_pos_check_cashier(self):
        user = self.env.user
        if not (
            user.has_group("point_of_sale.group_pos_user")
            or user.has_group("retail_customer_mgmt.group_retail_user")
        ):
            raise AccessError(
                self.env._("Only cashiers and retail users log feedback from the till.")
            )

    @api.model
    def retail_pos_feedback_options(self):
        """The ticket types and the categories of the current company, for
        the till's feedback form."""
        self._retail_pos_check_cashier()
        # sudo: cashiers pick a category without reading the category model
        categories = (
            self.env["retail.feedback.category"]
            .sudo()
            .search_read(
                [("company_id", "in", [self.env.company.id, False])], ["name"], order="sequence, id"
            )
        )
        labels = dict(FEEDBACK_TYPES)
        types = (
            self.env["retail.feedback"]._fields["feedback_type"]._description_selection(self.env)
        )
        return {
            "types": [{"id": key, "name": label} for key, label in types if key in labels],
            "categories": categories,
        }

    def retail_pos_log_feedback(self, vals):
        """Open a feedback ticket about this order from the till.

        :param vals: ``feedback_type``, ``description``, optional
            ``category_id``, ``photo`` (base64) and ``photo_name``
        :return: the ticket's reference, priority and SLA deadline
        """
        self.ensure_one()
        self._retail_pos_check_cashier()
        self.check_access("read")
        feedback_type = vals.get("feedback_type")
        description = (vals.get("description") or "").strip()
        if feedback_type not in dict(FEEDBACK_TYPES):
            raise UserError(self.env._("Choose what kind of feedback this is."))
        if not description:
            raise UserError(self.env._("Write what the customer said before saving the ticket."))
        category = self._retail_pos_feedback_category(vals.get("category_id"))
        photo = self._retail_pos_feedback_photo(vals.get("photo"))
        types = dict(
            self.env["retail.feedback"]._fields["feedback_type"]._description_selection(self.env)
        )
        # sudo: cashiers are not retail users; the ticket is the shop's record
        # of what the customer said about an order the cashier may read
        ticket = (
            self.env["retail.feedback"]
            .sudo()
            .with_company(self.company_id)
            .create(
                {
                    "subject": self.env._(
                        "%(type)s about %(order)s", type=types[feedback_type], order=self.name
                    ),
                    "feedback_type": feedback_type,
                    "channel": "pos",
                    "company_id": self.company_id.id,
                    "partner_id": self.partner_id.id,
                    "pos_order_id": self.id,
                    "category_id": category.id,
                    "description": Markup("<p>%s</p>")
                    % Markup("<br/>").join(html_escape(part) for part in description.splitlines()),
                }
            )
        )
        if photo:
            attachment = (
                self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": vals.get("photo_name") or "photo",
                        "datas": base64.b64encode(photo),
                        "res_model": ticket._name,
                        "res_id": ticket.id,
                    }
                )
            )
            ticket.message_post(
                body=self.env._("Photo taken at the till by %s.", self.env.user.name),
                attachment_ids=attachment.ids,
                subtype_xmlid="mail.mt_note",
            )
        return {
            "id": ticket.id,
            "name": ticket.name,
            "priority": ticket.priority,
            "sla_deadline": ticket.sla_deadline,
        }

    def _retail_pos_feedback_category(self, category_id):
        if not category_id:
            return self.env["retail.feedback.category"]
        # sudo: see retail_pos_feedback_options
        category = self.env["retail.feedback.category"].sudo().browse(int(category_id)).exists()
        if not category or (category.company_id and category.company_id != self.company_id):
            raise UserError(self.env._("This feedback category does not exist in this shop."))
        return category

    def _retail_pos_feedback_photo(self, photo):
        if not photo:
            return b""
        try:
            raw = base64.b64decode(photo, validate=True)
        except (binascii.Error, ValueError, TypeError) as error:
            raise UserError(self.env._("The photo could not be read: take it again.")) from error
        if len(raw) > _PHOTO_MAX_BYTES:
            raise UserError(self.env._("The photo is larger than 5 MB: take a smaller one."))
        if not guess_mimetype(raw).startswith("image/"):
            raise UserError(self.env._("Only a photo (an image file) can be attached."))
        return raw
