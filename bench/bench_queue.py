"""The nightly regrade through OCA's queue_job, against the inline run.

On the scale benchmark's company of ``--size`` customers (populated by
``bin/bench scale --size 100k``; this benchmark does not populate), each run
a first full regrade from no grade:

(a) the bare SQL aggregate of the orders (as ``bench_scale``),
(b) the inline run, as the scheduled action runs it without queue_job
    (``_regrade`` with a commit after the staging and after each batch),
(q1) the same through the job queue (module retail_customer_mgmt_queue):
    the staging job, one job per batch and the closing job, performed one
    after the other in this process, each committed, as queue_job's runner
    would,
(q2) the same performed by an Odoo server of ``--workers`` workers with
    queue_job's job runner (``channels = root:N,root.retail:N``), timed from
    the commit of the enqueued staging job to the closed run; the sum of the
    jobs' own execution times shows how much they overlapped.

Must: each queued run writes the grades of an inline run at the same moment
(a checksum of every grade, against an inline run made right after under
``freeze_time`` at the queued run's start: the analysis window moves with
the clock, and a few orders leave it within a minute at this size).
It COMMITS (the workers read committed data only): give it a database of its
own (a copy of a populated one: ``createdb -T rt_scale2_bench rt_qj_bench``).

Usage: bin/bench queue [--size 100k] [--workers 2] [--port 8345] [--skip q2]
"""

import argparse
import os
import site
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench_scale import bare_aggregate
from common import ODOO_SRC, REPO, odoo_env, report
from freezegun import freeze_time
from scale_data import company_name

from odoo.addons.queue_job.job import Job

PREFIX = "retail.grade.run:{}:%"


def reset(env, company, activities):
    """No grade, no run, no regrade job of ``company``, no activity planned
    since the first measure (id above ``activities``): a first full run."""
    cr = env.cr
    cr.execute("DELETE FROM retail_customer_grade WHERE company_id = %s", [company.id])
    cr.execute("DELETE FROM retail_grade_run WHERE company_id = %s", [company.id])
    cr.execute("DELETE FROM queue_job WHERE identity_key LIKE %s", [PREFIX.format(company.id)])
    cr.execute("DELETE FROM mail_activity WHERE id > %s", [activities])
    cr.commit()
    env.invalidate_all()


def checksum(env, company):
    env.cr.execute(
        """
        SELECT count(*), md5(string_agg(
                   concat_ws(':', partner_id, rfm_code, segment_id, churn_risk, frequency,
                             round(monetary::numeric, 2), round(median_interval::numeric, 3)),
                   ',' ORDER BY partner_id))
          FROM retail_customer_grade WHERE company_id = %s
        """,
        [company.id],
    )
    return list(env.cr.fetchone())


def last_run(env, company):
    env.invalidate_all()
    return env["retail.grade.run"].search([("company_id", "=", company.id)], limit=1)


def same_as_inline(env, company, run, activities):
    """Whether ``run``'s grades are those of an inline run started at the
    same moment (made here, then kept)."""
    queued = checksum(env, company)
    started_at = run.started_at
    reset(env, company, activities)
    with freeze_time(started_at, tick=True):
        inline(env, company)
    return checksum(env, company) == queued


def inline(env, company):
    start = time.perf_counter()
    run = env["retail.grade.run"]._regrade(company, commit=True)
    env.cr.commit()
    return time.perf_counter() - start, run


def queued_here(env, company):
    """Enqueue, then perform every job of the run here, in queue order."""
    start = time.perf_counter()
    env["retail.grade.run"]._retail_queue_enqueue(company)
    env.cr.commit()
    jobs = 0
    while True:
        record = env["queue.job"].search(
            [
                ("identity_key", "=like", PREFIX.format(company.id)),
                ("state", "in", ["pending", "enqueued"]),
            ],
            order="priority, date_created, id",
            limit=1,
        )
        if not record:
            break
        job = Job.load(env, record.uuid)
        job.set_started()
        job.store()
        env.cr.commit()
        job.perform()
        env.flush_all()
        job.set_done()
        job.store()
        env.flush_all()
        env.cr.commit()
        if job.should_check_dependents():
            job.enqueue_waiting()
            env.cr.commit()
        jobs += 1
    return time.perf_counter() - start, last_run(env, company), jobs


def start_server(db, workers, port):
    """An Odoo server with ``workers`` workers and queue_job's job runner."""
    conf = tempfile.NamedTemporaryFile("w", suffix=".conf", delete=False)  # noqa: SIM115
    wheels = [
        p
        for p in (os.path.join(d, "odoo", "addons") for d in site.getsitepackages())
        if os.path.isdir(p)
    ]
    conf.write(
        f"""[options]
addons_path = {",".join([f"{ODOO_SRC}/odoo/addons", REPO, *wheels])}
db_name = {db}
dbfilter = ^{db}$
http_interface = 127.0.0.1
http_port = {port}
workers = {workers}
max_cron_threads = 0
server_wide_modules = base,web,queue_job
limit_time_real = 1800
limit_time_cpu = 1800
limit_memory_soft = 4294967296
limit_memory_hard = 6442450944
log_level = warn
logfile = {conf.name}.log

[queue_job]
channels = root:{workers},root.retail:{workers}
"""
    )
    conf.close()
    server = subprocess.Popen(
        [sys.executable, f"{ODOO_SRC}/odoo-bin", "-c", conf.name],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/web/login", timeout=5)
            return server, conf.name
        except OSError:
            time.sleep(1)
    server.terminate()
    raise SystemExit(f"the Odoo server did not answer on port {port} (log: {conf.name}.log)")


def queued_workers(env, company, workers, port):
    server, conf = start_server(env.cr.dbname, workers, port)
    try:
        time.sleep(5)  # the job runner starts a few seconds after the workers
        start = time.perf_counter()
        env["retail.grade.run"]._retail_queue_enqueue(company)
        env.cr.commit()
        deadline = start + 3600
        while time.perf_counter() < deadline:
            run = last_run(env, company)
            if run.state == "done":
                break
            env.cr.execute(
                "SELECT count(*) FROM queue_job WHERE identity_key LIKE %s AND state = 'failed'",
                [PREFIX.format(company.id)],
            )
            if env.cr.fetchone()[0]:
                raise SystemExit(f"a regrade job failed (see the server log {conf}.log)")
            env.cr.rollback()
            time.sleep(0.2)
        elapsed = time.perf_counter() - start
        env.cr.execute(
            "SELECT count(*), sum(exec_time), max(exec_time) FROM queue_job "
            "WHERE identity_key LIKE %s",
            [PREFIX.format(company.id)],
        )
        jobs, busy, longest = env.cr.fetchone()
        return elapsed, last_run(env, company), jobs, busy, longest
    finally:
        server.terminate()
        server.wait(60)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--size", default="100k")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8345)
    parser.add_argument("--skip", default="")
    args = parser.parse_args()
    with odoo_env(args.db) as env:
        company = env["res.company"].search([("name", "=", company_name(args.size))], limit=1)
        if not company:
            raise SystemExit(f"no company {company_name(args.size)}: run bin/bench scale first")
        a = bare_aggregate(env, company)
        out = {"size": args.size, "a_bare_aggregate_s": round(a, 2)}
        env.cr.execute("SELECT COALESCE(max(id), 0) FROM mail_activity")
        activities = env.cr.fetchone()[0]
        reset(env, company, activities)
        elapsed, run = inline(env, company)
        reference = checksum(env, company)  # reported, for runs to compare
        out.update(
            b_inline_s=round(elapsed, 2),
            b_inline_ratio=round(elapsed / a, 2),
            b_customers=run.done,
            b_written=run.changed,
        )
        reset(env, company, activities)
        elapsed, run, jobs = queued_here(env, company)
        out.update(
            q1_queued_one_process_s=round(elapsed, 2),
            q1_ratio=round(elapsed / a, 2),
            q1_jobs=jobs,
            q1_written=run.changed,
        )
        musts = {
            "q1 writes the grades of the inline run": same_as_inline(env, company, run, activities)
        }
        if "q2" not in args.skip:
            reset(env, company, activities)
            elapsed, run, jobs, busy, longest = queued_workers(
                env, company, args.workers, args.port
            )
            out.update(
                q2_workers=args.workers,
                q2_queued_workers_s=round(elapsed, 2),
                q2_ratio=round(elapsed / a, 2),
                q2_jobs=jobs,
                q2_jobs_exec_time_sum_s=round(busy or 0, 2),
                q2_longest_job_s=round(longest or 0, 2),
                q2_written=run.changed,
            )
            musts["q2 writes the grades of the inline run"] = same_as_inline(
                env, company, run, activities
            )
        out["grades_checksum"] = reference
        report(out, musts)


if __name__ == "__main__":
    main()
