from pathlib import Path

import polib

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import TranslationModuleReader

MODULE = "retail_customer_mgmt"
PO_FILE = Path(__file__).resolve().parent.parent / "i18n" / "zh_CN.po"


@tagged("post_install", "-at_install")
class TestChineseTranslation(TransactionCase):
    """zh_CN is a first-class language: every string of the module is translated."""

    def test_every_module_string_has_a_zh_cn_translation(self):
        translated = {entry.msgid for entry in polib.pofile(str(PO_FILE)) if entry.msgstr.strip()}
        terms = {
            src
            for module, _type, _name, _res_id, src, _value, _comments in TranslationModuleReader(
                self.env.cr, modules=[MODULE]
            )
            if module == MODULE and src
        }
        self.assertGreater(len(terms), 100)
        missing = sorted(terms - translated)
        self.assertFalse(missing, f"strings without a zh_CN translation: {missing[:20]}")

    def test_chinese_users_see_chinese(self):
        self.env["res.lang"]._activate_lang("zh_CN")
        self.env["ir.module.module"]._load_module_terms([MODULE], ["zh_CN"], overwrite=True)
        env = self.env(context={"lang": "zh_CN"})
        self.assertEqual(env.ref(f"{MODULE}.retail_tier_gold").name, "金卡")
        self.assertEqual(env.ref(f"{MODULE}.retail_tier_diamond").name, "钻石")
        self.assertEqual(
            env["res.partner"]._fields["retail_lifetime_spend"].get_description(env)["string"],
            "累计消费",
        )
        with self.assertRaises(ValidationError) as catcher:
            env["res.partner"].create({"name": "未来", "retail_birthday": "2999-01-01"})
        self.assertIn("晚于今天", str(catcher.exception))
