import json

from odoo import fields, models
from odoo.tools import SQL


class RetailGradeRunBatch(models.Model):
    """A range of customer ids of a regrade run, graded by one job.

    The batches of a run are created with it when its staging job enqueues
    them; each job grades its range and marks it done in the same
    transaction, so a job retried after a failure, or enqueued again, finds
    its range done and writes nothing twice. The run is closed once every
    range is done.
    """

    _name = "retail.grade.run.batch"
    _description = "Retail Regrade Batch"
    _order = "run_id, low"

    run_id = fields.Many2one("retail.grade.run", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="run_id.company_id", store=True, index=True)
    low = fields.Integer("After Customer Id", required=True)
    high = fields.Integer("Up To Customer Id", required=True)
    state = fields.Selection(
        [("todo", "To Grade"), ("done", "Graded")], default="todo", required=True
    )
    changed = fields.Integer("Grades Written")

    _sql_constraints = [
        ("run_range_unique", "UNIQUE(run_id, low)", "A range of customers is graded once per run.")
    ]

    def _retail_identity_key(self):
        self.ensure_one()
        run = self.run_id
        return f"retail.grade.run:{run.company_id.id}:{run.id}:{self.low}-{self.high}"

    def _retail_queue_grade(self):
        """Job: grade the range with the run's cut points, once."""
        self.ensure_one()
        self = self.sudo()  # noqa: PLW0642 (sudo: see retail.grade.run._retail_queue_stage)
        # the batch row is locked until the job commits: the same range
        # performed twice at once waits here, then finds it done
        self.flush_recordset(["state"])
        self.env.cr.execute(
            SQL("SELECT state FROM retail_grade_run_batch WHERE id = %s FOR UPDATE", self.id)
        )
        if self.env.cr.fetchone()[0] == "done":
            return "already graded"
        run = self.run_id
        run._retail_queue_prepare()
        segments = self.env["retail.segment"].sudo()._segments_for(run.company_id)
        changed = run._retail_grade_range(segments, json.loads(run.cuts), self.low, self.high)
        self.write({"state": "done", "changed": changed})
        return f"{changed} grades written"
