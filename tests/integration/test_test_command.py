"""`gc-ssf test` against a server run locally (--test-skip-start): the built-in subtests, the
application's SSFApplicationTestInterface, OK/KO counting and result codes (ssf-behaviour.md §9).
The Docker half (start, logs, remove) needs a daemon; without one, `test` must fail with 8."""
import os
import shutil
import subprocess
import textwrap

import pytest

from conftest import GC_SSF, SOURCE_DIR, Server, write

SIMPLE = SOURCE_DIR / "examples" / "simple"
KEY = "s3cret-test-key"

APP = '''
from ssf.application_interface.application import SSFApplicationInterface, SSFApplicationTestInterface
from ssf.application_interface.results import RESULT_OK


class App(SSFApplicationInterface):
    def build(self): return RESULT_OK
    def startup(self): return RESULT_OK
    def request(self, params, meta): return {"requests": 1, "x_times_1000": params["x"] * 1000}
    def shutdown(self): return RESULT_OK
'''


def gc_ssf_test(config, server, *args, cwd, timeout=120):
    """`gc-ssf test --test-skip-start` aimed at `server`, from a directory of its own (each
    gc-ssf call starts its ssf.log afresh: the server's must stay apart)."""
    cwd = cwd / "test-cwd"
    cwd.mkdir(exist_ok=True)
    env = dict(os.environ)
    env.pop("SSH_AUTH_SOCK", None)
    proc = subprocess.run([GC_SSF, "--config", str(config), "--host", "127.0.0.1", "--port",
                           str(server.port), "--test-skip-start", *args, "test"],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    log = (cwd / "ssf.log").read_text()
    return proc.returncode, proc.stdout + proc.stderr, log


def app_with_tests(tmp_path, tests, name="app"):
    """The simple example's config with a module of our own: APP plus `tests`."""
    app = tmp_path / name
    shutil.copytree(SIMPLE, app)
    write(app / "my_application.py", APP + textwrap.dedent(tests))
    return app / "ssf_config.yaml"


def needs_api_key_auth(server):
    """The runtime's API-key routes come with step 3 (lib/runtime/auth.cpp); until it is merged
    a server run with --key serves no /login, and the security checks cannot pass."""
    import requests
    if requests.get(server.url + "/login").status_code == 404:
        pytest.skip("this build's runtime has no API-key authentication (/login) yet")


@pytest.fixture
def simple(tmp_path):
    shutil.copytree(SIMPLE, tmp_path / "app")
    return tmp_path / "app" / "ssf_config.yaml"


def test_all_subtests_pass_against_a_keyed_server(simple, tmp_path):
    with Server(["--config", str(simple), "--key", KEY], cwd=tmp_path) as server:
        needs_api_key_auth(server)
        code, out, log = gc_ssf_test(simple, server, "--key", KEY, cwd=tmp_path)
    # 5 built-in + begin + 8 subtests + end
    assert code == 0, out
    assert "OK 15 KO 0" in out
    for check in ("Check server ready", "Check root endpoint", "Check security logout",
                  "Check security forbidden", "Check security accepted"):
        assert f"OK {check}" in log
    assert "OK Application subtest 7: /v1/TestQuery x=42" in log
    assert KEY not in log and KEY not in out


def test_a_server_without_key_skips_the_security_checks(simple, tmp_path):
    with Server(["--config", str(simple)], cwd=tmp_path) as server:
        code, out, log = gc_ssf_test(simple, server, cwd=tmp_path)
    assert code == 0, out
    assert "security checks skipped" in log
    assert "OK 12 KO 0" in out


def test_a_wrong_key_is_a_ko(simple, tmp_path):
    with Server(["--config", str(simple), "--key", KEY], cwd=tmp_path) as server:
        needs_api_key_auth(server)
        code, out, log = gc_ssf_test(simple, server, "--key", "not-the-key", cwd=tmp_path)
    assert code == 33, out
    assert "KO Check security accepted" in log
    # The application's requests carry no valid key either: 403 each.
    assert "simple-test failed testing OK:" in out
    assert "HTTP 403" in log


def test_a_failing_subtest_gives_33_and_later_subtests_still_run(tmp_path):
    config = app_with_tests(tmp_path, '''
        class Tests(SSFApplicationTestInterface):
            def begin(self, session, ipaddr): return RESULT_OK
            def subtest(self, session, ipaddr, index):
                r = session.post(f"{ipaddr}/v1/Test1", json={"x": index})
                expected = -1 if index == 1 else index * 1000
                return r.json()["x_times_1000"] == expected, f"x={index}", index < 2
            def end(self, session, ipaddr): return RESULT_OK
    ''')
    with Server(["--config", str(config)], cwd=tmp_path) as server:
        code, out, log = gc_ssf_test(config, server, "--deploy-name", "my-name", cwd=tmp_path)
    assert code == 33, out
    assert "OK Application subtest 0: x=0" in log
    assert "KO Application subtest 1: x=1" in log
    assert "OK Application subtest 2: x=2" in log
    assert "OK 6 KO 1" in out
    assert "my-name failed testing OK:6 KO:1" in out


def test_an_exception_ends_the_subtests_and_end_still_runs(tmp_path):
    config = app_with_tests(tmp_path, '''
        class Tests(SSFApplicationTestInterface):
            def begin(self, session, ipaddr): return RESULT_OK
            def subtest(self, session, ipaddr, index):
                if index == 1:
                    raise RuntimeError("boom")
                return True, "fine", True
            def end(self, session, ipaddr):
                print("end was called")
                return RESULT_OK
    ''')
    with Server(["--config", str(config)], cwd=tmp_path) as server:
        code, out, log = gc_ssf_test(config, server, cwd=tmp_path)
    assert code == 33, out
    assert "Application subtest failed with" in log and "RuntimeError: boom" in log
    assert "end was called" in log
    assert "OK 5 KO 1" in out  # ready, root, begin, subtest 0, end; subtest 1 KO


def test_begin_failing_skips_the_subtests(tmp_path):
    config = app_with_tests(tmp_path, '''
        class Tests(SSFApplicationTestInterface):
            def begin(self, session, ipaddr): return 2
            def subtest(self, session, ipaddr, index): raise AssertionError("not reached")
            def end(self, session, ipaddr): return RESULT_OK
    ''')
    with Server(["--config", str(config)], cwd=tmp_path) as server:
        code, out, log = gc_ssf_test(config, server, cwd=tmp_path)
    assert code == 33, out
    assert "KO Application tests begin: begin() returned 2" in log
    assert "not reached" not in log


def test_no_test_interface_is_a_warning(tmp_path):
    config = app_with_tests(tmp_path, "")
    with Server(["--config", str(config)], cwd=tmp_path) as server:
        code, out, log = gc_ssf_test(config, server, cwd=tmp_path)
    assert code == 0, out
    assert "No application specific tests" in log
    assert "OK 2 KO 0" in out


@pytest.mark.parametrize("tests,message", [
    ('''
        class Tests(SSFApplicationTestInterface):
            def begin(self, session, ipaddr): return RESULT_OK
            def end(self, session, ipaddr): return RESULT_OK
     ''', "Can't instantiate abstract class Tests"),
    ('''
        class A(SSFApplicationTestInterface):
            pass
        class B(SSFApplicationTestInterface):
            pass
     ''', "Only one application test interface should be defined"),
    ('''
        def create_ssf_application_test_instance():
            return object()
     ''', "Interface 'begin' missing or not callable"),
])
def test_a_broken_test_interface_is_a_module_error(tmp_path, tests, message):
    config = app_with_tests(tmp_path, tests)
    with Server(["--config", str(config)], cwd=tmp_path) as server:
        code, out, log = gc_ssf_test(config, server, cwd=tmp_path)
    assert code == 35, out
    assert message in log


def test_a_server_that_never_gets_ready_is_a_ko_within_startup_timeout(simple, tmp_path):
    import socket
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(os.environ)
    proc = subprocess.run([GC_SSF, "--config", str(simple), "--host", "127.0.0.1", "--port",
                           str(port), "--modify-config", "application.startup_timeout=2",
                           "--test-skip-start", "test"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 33, proc.stdout
    assert "not ready within startup_timeout (2 s)" in (tmp_path / "ssf.log").read_text()
    assert "OK 0 KO 1" in proc.stdout


def test_docker_start_failure_is_8_and_the_key_is_not_shown(simple, tmp_path):
    if subprocess.run(["docker", "info"], capture_output=True, timeout=30).returncode == 0:
        pytest.skip("a Docker daemon is reachable: this checks the failure without one")
    proc = subprocess.run([GC_SSF, "--config", str(simple), "--key", KEY, "test"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 8, proc.stdout + proc.stderr
    assert "docker run for simple-test simple-test:1.0 errored" in proc.stdout + proc.stderr
    log = (tmp_path / "ssf.log").read_text()
    assert "SSF_OPTIONS=-p 8100 --key ******** --api fastapi" in log
    assert KEY not in log and KEY not in proc.stdout + proc.stderr
