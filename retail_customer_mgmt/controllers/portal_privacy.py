from odoo import http
from odoo.exceptions import AccessError
from odoo.http import content_disposition, request

from odoo.addons.portal.controllers.portal import CustomerPortal

from ..models.res_partner import CONSENT_CHANNELS

FILE_FORMATS = ("json", "xlsx")


def _copy_response(partner, file_format):
    """The download of the copy of ``partner``'s data, as the current user
    (rights checked and access logged by the model)."""
    Partner = request.env["res.partner"]
    data = partner._retail_data_copy()
    content, mimetype, extension = Partner._retail_data_copy_file(data, file_format)
    filename = f"{request.env._('Personal data')} {partner.id}.{extension}"
    return request.make_response(
        content,
        headers=[
            ("Content-Type", mimetype),
            ("Content-Disposition", content_disposition(filename)),
        ],
    )


class RetailPrivacyPortal(CustomerPortal):
    """'My data': the customer's own copy of their data (JSON, XLSX) and
    their marketing consents, given or withdrawn here as at the till."""

    def _retail_own_partner(self):
        return request.env.user.partner_id.commercial_partner_id

    @http.route(["/my/data"], type="http", auth="user", website=True)
    def portal_my_data(self, **kw):
        partner = self._retail_own_partner()
        # sudo: the customer's own consents (fields of retail users)
        own = partner.sudo()
        History = request.env["retail.consent.history"]
        consents = [
            {
                "channel": channel,
                "label": dict(own._fields["retail_preferred_channel"].selection)[channel],
                "given": own[f"retail_consent_{channel}"],
                "date": own[f"retail_consent_{channel}_date"],
                "wording": History._default_wording(
                    channel, "withdrawn" if own[f"retail_consent_{channel}"] else "given"
                ),
            }
            for channel in CONSENT_CHANNELS
        ]
        values = self._prepare_portal_layout_values()
        values.update(
            {
                "partner": own,
                "consents": consents,
                "error": kw.get("error"),
                "saved": kw.get("saved"),
                "page_name": "retail_my_data",
            }
        )
        return request.render("retail_customer_mgmt.portal_my_data", values)

    @http.route(["/my/data/consent"], type="http", auth="user", methods=["POST"], website=True)
    def portal_my_data_consent(self, channel=None, consent=None, **kw):
        if channel not in CONSENT_CHANNELS or consent not in ("give", "withdraw"):
            return request.redirect("/my/data?error=consent")
        partner = self._retail_own_partner()
        action = "given" if consent == "give" else "withdrawn"
        wording = request.env["retail.consent.history"]._default_wording(channel, action)
        # sudo: a customer changes their own consent (retail users' field);
        # recorded in the consent history with the wording shown
        partner.sudo().with_context(
            retail_consent_source="portal", retail_consent_wording=wording
        ).write({f"retail_consent_{channel}": consent == "give"})
        return request.redirect("/my/data?saved=1")

    @http.route(["/my/data/download"], type="http", auth="user", website=True)
    def portal_my_data_download(self, file_format="json", **kw):
        if file_format not in FILE_FORMATS:
            return request.redirect("/my/data?error=format")
        return _copy_response(self._retail_own_partner(), file_format)


class RetailPrivacyCopy(http.Controller):
    """Copy of a customer's data downloaded by a retail manager (the
    partner form's button)."""

    @http.route(["/retail/privacy/copy/<int:partner_id>"], type="http", auth="user")
    def retail_privacy_copy(self, partner_id, file_format="xlsx", **kw):
        if file_format not in FILE_FORMATS:
            return request.not_found()
        partner = request.env["res.partner"].browse(partner_id).exists()
        if not partner:
            return request.not_found()
        try:
            return _copy_response(partner, file_format)
        except AccessError as error:
            return request.make_response(
                str(error), status=403, headers=[("Content-Type", "text/plain; charset=utf-8")]
            )
