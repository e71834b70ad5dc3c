"""The load generator: each request is the next prepared item (method, path, headers, JSON
body or form fields), so that every check-in, sign-up or redemption is a different volunteer.
Closed loop (no wait) for the peak; a fixed rate per user (BENCH_RATE) for latency. Redirects
are not followed: a page's POST answers 302 (BENCH_EXPECT says so), and an endpoint that should
not redirect fails instead of being measured on the page it redirects to."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlencode

from locust import FastHttpUser, constant, constant_throughput, events, task

ITEMS = iter(json.loads(Path(os.environ["BENCH_ITEMS"]).read_text(encoding="utf-8")))
NAME = os.environ.get("BENCH_SCENARIO", "bench")
RATE = float(os.environ.get("BENCH_RATE", "0"))
EXPECTED = {int(code) for code in os.environ.get("BENCH_EXPECT", "200,201").split(",")}


class Client(FastHttpUser):
    wait_time = constant_throughput(RATE) if RATE else constant(0)
    # A request that waits longer than this counts as an error rather than hanging the run.
    network_timeout = 30.0
    connection_timeout = 30.0

    @task
    def next_request(self) -> None:
        item = next(ITEMS, None)
        if item is None:
            # Out of prepared items: stop rather than repeat one (a repeat is cheaper).
            self.environment.runner.quit()
            return
        headers, form = item.get("h") or {}, item.get("f")
        if form is not None:
            # As a browser posts a form: its fields, URL-encoded.
            headers = {**headers, "Content-Type": "application/x-www-form-urlencoded"}
        with self.client.request(
            item["m"],
            item["p"],
            headers=headers,
            json=item.get("j"),
            data=urlencode(form) if form is not None else None,
            allow_redirects=False,
            name=NAME,
            catch_response=True,
        ) as response:
            if response.status_code not in EXPECTED:
                response.failure(f"{response.status_code}: {response.text[:200]}")


@events.quitting.add_listener
def _exit_code(environment, **_kwargs) -> None:
    # The harness reads the numbers from the CSV files; failures are counted there.
    environment.process_exit_code = 0
