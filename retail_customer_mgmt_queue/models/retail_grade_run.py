import logging
from itertools import pairwise

from odoo import api, fields, models
from odoo.tools import SQL

from odoo.addons.queue_job.delay import group
from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_customer_mgmt.models.retail_grade_run import MAX_ID

_logger = logging.getLogger(__name__)

# states of a job that has not finished yet (queue_job's own names)
UNFINISHED = ["wait_dependencies", "pending", "enqueued", "started"]


class RetailGradeRun(models.Model):
    """The nightly regrade on OCA's queue_job.

    The scheduled action enqueues, per company, one job that starts (or
    resumes) the run and stages its metrics: one statement that cannot be
    split. That job enqueues one job per range of customer ids over the
    staged metrics (``retail.grade.run.batch``) and, depending on all of
    them, one that closes the run (drops the staged metrics). The batches
    can run in parallel in several workers or servers: each grades its own
    range with the run's cut points, fixed at the staging.
    """

    _inherit = "retail.grade.run"

    batch_ids = fields.One2many("retail.grade.run.batch", "run_id")

    def _retail_queue_channel(self):
        # sudo: the channels are queue_job's configuration, readable by its
        # managers only; only the name is read
        channel = self.env.ref("retail_customer_mgmt_queue.queue_job_channel_retail").sudo()
        return channel.complete_name

    @api.model
    def _retail_queue_key(self, company):
        """The prefix of the identity keys of ``company``'s regrade jobs."""
        return f"retail.grade.run:{company.id}:"

    @api.model
    def _retail_queue_busy(self, company):
        """Whether a regrade job of ``company`` is waiting or running."""
        # sudo: queue.job is readable by queue_job's managers only, and the
        # count reveals nothing but whether the job is under way
        return bool(
            self.env["queue.job"]
            .sudo()
            .search_count(
                [
                    ("identity_key", "=like", self._retail_queue_key(company) + "%"),
                    ("state", "in", UNFINISHED),
                ],
                limit=1,
            )
        )

    @api.model
    def _cron_retail_regrade(self, batch_size=None, time_budget=240):
        """Enqueue the staging job of each company not graded today whose
        regrade is not already under way (see the class)."""
        today = fields.Date.context_today(self)
        for company in self.env["res.company"].search([]):
            last = self.search([("company_id", "=", company.id)], limit=1)
            if last.state == "done" and last.grading_date == today:
                continue
            if self._retail_queue_busy(company):
                continue  # its jobs finish it; a failed one is requeued in Job Queue
            self._retail_queue_enqueue(company, batch_size=batch_size)

    @api.model
    def _retail_queue_enqueue(self, company, batch_size=None):
        """Enqueue the staging job of ``company``'s regrade."""
        return self.with_delay(
            channel=self._retail_queue_channel(),
            identity_key=self._retail_queue_key(company) + "stage",
            description=f"Regrade of {company.name}: stage the metrics",
        )._retail_queue_stage(company, batch_size=batch_size)

    @api.model
    def _retail_queue_stage(self, company, batch_size=None):
        """Job: start or resume ``company``'s run, stage its metrics and
        enqueue its batches (``_retail_run_batches``)."""
        # sudo: as the inline scheduled action (OdooBot) and the managers'
        # button do, the run grades every customer of the company, whoever
        # enqueued it (only the cron does: these methods are private)
        run = (
            self.sudo()
            .with_context(retail_queue_batches=True)
            ._regrade(company, batch_size=batch_size)
        )
        return f"run {run.id}: {len(run.batch_ids)} batches, {run.total} customers"

    def _retail_run_batches(self, size, commit=False, time_budget=None, started=None):
        if not self.env.context.get("retail_queue_batches"):
            return super()._retail_run_batches(
                size, commit=commit, time_budget=time_budget, started=started
            )
        self.ensure_one()
        if self.done >= self.total:
            self._retail_close()  # nobody to grade
            return self
        batches = self.batch_ids.filtered(lambda batch: batch.state == "todo")
        if not self.batch_ids:
            batches = self._retail_create_batches(size)
        channel = self._retail_queue_channel()
        group(
            *[
                batch.delayable(
                    channel=channel,
                    identity_key=batch._retail_identity_key(),
                    description=f"Regrade of {self.company_id.name}: customers "
                    f"{batch.low + 1} to {batch.high}",
                )._retail_queue_grade()
                for batch in batches
            ]
        ).on_done(
            self.delayable(
                channel=channel,
                identity_key=self._retail_queue_key(self.company_id) + f"{self.id}:close",
                description=f"Regrade of {self.company_id.name}: close",
            )._retail_queue_close()
        ).delay()
        return self

    def _retail_create_batches(self, size):
        """The ranges of ``size`` customers of the remaining population, as
        batches: their bounds in one query."""
        self.env.cr.execute(
            SQL(
                """
                SELECT partner_id FROM (
                    SELECT partner_id, row_number() OVER (ORDER BY partner_id) AS rank,
                           count(*) OVER () AS remaining
                      FROM (%(population)s) pop
                ) ranked
                 WHERE mod(rank, %(size)s) = 0 AND rank < remaining
              ORDER BY partner_id
                """,
                population=self._population_sql(self.last_partner_id),
                size=size,
            )
        )
        bounds = [self.last_partner_id, *(pid for (pid,) in self.env.cr.fetchall()), MAX_ID]
        # sudo: the batches are the jobs' bookkeeping, written by no user
        return (
            self.env["retail.grade.run.batch"]
            .sudo()
            .create(
                [{"run_id": self.id, "low": low, "high": high} for low, high in pairwise(bounds)]
            )
        )

    def _retail_queue_prepare(self):
        """Before a batch: the session settings of ``_regrade`` and, after a
        crash of the database server emptied the staged metrics, stage them
        again (once: the run's row is locked meanwhile)."""
        self.ensure_one()
        self._retail_session_settings()
        if self._staged():
            return
        self.env.cr.execute(
            SQL("SELECT id FROM retail_grade_run WHERE id = %s FOR UPDATE", self.id)
        )
        if not self._staged():
            self._stage()

    def _retail_queue_close(self):
        """Job: once every range is graded, close the run."""
        self.ensure_one()
        self = self.sudo()  # noqa: PLW0642 (sudo: see _retail_queue_stage)
        if self.state == "done":
            return "already closed"
        todo = self.batch_ids.filtered(lambda batch: batch.state != "done")
        if todo:
            raise RetryableJobError(f"{len(todo)} batches still to grade", seconds=60)
        self.write(
            {
                "last_partner_id": MAX_ID,
                "done": self.total,
                "changed": self.changed + sum(self.batch_ids.mapped("changed")),
            }
        )
        self._retail_close()
        return f"{self.done} customers graded, {self.changed} grades written"
