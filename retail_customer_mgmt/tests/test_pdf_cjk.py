import io
import unicodedata

from odoo.tests import HttpCase, tagged
from odoo.tools.pdf import PdfFileReader

from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestPdfChineseText(RetailCommon, HttpCase):
    """Odoo prints PDF reports with wkhtmltopdf: a Chinese customer name must
    come out as text in a CJK font (bin/setup installs wkhtmltopdf and
    fonts-noto-cjk), not as empty boxes."""

    def test_sales_order_pdf_with_a_chinese_name(self):
        # wkhtmltopdf loads the report's styles from the test server (an
        # HttpCase: the server answers with the test's own transaction)
        self.env["ir.config_parameter"].sudo().set_param("report.url", self.base_url())
        partner = self.env["res.partner"].create({"name": "王小明", "city": "上海"})
        order = self._sale(partner, 88.0, "2026-11-01 10:00:00")
        pdf, kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("sale.action_report_saleorder", res_ids=order.ids)
        )
        self.assertEqual(kind, "pdf")
        reader = PdfFileReader(io.BytesIO(pdf))
        # NFKC: the font maps some glyphs back to CJK radicals (⼩ U+2F29 for 小)
        text = unicodedata.normalize("NFKC", "".join(page.extract_text() for page in reader.pages))
        self.assertIn("王小明", text)
        self.assertIn("上海", text)
        fonts = set()
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                fonts.add(str(font.get_object().get("/BaseFont")))
        self.assertTrue(
            any("CJK" in name or "Noto" in name for name in fonts),
            f"no CJK font embedded: {sorted(fonts)}",
        )
