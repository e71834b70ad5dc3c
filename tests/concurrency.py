"""Running service calls at the same moment, each as a request of its own."""

from __future__ import annotations

import threading

from core.extensions import db


def run_at_once(app, count: int, work) -> list:
    """Run work(i) in `count` threads released together; return each result or exception.

    The test's own session is committed and closed first: on SQLite an open transaction of
    the test would hold the write lock the threads wait for.
    """
    db.session.commit()
    db.session.close()
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def worker(i: int) -> None:
        with app.app_context():
            barrier.wait()
            try:
                results[i] = work(i)
                db.session.commit()
            except Exception as error:  # the test counts refusals as outcomes
                db.session.rollback()
                results[i] = error
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
