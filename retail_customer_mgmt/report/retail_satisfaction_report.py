from odoo import fields, models
from odoo.tools import SQL

from ..models.survey_question import RETAIL_MEASURES
from ..models.survey_user_input import SURVEY_TRIGGERS
from ..services.satisfaction import DETRACTOR_MAX, PROMOTER_MIN


class RetailSatisfactionReport(models.Model):
    """One row per measured answer of a completed satisfaction survey (the
    scale questions with a retail measure): the score, as a share of its
    scale, and for the recommendation question its NPS points (100 for a
    promoter, 0 passive, -100 detractor), so that the average of the NPS
    points over a period or a group is its Net Promoter Score."""

    _name = "retail.satisfaction.report"
    _description = "Retail Satisfaction Answers"
    _auto = False
    _order = "date desc, id desc"
    _rec_name = "measure"
    _depends = {
        "survey.user_input": [
            "state",
            "test_entry",
            "partner_id",
            "end_datetime",
            "retail_company_id",
            "retail_trigger",
            "retail_feedback_id",
            "retail_exception_id",
        ],
        "survey.user_input.line": ["user_input_id", "question_id", "answer_type", "value_scale"],
        "survey.question": ["retail_measure", "scale_min", "scale_max"],
    }

    user_input_id = fields.Many2one("survey.user_input", string="Response", readonly=True)
    survey_id = fields.Many2one("survey.survey", readonly=True)
    partner_id = fields.Many2one("res.partner", string="Customer", readonly=True)
    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Datetime("Answered On", readonly=True)
    measure = fields.Selection(RETAIL_MEASURES, readonly=True)
    trigger = fields.Selection(
        SURVEY_TRIGGERS,
        string="Sent",
        readonly=True,
    )
    feedback_id = fields.Many2one("retail.feedback", string="Ticket", readonly=True)
    exception_id = fields.Many2one(
        "retail.order.exception", string="Exception Order", readonly=True
    )
    score = fields.Integer(readonly=True, aggregator="avg")
    score_percent = fields.Float(
        "Satisfaction (%)", readonly=True, aggregator="avg", digits=(16, 1)
    )
    nps = fields.Float(
        "NPS",
        readonly=True,
        aggregator="avg",
        digits=(16, 1),
        help="Net Promoter Score: the share of promoters (9-10) minus the share of detractors "
        "(0-6), from -100 to 100. Only the recommendation question has one.",
    )
    promoter_count = fields.Integer("Promoters", readonly=True)
    detractor_count = fields.Integer("Detractors", readonly=True)

    @property
    def _table_query(self):
        return SQL(
            """
            SELECT l.id,
                   a.id AS user_input_id,
                   a.survey_id,
                   a.partner_id,
                   a.retail_company_id AS company_id,
                   a.end_datetime AS date,
                   q.retail_measure AS measure,
                   a.retail_trigger AS trigger,
                   a.retail_feedback_id AS feedback_id,
                   a.retail_exception_id AS exception_id,
                   l.value_scale AS score,
                   100.0 * (l.value_scale - q.scale_min) / (q.scale_max - q.scale_min)
                       AS score_percent,
                   CASE WHEN q.retail_measure != 'recommend' THEN NULL
                        WHEN l.value_scale >= %(promoter)s THEN 100.0
                        WHEN l.value_scale <= %(detractor)s THEN -100.0
                        ELSE 0.0 END AS nps,
                   (q.retail_measure = 'recommend' AND l.value_scale >= %(promoter)s)::int
                       AS promoter_count,
                   (q.retail_measure = 'recommend' AND l.value_scale <= %(detractor)s)::int
                       AS detractor_count
              FROM survey_user_input_line l
              JOIN survey_user_input a ON a.id = l.user_input_id
              JOIN survey_question q ON q.id = l.question_id
             WHERE a.state = 'done'
               AND NOT COALESCE(a.test_entry, FALSE)
               AND a.retail_company_id IS NOT NULL
               AND q.retail_measure IS NOT NULL
               AND l.answer_type = 'scale'
               AND q.scale_max > q.scale_min
            """,
            promoter=PROMOTER_MIN,
            detractor=DETRACTOR_MAX,
        )
