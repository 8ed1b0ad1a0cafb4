"""The redaction and inactivity rules of services/privacy.py: hand-picked
cases and, for redaction, random texts and terms (hypothesis, derandomized)."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from odoo.tests import BaseCase, tagged

from ..services.privacy import MASK, contains_any, inactive_since, redact, search_terms

PROPERTY = settings(max_examples=300, deadline=None, derandomize=True, database=None)
# letters of names, emails and numbers, and the mask's own character
alphabet = st.sampled_from("abAB.@+ 19*&;#")


@tagged("retail_services")
class TestPrivacyServices(BaseCase):
    def test_search_terms(self):
        terms = search_terms(
            names=["O'Neil Wang", "Li"],
            emails=["o.wang@example.cn", False],
            phones=["+86 139-0000 0101", None],
        )
        self.assertIn("O'Neil Wang", terms)
        self.assertIn("O&#x27;Neil Wang", terms, "as written in HTML")
        self.assertIn("O&#39;Neil Wang", terms, "as Odoo writes it in HTML")
        self.assertIn("+86 139-0000 0101", terms)
        self.assertIn("+8613900000101", terms)
        self.assertIn("8613900000101", terms)
        self.assertNotIn("Li", terms, "too short: would erase ordinary words")
        self.assertEqual(terms, sorted(terms, key=lambda t: (-len(t), t)), "longest first")
        self.assertEqual(search_terms(names=["a*b*c"]), [], "the mask's character")

    def test_redact(self):
        terms = search_terms(names=["Wang Fang"], emails=["wf@example.cn"])
        self.assertEqual(
            redact(
                "<p>Call WANG fang at <a href='mailto:wf@example.cn'>wf@example.cn</a></p>", terms
            ),
            f"<p>Call {MASK} at <a href='mailto:{MASK}'>{MASK}</a></p>",
        )
        self.assertEqual(redact("nothing here", terms), "nothing here")
        self.assertIs(redact(False, terms), False)
        self.assertEqual(redact("Wang Fang", []), "Wang Fang")
        self.assertTrue(contains_any("x WANG FANG y", terms))
        self.assertFalse(contains_any(None, terms))

    def test_inactive_since(self):
        self.assertEqual(inactive_since(date(2026, 11, 20), 5), date(2021, 11, 20))
        self.assertEqual(inactive_since(date(2024, 2, 29), 1), date(2023, 2, 28))
        with self.assertRaises(ValueError):
            inactive_since(date(2026, 1, 1), 0)

    @PROPERTY
    @given(
        text=st.text(alphabet, max_size=60),
        names=st.lists(st.text(alphabet, min_size=1, max_size=8), max_size=3),
    )
    def test_no_term_survives_redaction(self, text, names):
        terms = search_terms(names=names)
        # the terms planted in the text, then anything around them
        planted = text + "".join(terms) + text
        redacted = redact(planted, terms)
        self.assertFalse(contains_any(redacted, terms), (planted, terms, redacted))
        if not contains_any(planted, terms):
            self.assertEqual(redacted, planted, "a text without a term is left as is")
