"""`gc-ssf test`'s checks against a served application (python3 -m ssf._test_runner).

gc-ssf starts (or finds) the server, then runs this with a JSON spec on stdin (stdin, because it
holds the API key): the server's URL, the key, whether to check the API-key routes, the container
to watch while waiting, and the same config fields as a worker's init frame (_worker.py). It runs
upstream's built-in subtests (server ready, root endpoint, logout, bogus login, login), then the
application's SSFApplicationTestInterface (begin, subtest 0.. while `more`, end) with one
requests.Session throughout, so the login's cookie authorises the application's requests.

Everything it reports goes, one line "\\x1essf-test <json>" each, to the descriptor
$SSF_TEST_REPORT_FD (else to the original stdout), flushed as it happens:
  {"op":"log","level":20,"msg":"..."}          a log record (ours or the application's)
  {"op":"subtest","name":"...","ok":true,"desc":"..."}
  {"op":"failed","code":35,"message":"..."}    the test interface could not be loaded
Whatever the application prints goes to stderr, so it cannot be mistaken for a report. The exit
status is 0 once every subtest has run (gc-ssf counts OK and KO), else the failure's code.

Fixed from upstream's test.py (ssf-behaviour.md §11): the bogus key goes in the query (upstream
sent it as a GET body, which no server reads), readiness is polled every half second instead of
after 5 s and then every 20 s, and a server run without a container is not reported as down.
"""
import json
import logging
import os
import subprocess
import sys
import time
import traceback

from ssf._worker import (check_interface, describe, instantiate_application, isolate_sys_path,
                         make_ssf_config)
from ssf.application_interface.results import (RESULT_APPLICATION_MODULE_ERROR,
                                               RESULT_INSTALLATION_ERROR, RESULT_OK, SSFException,
                                               SSFExceptionApplicationModuleError)

logger = logging.getLogger("ssf")

TEST_INTERFACE = "SSFApplicationTestInterface"
TEST_FACTORY = "create_ssf_application_test_instance"
MARK = "\x1essf-test "
# A request of a subtest that names no timeout gets this one: a hung server must not hang the test.
DEFAULT_REQUEST_TIMEOUT = 300
READY_POLL = 0.5
STILL_WAITING = 30


class Reporter:
    def __init__(self, stream):
        self.stream = stream

    def send(self, **fields):
        self.stream.write(MARK + json.dumps(fields) + "\n")
        self.stream.flush()  # a line as soon as it happens: gc-ssf logs it live


class ReportingHandler(logging.Handler):
    def __init__(self, reporter):
        super().__init__(logging.DEBUG)
        self.reporter = reporter

    def emit(self, record):
        try:
            message = record.getMessage()
            if record.exc_info:
                message += "\n" + "".join(traceback.format_exception(*record.exc_info)).rstrip()
            self.reporter.send(op="log", level=record.levelno, msg=message)
        except Exception:  # gc-ssf is gone: nothing left to tell
            pass


def make_session(requests):
    class Session(requests.Session):
        """A requests.Session whose requests time out unless the caller says otherwise."""

        def request(self, *args, **kwargs):
            kwargs.setdefault("timeout", DEFAULT_REQUEST_TIMEOUT)
            return super().request(*args, **kwargs)

    return Session()


def container_running(name):
    """Whether docker reports container `name` as running; None when docker cannot tell."""
    try:
        out = subprocess.run(["docker", "container", "inspect", "-f", "{{.State.Running}}", name],
                             capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.returncode == 0 and out.stdout.strip() == "true"


class BuiltinChecks:
    """Upstream's subtests, each returning (passed, description)."""

    def __init__(self, session, spec, requests):
        self.session = session
        self.url = spec["url"]
        self.key = spec.get("key") or ""
        self.container = spec.get("container")
        self.timeout = float(spec.get("startup_timeout") or 600)
        self.requests = requests

    def get(self, path, **kwargs):
        return self.session.get(self.url + path, headers={"accept": "application/json"},
                                timeout=5, **kwargs)

    def server_ready(self):
        logger.info(f"Waiting for server ready (timeout {self.timeout:.0f}s)")
        start = last_info = time.monotonic()
        while True:
            try:
                response = self.session.get(self.url + "/health/ready", timeout=5)
                if response.status_code == 200:
                    return True, f"ready after {time.monotonic() - start:.1f} s"
            except self.requests.RequestException as e:
                logger.debug(f"Not ready yet: {e}")
            if self.container and container_running(self.container) is False:
                return False, f"container {self.container} is not running"
            now = time.monotonic()
            if now - start > self.timeout:
                return False, f"not ready within startup_timeout ({self.timeout:.0f} s)"
            if now - last_info > STILL_WAITING:
                logger.info(f"Still waiting for server ready ({now - start:.0f}/{self.timeout:.0f}s)")
                last_info = now
            time.sleep(READY_POLL)

    def root_endpoint(self):
        response = self.get("/")
        return (response.status_code == 200 and response.text == '{"message":"OK"}',
                f"GET / -> {response.status_code} {response.text[:200]}")

    def redirected_ok(self, response, what):
        ok = (response.status_code == 200 and response.text == '{"message":"OK"}'
              and bool(response.history) and response.history[0].status_code == 307)
        first = response.history[0].status_code if response.history else "no redirect"
        return ok, f"{what} -> {first}, {response.status_code} {response.text[:200]}"

    def security_logout(self):
        return self.redirected_ok(self.get("/logout"), "GET /logout")

    def security_forbidden(self):
        response = self.get("/login", params={"api_key": "bogus"})
        return (response.status_code == 403 and "Invalid credentials" in response.text,
                f"GET /login?api_key=bogus -> {response.status_code} {response.text[:200]}")

    def security_accepted(self):
        return self.redirected_ok(self.get("/login", params={"api_key": self.key}),
                                  "GET /login?api_key=<key>")

    def has_api_key(self):
        """Whether the server serves /login at all (only servers run with --key do)."""
        return self.get("/login").status_code != 404


class Runner:
    def __init__(self, reporter, spec, requests):
        self.reporter = reporter
        self.spec = spec
        self.session = make_session(requests)
        self.builtin = BuiltinChecks(self.session, spec, requests)
        self.ipaddr = spec["url"]

    def report(self, name, ok, desc):
        logger.log(logging.INFO if ok else logging.ERROR,
                   f"{'OK' if ok else 'KO'} {name}{': ' + desc if desc else ''}")
        self.reporter.send(op="subtest", name=name, ok=bool(ok), desc=str(desc))

    def check(self, name, fn):
        logger.info(f"> Subtest {name}")
        try:
            ok, desc = fn()
        except Exception as e:
            ok, desc = False, f"{type(e).__name__}: {e}"
        self.report(name, ok, desc)
        return ok

    def run_builtin(self):
        """False when the server never became ready: nothing else can pass then."""
        if not self.check("Check server ready", self.builtin.server_ready):
            return False
        self.check("Check root endpoint", self.builtin.root_endpoint)
        security = self.spec.get("security", "yes")
        if security == "probe" and not self.builtin.has_api_key():
            logger.warning("The server answers no /login (it runs without --key): "
                           "security checks skipped")
            return True
        self.check("Check security logout", self.builtin.security_logout)
        self.check("Check security forbidden", self.builtin.security_forbidden)
        self.check("Check security accepted", self.builtin.security_accepted)
        return True

    def load_tests(self):
        ssf_config = make_ssf_config(self.spec)
        if ssf_config.application.file.endswith(".so"):
            return None  # native applications export no test interface (yet)
        instance = instantiate_application(ssf_config, TEST_INTERFACE, TEST_FACTORY,
                                           "test interface")
        if instance is not None:
            missing = [m for m in ("begin", "subtest", "end") if not check_interface(instance, m)]
            if missing:
                raise SSFExceptionApplicationModuleError(
                    "Application module has missing test interfaces")
        return instance

    def call(self, method, *args):
        os.chdir(self.spec["application"]["file_dir"])
        return method(self.session, self.ipaddr, *args)

    def run_application(self, tests):
        logger.info("> Running application tests")
        name = "Application tests begin"
        try:
            code = self.call(tests.begin)
            self.report(name, code == RESULT_OK, "" if code == RESULT_OK else f"begin() returned {code}")
        except Exception as e:
            logger.exception(e)
            self.report(name, False, describe(e))
            return
        if code != RESULT_OK:
            return
        index = 0
        while True:
            try:
                passed, desc, more = self.call(tests.subtest, index)
            except Exception as e:
                logger.exception(e)
                logger.error(f"Application subtest failed with {e}. Terminating subtests.")
                passed, desc, more = False, f"Exception {describe(e)}", False
            logger.info(f"{index},{passed},{desc},{more}")
            self.report(f"Application subtest {index}", passed, desc)
            if not more:
                break
            index += 1
        try:
            code = self.call(tests.end)
            self.report("Application tests end", code == RESULT_OK,
                        "" if code == RESULT_OK else f"end() returned {code}")
        except Exception as e:
            logger.exception(e)
            self.report("Application tests end", False, describe(e))


def main():
    # Reports go to $SSF_TEST_REPORT_FD (gc-ssf reads them as they come), else to the original
    # stdout; anything else that writes to fd 1 lands on stderr either way.
    report_fd = os.environ.pop("SSF_TEST_REPORT_FD", None)
    if report_fd is not None:
        fd = int(report_fd)
        os.set_inheritable(fd, False)  # the application's own children must not hold it
        report_stream = os.fdopen(fd, "w")
    else:
        report_stream = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    reporter = Reporter(report_stream)
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    root.addHandler(ReportingHandler(reporter))
    spec = json.load(sys.stdin)
    root.setLevel(int(spec.get("log_level", logging.DEBUG)))
    try:
        import requests
    except ImportError as e:
        reporter.send(op="failed", code=RESULT_INSTALLATION_ERROR,
                      message=f"the test runner needs requests ({e}); Debian: python3-requests")
        return RESULT_INSTALLATION_ERROR

    isolate_sys_path(spec)
    runner = Runner(reporter, spec, requests)
    if not runner.run_builtin():
        logger.error("The server is not ready: application tests skipped")
        return RESULT_OK
    try:
        tests = runner.load_tests()
    except Exception as e:
        code = e.result_code if isinstance(e, SSFException) else RESULT_APPLICATION_MODULE_ERROR
        logger.error(describe(e), exc_info=e)
        reporter.send(op="failed", code=code, message=describe(e))
        return code
    if tests is None:
        logger.warning("No application specific tests")
    else:
        runner.run_application(tests)
    return RESULT_OK


if __name__ == "__main__":
    sys.exit(main())
