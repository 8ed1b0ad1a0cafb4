from datetime import timedelta
from uuid import uuid4

from odoo import fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import BaseCase, tagged

from ..services.profile import POS_PROFILE_FIELDS, profile_changes, wechat_id_valid
from .common import RetailCommon


@tagged("post_install", "-at_install")
class TestPosProfile(RetailCommon):
    """The till's profile editor (res.partner.retail_pos_save_profile), called
    as the POS client does, by a cashier who is not a retail user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cashier = cls._retail_user(
            "profile_cashier", "base.group_user,point_of_sale.group_pos_user"
        )
        cls.customer = cls.env["res.partner"].create(
            {"name": "Profile Pan", "email": "pan@example.cn", "mobile": "13900000001"}
        )

    def _save(self, vals, key=None, user=None, offline=False, partner=None):
        partner = (partner or self.customer).with_user(user or self.cashier)
        return partner.retail_pos_save_profile(vals, key or str(uuid4()), offline=offline)

    def _edits(self, partner=None):
        return self.env["retail.pos.profile.edit"].search(
            [("partner_id", "=", (partner or self.customer).id)]
        )

    def test_cashier_records_profile_and_consents(self):
        today = fields.Date.context_today(self.customer)
        result = self._save(
            {
                "retail_birthday": "1990-05-17",
                "retail_preferred_channel": "wechat",
                "retail_wechat_id": " pan_wx88 ",
                "retail_consent_wechat": True,
                "retail_consent_email": True,
            }
        )
        self.assertEqual(
            result["changed"],
            [
                "retail_birthday",
                "retail_consent_email",
                "retail_consent_wechat",
                "retail_preferred_channel",
                "retail_wechat_id",
            ],
        )
        partner = self.customer
        self.assertEqual(fields.Date.to_string(partner.retail_birthday), "1990-05-17")
        self.assertEqual(partner.retail_wechat_id, "pan_wx88", "stripped")
        self.assertEqual(partner.retail_preferred_channel, "wechat")
        self.assertEqual(partner.retail_consent_wechat_date, today, "dated when given")
        self.assertEqual(partner.retail_consent_email_date, today)
        self.assertEqual(self._edits().changed_fields, ", ".join(result["changed"]))
        # withdrawn at the till: the date is cleared, the address blacklisted
        self._save({"retail_consent_email": False})
        self.assertFalse(partner.retail_consent_email)
        self.assertFalse(partner.retail_consent_email_date)
        self.assertEqual(partner.retail_consent_email_withdrawn_date, today)
        self.assertTrue(self.env["mail.blacklist"].search([("email", "=", "pan@example.cn")]))
        # the consent history knows each change came from the till, by the cashier
        history = self.env["retail.consent.history"].search(
            [("partner_id", "=", partner.id)], order="id"
        )
        self.assertEqual(
            [(h.channel, h.action, h.source, h.user_id) for h in history],
            [
                ("email", "given", "pos", self.cashier),
                ("wechat", "given", "pos", self.cashier),
                ("email", "withdrawn", "pos", self.cashier),
            ],
        )
        # the card's consent figures follow
        consents = partner.with_user(self.cashier).read(["retail_pos_consents"])[0]
        self.assertEqual(consents["retail_pos_consents"], "wechat")

    def test_same_edit_applied_once(self):
        """An offline edit synced later, then sent again (its answer was
        lost): the profile changes once, the consent keeps its first date."""
        key = str(uuid4())
        first_day = fields.Date.context_today(self.customer) - timedelta(days=3)
        self.customer.write({"retail_consent_sms": True, "retail_consent_sms_date": first_day})
        vals = {"retail_consent_sms": True, "retail_birthday": "1985-01-02"}
        first = self._save(vals, key=key, offline=True)
        self.assertEqual(first["changed"], ["retail_birthday"], "the consent was given already")
        self.customer.write({"retail_birthday": "1985-01-03"})  # corrected in the back office
        again = self._save(vals, key=key, offline=True)
        self.assertTrue(again["replayed"])
        self.assertEqual(fields.Date.to_string(self.customer.retail_birthday), "1985-01-03")
        self.assertEqual(self.customer.retail_consent_sms_date, first_day)
        self.assertEqual(len(self._edits()), 1)

    def test_bad_input_is_refused_with_a_sentence(self):
        tomorrow = fields.Date.context_today(self.customer) + timedelta(days=1)
        cases = [
            ({"retail_birthday": fields.Date.to_string(tomorrow)}, ValidationError, "future"),
            ({"retail_birthday": "1850-01-01"}, ValidationError, "before 1900"),
            ({"retail_birthday": "17/05/1990"}, ValidationError, "is not a date"),
            ({"retail_wechat_id": "12 34"}, ValidationError, "WeChat ID"),
            ({"retail_wechat_id": "wx1"}, ValidationError, "6 to 20"),
            ({"retail_preferred_channel": "fax"}, ValidationError, "is not a contact channel"),
            ({"retail_tier_id": 1}, UserError, "may not change"),
            ({"email": "x@example.cn"}, UserError, "may not change"),
        ]
        for vals, exception, text in cases:
            with self.subTest(vals=vals), self.assertRaisesMessage(exception, text):
                self._save({**vals, "retail_consent_phone": True})
        self.assertFalse(self.customer.retail_consent_phone, "nothing half-written")
        self.assertFalse(self.customer.retail_birthday)
        self.assertFalse(self._edits())

    def test_offline_edit_refused_at_sync_leaves_a_note(self):
        """A bad value typed while offline cannot be corrected any more: it is
        not written, the edit is marked refused and the chatter says why; the
        till's queue is not blocked by an error."""
        result = self._save({"retail_wechat_id": "??", "retail_consent_wechat": True}, offline=True)
        self.assertIn("WeChat ID", result["refused"])
        self.assertFalse(self.customer.retail_wechat_id)
        self.assertFalse(self.customer.retail_consent_wechat)
        self.assertEqual(self._edits().state, "refused")
        self.assertIn(
            "was not saved", self.customer.message_ids[:1].body, "the back office is told"
        )

    def test_back_office_checks_the_wechat_id_too(self):
        with self.assertRaisesMessage(ValidationError, "is not valid"):
            self.customer.retail_wechat_id = "1234567"

    def test_who_may_edit(self):
        salesman = self._retail_user("profile_sales", "sales_team.group_sale_salesman")
        portal = self._retail_user("profile_portal", "base.group_portal")
        other_cashier = self._retail_user(
            "profile_cashier_2",
            "base.group_user,point_of_sale.group_pos_user",
            company=self.company_2,
        )
        local = self.env["res.partner"].create(
            {"name": "Company One Only", "company_id": self.company_1.id}
        )
        for user in (salesman, portal):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self._save({"retail_consent_email": True}, user=user)
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                self.customer.with_user(user).retail_pos_profile_read()
        with self.assertRaises(AccessError):
            self._save({"retail_consent_email": True}, user=other_cashier, partner=local)
        self.assertFalse(self.customer.retail_consent_email)
        self.assertFalse(local.retail_consent_email)
        self.assertFalse(self.env["retail.pos.profile.edit"].search([]))
        # the cashier reads what the editor shows, nothing else
        profile = self.customer.with_user(self.cashier).retail_pos_profile_read()
        self.assertEqual(set(profile), set(POS_PROFILE_FIELDS))
        # nobody but retail users reads the edit log
        with self.assertRaises(AccessError):
            self.env["retail.pos.profile.edit"].with_user(self.cashier).search([])


@tagged("retail_services")
class TestProfileRules(BaseCase):
    """The rules of a till's profile edit (services/profile.py)."""

    def test_rules(self):
        self.assertTrue(wechat_id_valid("wangfang88"))
        self.assertTrue(wechat_id_valid(""))
        for bad in ("wx_1", "8wangfang", "wang fang", "a" * 21, "王芳芳芳芳芳"):
            with self.subTest(bad=bad):
                self.assertFalse(wechat_id_valid(bad))
        changes, unknown = profile_changes(
            {"retail_wechat_id": "abcdef1", "retail_consent_sms": True},
            {"retail_wechat_id": " abcdef1 ", "retail_consent_sms": 1, "name": "x"},
        )
        self.assertEqual((changes, unknown), ({}, ["name"]))
