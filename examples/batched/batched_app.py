"""The batched example: request() gets a list of up to 8 requests and answers a list.

Each call costs a fixed 50 ms however many requests it holds, as a model's forward pass on an
accelerator roughly does; that is what batching buys: under concurrent load, eight requests cost
what one does.
"""
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from ssf.application_interface.application import (SSFApplicationInterface,
                                                   SSFApplicationTestInterface)
from ssf.application_interface.results import RESULT_FAIL, RESULT_OK

logger = logging.getLogger("batched")

CALL_COST = 0.05  # seconds per call of request(), whatever the batch size


class BatchedApp(SSFApplicationInterface):
    def __init__(self, ssf_config):
        self.max_batch_size = int(ssf_config.application.max_batch_size)
        self.served = 0
        self.calls = 0

    def build(self) -> int:
        return RESULT_OK

    def startup(self) -> int:
        logger.info(f"Batched startup: batches of up to {self.max_batch_size}")
        return RESULT_OK

    def request(self, params: list, meta: list) -> list:
        self.calls += 1
        time.sleep(CALL_COST)
        out = []
        # Unique across replicas too: replica * 1e6 + this replica's call count.
        batch_id = meta[0].get("replica", 0) * 1_000_000 + self.calls
        for p in params:
            self.served += 1
            out.append({"requests": self.served, "x_times_1000": p["x"] * 1000,
                        "batch_size": len(params), "batch_id": batch_id})
        logger.debug(f"Batch {self.calls}: {len(params)} requests")
        return out

    def shutdown(self) -> int:
        logger.info(f"Batched shutdown: {self.served} requests in {self.calls} batches")
        return RESULT_OK


# ---- the application's own tests, run by `gc-ssf test` ------------------------------------------

CONCURRENT = 32


class BatchedTest(SSFApplicationTestInterface):
    """One request alone, then 32 at once: they must come back right, in batches of several."""

    def begin(self, session, ipaddr: str) -> int:
        return RESULT_OK

    def subtest(self, session, ipaddr: str, index: int):
        url = f"{ipaddr}/v1/Test1"
        if index == 0:
            r = session.post(url, json={"x": 7}, timeout=30)
            ok = r.status_code == 200 and r.json()["x_times_1000"] == 7000
            return ok, f"one request -> {r.status_code} {r.text[:200]}", True
        # A session is not thread-safe: each thread posts on its own, with the session's cookies
        # (the API-key login of gc-ssf test's built-in checks).
        import requests  # the test's only: the application itself needs no HTTP client

        cookies = session.cookies.get_dict()
        barrier = threading.Barrier(CONCURRENT)

        def post(x):
            barrier.wait(10)
            return requests.post(url, json={"x": x}, cookies=cookies, timeout=60)

        with ThreadPoolExecutor(CONCURRENT) as pool:
            responses = list(pool.map(post, range(CONCURRENT)))
        if any(r.status_code != 200 for r in responses):
            codes = sorted({r.status_code for r in responses})
            return False, f"{CONCURRENT} concurrent requests: HTTP {codes}", False
        answers = [r.json() for r in responses]
        right = all(a["x_times_1000"] == x * 1000 for x, a in enumerate(answers))
        sizes = {}
        for a in answers:
            sizes[a["batch_id"]] = a["batch_size"]
        largest = max(sizes.values())
        desc = (f"{CONCURRENT} concurrent requests in {len(sizes)} batches, "
                f"sizes {sorted(sizes.values(), reverse=True)}")
        return right and largest > 1 and len(sizes) < CONCURRENT, desc, False

    def end(self, session, ipaddr: str) -> int:
        return RESULT_OK
