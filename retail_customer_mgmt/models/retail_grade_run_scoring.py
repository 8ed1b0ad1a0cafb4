from odoo import api, models
from odoo.tools import SQL

from ..services.rfm import cut_fractions
from .retail_grade_run import MAX_ID


class RetailGradeRun(models.Model):
    """The regrade's set-based SQL: metrics, cut points, scores and write-back.

    The rules are those of ``services/rfm.py`` (quintile cut points by
    nearest rank, scores, first matching segment, churn risk), evaluated by
    PostgreSQL for every customer at once instead of customer by customer in
    Python: a run holds nothing per customer in memory, and
    ``tests/test_grading_rules.py`` checks the SQL against the services on
    random populations.

    The metrics of the customers a run reads are staged in an unlogged table
    of the run (``retail_grade_metric_<run id>``, dropped when the run is
    done), so that the batches of a resumed run, in another worker or after
    a crash, grade the same population on the same scale.
    """

    _inherit = "retail.grade.run"

    # ------------------------------------------------------------------
    # Staging: the metrics of the customers the run reads
    # ------------------------------------------------------------------
    def _metric_table(self):
        self.ensure_one()
        return SQL.identifier(f"retail_grade_metric_{self.id}")

    def _population_table(self):
        """What the run's batches read: the staged table, or the customers'
        summary itself for a run staged from it (see
        ``retail_grade_run_summary.py``: no other refresh of the company's
        rows happens while its run is open)."""
        self.ensure_one()
        if self.staged_summary:
            return SQL("(%s)", self._summary_metrics_sql(self.company_id))
        return self._metric_table()

    def _staged(self):
        """Whether the run's metrics are staged: the table survives a killed
        worker, but a crash of the database server empties an unlogged table
        (and a run with customers has staged some). The summary is a
        logged table: always there."""
        if self.staged_summary:
            return True
        self.env.cr.execute(
            SQL("SELECT to_regclass(%s) IS NOT NULL", f"retail_grade_metric_{self.id}")
        )
        if not self.env.cr.fetchone()[0]:
            return False
        if not self.total:
            return True
        return bool(self._count_staged())

    # the staged columns, in the order of ``_metrics_sql``
    METRIC_COLUMNS = (
        "partner_id, last_purchase, frequency, monetary, order_count, lifetime_spend, "
        "date_fingerprint, median_interval"
    )

    def _stage_sql(self, metrics, stored=None):
        """Create the run's metric table from ``metrics`` (and the ``stored``
        metrics of the customers not read again, for an incremental run),
        indexed and analysed (the planner must know its size to join it with
        the grades)."""
        if stored is not None:
            metrics = SQL(
                "SELECT %(columns)s FROM (%(fresh)s) fresh UNION ALL %(stored)s",
                columns=SQL(self.METRIC_COLUMNS),
                fresh=metrics,
                stored=stored,
            )
        return SQL(
            """
            DROP TABLE IF EXISTS %(table)s;
            CREATE UNLOGGED TABLE %(table)s AS %(metrics)s;
            CREATE UNIQUE INDEX ON %(table)s (partner_id);
            ANALYZE %(table)s
            """,
            table=self._metric_table(),
            metrics=metrics,
        )

    def _stored_metrics_sql(self, touched):
        """The metrics stored on the grades of the customers an incremental
        run does not read again (not in ``touched``): their orders did not
        change since they were computed; only their recency moves, and
        ``_population_sql`` computes it as of the run. ``<> ALL`` of a
        constant array is a hashed filter (PostgreSQL 15), whatever the
        planner thinks of the grades: no anti-join by nested loop."""
        return SQL(
            """
            SELECT %(columns)s FROM retail_customer_grade g
             WHERE g.company_id = %(company)s AND g.partner_id <> ALL(%(touched)s::int[])
            """,
            columns=SQL(self.METRIC_COLUMNS),
            company=self.company_id.id,
            touched=touched,
        )

    def _count_staged(self, resorted=False, among=None):
        """The customers staged (and, with ``resorted``, those whose purchase
        dates were sorted by ``_stage_fingerprint_sql``, as a second value);
        with ``among``, only those of these ids (the histories an incremental
        run read again)."""
        if among is not None:
            self.env.cr.execute(
                SQL(
                    "SELECT count(*) FROM %s WHERE partner_id = ANY(%s)",
                    self._metric_table(),
                    among,
                )
            )
            return self.env.cr.fetchone()[0]
        if not resorted:
            self.env.cr.execute(SQL("SELECT count(*) FROM %s", self._metric_table()))
            return self.env.cr.fetchone()[0]
        self.env.cr.execute(
            SQL("SELECT count(*), count(*) FILTER (WHERE resort) FROM %s", self._metric_table())
        )
        return self.env.cr.fetchone()

    def _drop_stage(self):
        self.env.cr.execute(SQL("DROP TABLE IF EXISTS %s", self._metric_table()))

    def _remove_stale_sql(self, touched):
        """Delete the grades of the customers who no longer buy: every graded
        customer without metrics (full run), or among ``touched`` ones."""
        return SQL(
            """
            DELETE FROM retail_customer_grade g
             WHERE g.company_id = %(company)s AND %(touched)s
               AND NOT EXISTS (SELECT 1 FROM %(table)s m WHERE m.partner_id = g.partner_id)
            """,
            company=self.company_id.id,
            touched=SQL("g.partner_id = ANY(%s)", touched) if touched is not None else SQL("TRUE"),
            table=self._population_table(),
        )

    # ------------------------------------------------------------------
    # The population: staged metrics, and the stored ones of the others
    # ------------------------------------------------------------------
    def _population_sql(self, low=0, high=MAX_ID):
        """Metrics of the customers with ids in ``]low, high]``: the staged
        ones (for an incremental run, those it read again and the stored ones
        of the others, see ``_stored_metrics_sql``). Recency as of the run's
        start."""
        return SQL(
            """
            SELECT pop.*,
                   GREATEST(FLOOR(EXTRACT(EPOCH FROM %(now)s::timestamp - pop.last_purchase)
                                  / 86400), 0)::int AS recency
              FROM (SELECT %(columns)s FROM %(table)s staged
                     WHERE partner_id > %(low)s AND partner_id <= %(high)s) pop
            """,
            now=self.started_at,
            columns=SQL(self.METRIC_COLUMNS),
            table=self._population_table(),
            low=low,
            high=high,
        )

    def _count_population(self):
        self.env.cr.execute(SQL("SELECT count(*) FROM (%s) pop", self._population_sql()))
        return self.env.cr.fetchone()[0]

    def _read_cuts(self, total):
        """The quintile cut points of the whole population (see
        ``services.rfm.quintile_cuts``): three sorts in one query."""
        if not total:
            return [0] * 4, [0] * 4, [0.0] * 4
        fractions = cut_fractions(total)
        self.env.cr.execute(
            SQL(
                """
                SELECT percentile_disc(%(f)s::float8[]) WITHIN GROUP (ORDER BY recency),
                       percentile_disc(%(f)s::float8[]) WITHIN GROUP (ORDER BY frequency),
                       percentile_disc(%(f)s::float8[]) WITHIN GROUP (ORDER BY monetary)
                  FROM (%(population)s) pop
                """,
                f=fractions,
                population=self._population_sql(),
            )
        )
        return self.env.cr.fetchone()

    def _slice_end(self, batch_size):
        """The id of the last customer of the next batch of ``batch_size``."""
        self.env.cr.execute(
            SQL(
                "SELECT partner_id FROM (%s) pop ORDER BY partner_id OFFSET %s LIMIT 1",
                self._population_sql(self.last_partner_id),
                batch_size - 1,
            )
        )
        row = self.env.cr.fetchone()
        return row[0] if row else MAX_ID

    # ------------------------------------------------------------------
    # Scores, segment, churn risk and write-back of a batch
    # ------------------------------------------------------------------
    @api.model
    def _score_sql(self, value, cuts, reverse=False):
        """``services.rfm.score`` in SQL: 1 + number of cuts below the value
        (5 - that number for recency)."""
        below = SQL(" + ").join(SQL("(%s > %s)::int", SQL(value), cut) for cut in cuts)
        return SQL("5 - (%s)", below) if reverse else SQL("1 + %s", below)

    @api.model
    def _rules_sql(self, segments):
        """The number of the first rule a scored customer ``s`` matches (see
        ``services.rfm.SegmentMatcher``; NULL when none does), as one
        ``CASE`` of the rules in matching order, and the segment of each
        number. An expression of the row's own columns: no lookup per
        customer in a table of rules."""
        rules = sorted(
            (segment._rule() for segment in segments), key=lambda x: (x.sequence, x.segment_id)
        )
        if not rules:
            return SQL("NULL::int"), []
        branches = []
        for number, rule in enumerate(rules, start=1):
            conditions = [
                SQL("s.r BETWEEN %s AND %s", *rule.r),
                SQL("s.f BETWEEN %s AND %s", *rule.f),
                SQL("s.m BETWEEN %s AND %s", *rule.m),
            ]
            if rule.min_spend:
                conditions.append(SQL("s.monetary >= %s::float8", rule.min_spend))
            if rule.min_avg_basket:
                conditions.append(SQL("s.avg_basket >= %s::float8", rule.min_avg_basket))
            if rule.max_avg_basket:
                conditions.append(SQL("s.avg_basket <= %s::float8", rule.max_avg_basket))
            branches.append(SQL("WHEN %s THEN %s", SQL(" AND ").join(conditions), number))
        return SQL("CASE %s END", SQL(" ").join(branches)), [rule.segment_id for rule in rules]

    def _grade_sql(self, cuts, segments, low, high):
        """Grade the customers with ids in ``]low, high]`` and write the grades
        that changed (one statement; its row count is the grades written).

        Each step is a subquery kept apart (``OFFSET 0``) so that PostgreSQL
        computes the recency, the scores and the segment once per customer.
        The grades carry no author (``create_uid``/``write_uid``): the job
        writes them for the company, and each reference checked costs a
        lookup per row. A customer deleted since the staging (the batches
        of a run may run hours apart) is skipped, not a foreign-key error
        failing the batch: the summary loses them at once (a trigger), a
        staged table is joined with the customers."""
        company = self.company_id
        recency_cuts, frequency_cuts, monetary_cuts = cuts
        rule_number, segment_ids = self._rules_sql(segments)
        churn_days = [segments.browse(sid).churn_interval_days or 0 for sid in segment_ids]
        return SQL(
            """
            WITH scored AS (
                SELECT pop.*, %(r)s AS r, %(f)s AS f, %(m)s AS m,
                       pop.lifetime_spend / pop.order_count AS avg_basket
                  FROM (%(population)s OFFSET 0) pop
                OFFSET 0
            ),
            matched AS (
                SELECT s.*, %(rule_number)s AS rule_number
                  FROM scored s
                OFFSET 0
            ),
            graded AS (
                SELECT m.*, (%(segment_ids)s::int[])[m.rule_number] AS segment_id,
                       %(factor)s > 0 AND m.recency > %(factor)s::float8 * (
                           CASE WHEN m.order_count >= 3 AND COALESCE(m.median_interval, 0) <> 0
                                THEN m.median_interval
                                ELSE COALESCE(NULLIF((%(churn_days)s::int[])[m.rule_number], 0),
                                              60)::float8
                           END) AS churn_risk
                  FROM matched m
                OFFSET 0
            )
            INSERT INTO retail_customer_grade AS g (
                partner_id, company_id, frequency, monetary, order_count, lifetime_spend,
                avg_basket, median_interval, r_score, f_score, m_score, rfm_total, rfm_code,
                segment_id, churn_risk, last_purchase, date_fingerprint, changed_on,
                create_date, write_date)
            SELECT n.partner_id, %(company)s, n.frequency, n.monetary, n.order_count,
                   n.lifetime_spend, n.avg_basket, n.median_interval, n.r, n.f, n.m,
                   n.r + n.f + n.m, concat(n.r, n.f, n.m), n.segment_id, n.churn_risk,
                   n.last_purchase, n.date_fingerprint, %(today)s, %(now)s, %(now)s
              FROM graded n
              LEFT JOIN retail_customer_grade old
                     ON old.partner_id = n.partner_id AND old.company_id = %(company)s
                    AND old.partner_id > %(low)s AND old.partner_id <= %(high)s
             WHERE (old.id IS NULL
                OR (old.frequency, old.monetary, old.order_count, old.lifetime_spend,
                    old.avg_basket, old.median_interval, old.r_score, old.f_score,
                    old.m_score, old.segment_id, old.churn_risk, old.last_purchase,
                    old.date_fingerprint)
                   IS DISTINCT FROM
                   (n.frequency, n.monetary, n.order_count, n.lifetime_spend, n.avg_basket,
                    n.median_interval, n.r, n.f, n.m, n.segment_id, n.churn_risk,
                    n.last_purchase, n.date_fingerprint))
               %(exists)s
            ON CONFLICT (partner_id, company_id) DO UPDATE SET
                frequency = EXCLUDED.frequency, monetary = EXCLUDED.monetary,
                order_count = EXCLUDED.order_count, lifetime_spend = EXCLUDED.lifetime_spend,
                avg_basket = EXCLUDED.avg_basket, median_interval = EXCLUDED.median_interval,
                r_score = EXCLUDED.r_score, f_score = EXCLUDED.f_score,
                m_score = EXCLUDED.m_score, rfm_total = EXCLUDED.rfm_total,
                rfm_code = EXCLUDED.rfm_code, segment_id = EXCLUDED.segment_id,
                churn_risk = EXCLUDED.churn_risk, last_purchase = EXCLUDED.last_purchase,
                date_fingerprint = EXCLUDED.date_fingerprint, changed_on = EXCLUDED.changed_on,
                write_date = EXCLUDED.write_date
            """,
            rule_number=rule_number,
            segment_ids=segment_ids,
            exists=SQL()
            if self.staged_summary
            else SQL(
                # a customer deleted since the staging has no grade to write
                # (no range on rp.id here: the planner then underestimates
                # the batch and joins the old grades by a nested loop, 60 x
                # slower); the summary loses its deleted customers at once
                "AND EXISTS (SELECT 1 FROM res_partner rp WHERE rp.id = n.partner_id)"
            ),
            churn_days=churn_days,
            r=self._score_sql("pop.recency", recency_cuts, reverse=True),
            f=self._score_sql("pop.frequency", frequency_cuts),
            m=self._score_sql("pop.monetary", monetary_cuts),
            population=self._population_sql(low, high),
            low=low,
            high=high,
            factor=company.retail_churn_factor,
            company=company.id,
            today=self.grading_date,
            now=self.env.cr.now().replace(tzinfo=None),
        )

    def _follow_up_sql(self, segments, activity_types, low, high):
        """The customers of ``]low, high]`` the follow-up may act on (see
        ``retail.customer.grade._retail_plan_activities``): at risk without
        an open churn warning, in a segment planning revisits without an open
        revisit, or to be given their segment's dedicated salesperson; and
        someone to follow them up. Everyone else is left out in SQL."""
        churn_type, revisit_types = activity_types
        revisit_segments = segments.filtered("revisit_days").ids
        service_segments = segments.filtered("service_user_id").ids
        return SQL(
            """
            SELECT g.partner_id, g.segment_id, g.churn_risk
              FROM retail_customer_grade g
              JOIN res_partner p ON p.id = g.partner_id
             WHERE g.company_id = %(company)s
               AND g.partner_id > %(low)s AND g.partner_id <= %(high)s
               AND (p.user_id IS NOT NULL OR %(default_user)s
                    OR g.segment_id = ANY(%(service)s))
               AND ((g.churn_risk AND NOT EXISTS (
                        SELECT 1 FROM mail_activity a
                         WHERE a.res_model = 'res.partner' AND a.res_id = g.partner_id
                           AND a.activity_type_id = %(churn)s))
                    OR (g.segment_id = ANY(%(revisit)s) AND NOT EXISTS (
                        SELECT 1 FROM mail_activity a
                         WHERE a.res_model = 'res.partner' AND a.res_id = g.partner_id
                           AND a.activity_type_id = ANY(%(revisit_types)s)))
                    OR (g.segment_id = ANY(%(service)s) AND p.user_id IS NULL))
            """,
            company=self.company_id.id,
            low=low,
            high=high,
            default_user=bool(self.company_id.retail_followup_user_id),
            service=service_segments,
            churn=churn_type.id,
            revisit=revisit_segments,
            revisit_types=revisit_types.ids,
        )
