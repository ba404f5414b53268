"""The simple example: a counter that multiplies its input by 1000.

Written against upstream SSF's application interface, which gc-ssf keeps unchanged.
"""
import logging

from ssf.application_interface.application import (SSFApplicationInterface,
                                                   SSFApplicationTestInterface)
from ssf.application_interface.results import RESULT_FAIL, RESULT_OK

logger = logging.getLogger("simple")


class SimpleApp(SSFApplicationInterface):
    def __init__(self):
        self.served = 0

    def build(self) -> int:
        logger.info("Simple build: nothing to compile")
        return RESULT_OK

    def startup(self) -> int:
        logger.info("Simple startup")
        return RESULT_OK

    def request(self, params: dict, meta: dict) -> dict:
        self.served += 1
        return {"requests": self.served, "x_times_1000": params["x"] * 1000}

    def shutdown(self) -> int:
        logger.info(f"Simple shutdown after {self.served} requests")
        return RESULT_OK

    def watchdog(self) -> int:
        return RESULT_OK


class SimpleTest(SSFApplicationTestInterface):
    """Each endpoint, in turn, with a few values of x."""

    CASES = [("POST", "/v1/Test1", x) for x in (0, 1, -7, 123)] + \
            [("POST", "/v2/Test1", x) for x in (5, 99)] + \
            [("QUERY", "/v1/TestQuery", x) for x in (3, 42)]

    def begin(self, session, ipaddr: str) -> int:
        return RESULT_OK

    def subtest(self, session, ipaddr: str, index: int):
        method, path, x = self.CASES[index]
        if method == "QUERY":
            response = session.post(f"{ipaddr}{path}", params={"x": x})
        else:
            response = session.post(f"{ipaddr}{path}", json={"x": x})
        more = index + 1 < len(self.CASES)
        if response.status_code != 200:
            return False, f"{path} x={x}: HTTP {response.status_code}", more
        body = response.json()
        ok = body.get("x_times_1000") == x * 1000 and body.get("requests", 0) >= 1
        return ok, f"{path} x={x}: {body}", more

    def end(self, session, ipaddr: str) -> int:
        return RESULT_OK
