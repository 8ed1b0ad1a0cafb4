from datetime import timedelta

from odoo import api, fields, models

# Tickets of every stage, type and channel; the SLA state follows from the
# SLA policy of the type and priority and the hours since the ticket opened.
DEMO_TICKETS = [
    {
        "subject": "Jasmine tea gift box sold out again",
        "partner": "res_partner_zhang_wei_demo",
        "feedback_type": "complaint",
        "channel": "wechat",
        "priority": "0",
        "stage": "new",
        "hours": 2,
        "product": "product_jasmine_box_demo",
        "category": "feedback_category_store",
        "cause": "feedback_cause_stockout",
    },
    {
        "subject": "Teapot lid arrived cracked",
        "partner": "res_partner_olivia_brown_demo",
        "feedback_type": "complaint",
        "channel": "phone",
        "priority": "2",
        "stage": "in_progress",
        "hours": 3.5,
        "product": "product_teapot_demo",
        "category": "feedback_category_quality",
        "cause": "feedback_cause_transit",
    },
    {
        "subject": "Which tea suits a gift for my father?",
        "partner": "res_partner_yang_lei_demo",
        "feedback_type": "inquiry",
        "channel": "store",
        "priority": "0",
        "stage": "waiting",
        "hours": 30,
    },
    {
        "subject": "Please open earlier on Sundays",
        "partner": "res_partner_zhao_min_demo",
        "feedback_type": "suggestion",
        "channel": "online",
        "priority": "0",
        "stage": "new",
        "hours": 5,
    },
    {
        "subject": "Return two celadon cups of the wrong colour",
        "partner": "res_partner_sophie_martin_demo",
        "feedback_type": "return",
        "channel": "store",
        "priority": "0",
        "stage": "in_progress",
        "hours": 20,
        "order": "sale_order_sophie_martin_21_demo",
        "product": "product_celadon_cups_demo",
        "category": "feedback_category_return",
        "cause": "feedback_cause_not_as_described",
    },
    {
        "subject": "Great advice from the Shanghai shop staff",
        "partner": "res_partner_wang_fang_demo",
        "feedback_type": "praise",
        "channel": "pos",
        "priority": "0",
        "stage": "solved",
        "hours": 50,
        "resolution": "Thanked the team at the Monday meeting.",
        "rating": 5,
    },
    {
        "subject": "Delivery came a day late",
        "partner": "res_partner_chen_jing_demo",
        "feedback_type": "complaint",
        "channel": "email",
        "priority": "1",
        "stage": "solved",
        "hours": 40,
        "order": "sale_order_chen_jing_11_demo",
        "resolution": "Apologised and offered free delivery on the next order.",
        "rating": 3,
        "category": "feedback_category_delivery",
        "cause": "feedback_cause_late",
    },
    {
        "subject": "Wrong size of tea tin delivered",
        "partner": "res_partner_liam_smith_demo",
        "feedback_type": "return",
        "channel": "phone",
        "priority": "0",
        "stage": "solved",
        "hours": 100,
        "order": "sale_order_liam_smith_17_demo",
        "resolution": "Exchanged for the right size in the Manchester shop.",
        "rating": 1,
        "category": "feedback_category_return",
        "cause": "feedback_cause_not_as_described",
    },
    {
        "subject": "Teapot glaze scratched",
        "partner": "res_partner_noah_williams_demo",
        "feedback_type": "complaint",
        "channel": "store",
        "priority": "0",
        "stage": "new",
        "hours": 6,
        "product": "product_teapot_demo",
        "category": "feedback_category_quality",
        "cause": "feedback_cause_defect",
    },
    {
        "subject": "Teapot spout drips",
        "partner": "res_partner_emma_johnson_demo",
        "feedback_type": "return",
        "channel": "online",
        "priority": "0",
        "stage": "new",
        "hours": 8,
        "product": "product_teapot_demo",
        "category": "feedback_category_quality",
        "cause": "feedback_cause_defect",
    },
]


class RetailDemo(models.AbstractModel):
    _inherit = "retail.demo"

    @api.model
    def _demo_load_feedback(self):
        now = fields.Datetime.now()
        for spec in DEMO_TICKETS:
            ticket = self.env["retail.feedback"].create(
                {
                    "subject": spec["subject"],
                    "partner_id": self._ref(spec["partner"]).id,
                    "feedback_type": spec["feedback_type"],
                    "channel": spec["channel"],
                    "priority": spec["priority"],
                    "opened_at": now - timedelta(hours=spec["hours"]),
                    "sale_order_id": "order" in spec and self._ref(spec["order"]).id,
                    "product_id": "product" in spec and self._ref(spec["product"]).id,
                    "category_id": "category" in spec and self._ref(spec["category"]).id,
                    "cause_id": "cause" in spec and self._ref(spec["cause"]).id,
                    "user_id": self._ref("base.user_admin").id,
                }
            )
            ticket.write(
                {
                    "stage_id": self._ref(f"retail_feedback_stage_{spec['stage']}").id,
                    "resolution": spec.get("resolution"),
                }
            )
            if "rating" in spec:
                self._demo_answer_survey(ticket, spec["rating"])
        self._demo_feedback_by_email()

    def _demo_answer_survey(self, ticket, score):
        """The customer answers the satisfaction survey sent at closing (or,
        without survey, the one-question rating request)."""
        answer = self.env["survey.user_input"].search([("retail_feedback_id", "=", ticket.id)])
        if not answer:
            ticket.rating_apply(score, token=ticket._rating_get_access_token())
            return
        for question in answer.survey_id.question_ids.filtered("retail_measure"):
            value = score * 2 if question.retail_measure == "recommend" else score
            answer._save_lines(question, str(value))
        answer._mark_done()

    def _demo_feedback_by_email(self):
        """A customer writes to the feedback alias: the mail gateway opens the ticket."""
        alias = self._ref("mail_alias_retail_feedback")
        domain = alias.alias_domain_id.name or "example.com"
        message = (
            "From: Emma Johnson <emma.johnson@example.com>\r\n"
            f"To: {alias.alias_name}@{domain}\r\n"
            "Subject: Where is my teapot?\r\n"
            "Message-ID: <retail-demo-feedback-emma@example.com>\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n"
            "\r\n"
            "Hello, my teapot was promised three days ago and has not arrived. "
            "Could you tell me when it will be delivered?\r\n"
        )
        self.env["mail.thread"].message_process("retail.feedback", message)
