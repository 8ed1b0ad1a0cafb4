from odoo import api, fields, models
from odoo.exceptions import ValidationError

RETAIL_MEASURES = [
    ("overall", "Overall Satisfaction"),
    ("service", "Service Satisfaction"),
    ("product", "Product Satisfaction"),
    ("recommend", "Would Recommend (NPS)"),
]


class SurveyQuestion(models.Model):
    """A scale question of a survey can measure one side of the customer's
    satisfaction; its answers then roll up on the customer and the retail
    dashboard."""

    _inherit = "survey.question"

    retail_measure = fields.Selection(
        RETAIL_MEASURES,
        help="What this question measures for the retail satisfaction figures. "
        "Only scale questions measure; the recommendation question is answered from 0 to 10.",
    )

    @api.constrains("retail_measure", "question_type", "scale_min", "scale_max")
    def _check_retail_measure(self):
        for question in self.filtered("retail_measure"):
            if question.question_type != "scale":
                raise ValidationError(
                    self.env._(
                        "Question “%s” measures satisfaction, so it must be a scale question.",
                        question.title,
                    )
                )
            if question.retail_measure == "recommend" and (
                question.scale_min,
                question.scale_max,
            ) != (0, 10):
                raise ValidationError(
                    self.env._(
                        "The recommendation question (NPS) is answered from 0 to 10: set "
                        "the scale of “%s” to 0 - 10.",
                        question.title,
                    )
                )
