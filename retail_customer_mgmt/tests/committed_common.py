"""Tests on committed data: each step in its own PostgreSQL transaction.

For what a rolled-back test transaction cannot show: a job that commits
batch by batch, a connection killed in the middle, two transactions that
race on a unique index. Every step commits, so the tests remove what they
created (``addCleanup``).
"""

import threading
import time
import uuid
from contextlib import closing

import psycopg2.errors

from odoo import SUPERUSER_ID, api
from odoo.api import Transaction
from odoo.modules.registry import Registry
from odoo.sql_db import db_connect
from odoo.tests import BaseCase, get_db_name
from odoo.tools import mute_logger


class CommittedCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.dbname = get_db_name()
        # The test runner holds the registry lock: threads must not look the
        # registry up by name, they get it from here.
        cls.registry = Registry(cls.dbname)
        cls.tag = uuid.uuid4().hex[:8]

    def _run(self, func, *args):
        """``func(env, *args)`` in its own transaction, committed when it returns."""
        with closing(db_connect(self.dbname).cursor()) as cr:
            cr.transaction = Transaction(self.registry)
            env = api.Environment(cr, SUPERUSER_ID, {})
            result = func(env, *args)
            cr.commit()  # pylint: disable=invalid-commit
            return result

    def _in_threads(self, funcs, timeout=60):
        """Run each ``func(env, barrier)`` in a thread of its own (own
        connection, committed), started together; return ``(results,
        errors)`` with one entry per function. Fails when a thread has not
        finished after ``timeout`` seconds."""
        barrier = threading.Barrier(len(funcs), timeout=30)
        results, errors = [None] * len(funcs), [None] * len(funcs)

        def target(i):
            try:
                results[i] = self._run(funcs[i], barrier)
            except Exception as exc:
                errors[i] = exc

        threads = [threading.Thread(target=target, args=(i,)) for i in range(len(funcs))]
        with mute_logger("odoo.sql_db"):
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + timeout
            for thread in threads:
                thread.join(max(deadline - time.monotonic(), 0))
        self.assertFalse(
            [thread for thread in threads if thread.is_alive()], "every thread finished"
        )
        return results, errors

    def assertUniqueViolation(self, errors):
        """Exactly one of the transactions hit the unique index."""
        conflicts = [e for e in errors if isinstance(e, psycopg2.errors.UniqueViolation)]
        others = [e for e in errors if e is not None and e not in conflicts]
        self.assertFalse(others, others)
        self.assertEqual(len(conflicts), 1, "the two transactions really raced")


class RetryingCommittedCase(CommittedCase):
    """Committed steps whose serialization failures are retried, the way
    Odoo retries a request (counted in ``self.conflicts``)."""

    def setUp(self):
        super().setUp()
        self.conflicts = []

    def _run(self, func, barrier=None, tries=6):
        """Run ``func(env, barrier)`` in its own committed transaction, retrying
        serialization failures; the barrier is only waited for on the first try."""
        for attempt in range(tries):
            try:
                return super()._run(func, barrier if attempt == 0 else None)
            except psycopg2.errors.SerializationFailure:
                self.conflicts.append(func)
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("still failing after retries")
