import tempfile

from werkzeug.exceptions import NotFound
from werkzeug.wsgi import wrap_file

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import Response, content_disposition, request

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RetailExportController(http.Controller):
    @http.route(
        "/retail_customer_mgmt/export/<string:kind>",
        type="http",
        auth="user",
        methods=["GET"],
    )
    def retail_export(self, kind, company_id=None, date_from=None, date_to=None, **kwargs):
        """Download an XLSX export of the Retail app.

        The user needs the Retail / User group (403 otherwise) and access to
        the company (403 otherwise); only the rows the user may read in that
        company are exported. The file is written to a temporary file and
        streamed from it.
        """
        if kind not in request.env["retail.xlsx.export"]._get_exports():
            raise NotFound()
        try:
            company_id = int(company_id)
            date_from = fields.Date.to_date(date_from)
            date_to = fields.Date.to_date(date_to)
        except (TypeError, ValueError) as error:
            raise UserError(
                request.env._("Give the export a company and a period (dates as YYYY-MM-DD).")
            ) from error
        if not date_from or not date_to:
            raise UserError(request.env._("Give the export a period: a start and an end date."))
        # the export runs in the chosen company only: the record rules then
        # limit every row to it, and an unauthorized company raises AccessError
        env = request.env(
            context=dict(
                request.env.context,
                allowed_company_ids=[company_id],
                lang=request.env.user.lang,
            )
        )
        company = env["res.company"].browse(company_id)
        fileobj = tempfile.TemporaryFile()  # noqa: SIM115 (closed by the response)
        try:
            filename = env["retail.dashboard"]._retail_xlsx(
                kind, company, date_from, date_to, fileobj
            )
        except Exception:
            fileobj.close()
            raise
        size = fileobj.seek(0, 2)
        fileobj.seek(0)
        return Response(
            wrap_file(request.httprequest.environ, fileobj),
            headers=[
                ("Content-Type", XLSX_MIMETYPE),
                ("Content-Disposition", content_disposition(filename)),
                ("Content-Length", str(size)),
                ("Cache-Control", "no-store"),
            ],
            direct_passthrough=True,
        )
