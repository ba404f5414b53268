"""Application failures, restarts and result codes (ssf-behaviour.md §4, §5.4-§5.6, §12)."""
import os
import signal
import subprocess

import requests

from conftest import FIXTURES, GC_SSF, Server, wait_until


def gc_ssf_run(tmp_path, *args, env=None, timeout=60):
    import shutil
    if not (tmp_path / "app").exists():
        shutil.copytree(FIXTURES / "run" / "app", tmp_path / "app")
    full_env = dict(os.environ, **(env or {}))
    return subprocess.run([GC_SSF, "--config", "app/ssf_config.yaml", *args], cwd=tmp_path,
                          env=full_env, capture_output=True, text=True, timeout=timeout)


def log_of(tmp_path):
    return (tmp_path / "ssf.log").read_text()


def test_module_errors_give_35_with_upstream_messages(tmp_path):
    cases = {
        "two_classes.py": "Only one application main interface should be defined",
        "abstract.py": "Can't instantiate abstract class",
        "corrupt.py": "Failure loading",
        "missing_interfaces.py": "Interface 'startup' missing or not callable",
    }
    for module, message in cases.items():
        run = gc_ssf_run(tmp_path, "build", "--modify-config", f"application.module={module}")
        assert run.returncode == 35, (module, run.stdout, run.stderr)
        assert message in log_of(tmp_path), module


def test_build_result_is_the_command_result(tmp_path):
    assert gc_ssf_run(tmp_path, "build").returncode == 0
    assert "Verify build cwd==" + str(tmp_path / "app") in log_of(tmp_path)
    assert gc_ssf_run(tmp_path, "build", env={"APP_BUILD": "7"}).returncode == 7
    run = gc_ssf_run(tmp_path, "build", env={"APP_CTOR": "unmet"})
    assert run.returncode == 255
    assert "This host lacks what the app needs" in log_of(tmp_path)


def test_ipus_are_checked(tmp_path):
    run = gc_ssf_run(tmp_path, "run", "--modify-config", "application.ipus=2")
    assert run.returncode == 255


def test_a_rejected_request_gets_400_with_the_reason_and_the_replica_keeps_serving(run_app):
    server = run_app()
    pid = requests.post(server.url + "/v1/Info").json()["pid"]
    r = requests.post(server.url + "/v1/Fail", json={"x": -3})
    assert r.status_code == 400
    assert r.json() == {"detail": "x must not be negative, got -3"}
    assert "the application rejected the input: x must not be negative" in server.log
    # The same worker answers next: a rejection is not a failure.
    assert requests.post(server.url + "/v1/Info").json()["pid"] == pid
    assert requests.post(server.url + "/v1/Fail", json={"x": 1}).json() == {"y": 1}
    assert "is not alive" not in server.log
    assert server.stop() == 0


def test_request_failure_gives_400_and_the_replica_comes_back(run_app):
    server = run_app()
    r = requests.post(server.url + "/v1/Fail", json={"x": 0})
    assert r.status_code == 400
    assert r.json() == {"detail": "There was an error processing inputs"}
    assert wait_until(lambda: "is not alive" in server.log)
    assert wait_until(server.ready)
    assert requests.post(server.url + "/v1/Fail", json={"x": 1}).json() == {"y": 1}
    assert server.stop() == 32


def test_failures_beyond_max_restarts_take_liveness_down(run_app):
    server = run_app("--max-allowed-restarts", "1")
    assert requests.post(server.url + "/v1/Fail", json={"x": 0}).status_code == 400
    assert wait_until(lambda: requests.get(server.url + "/health/live").status_code == 503)
    assert requests.get(server.url + "/health/ready").status_code == 503
    assert "health check kept failing after" in server.log
    assert server.stop() == 32


def test_startup_failure_keeps_probes_up(run_app):
    server = run_app(env={"APP_STARTUP": "fail"}, wait_ready=False)
    assert wait_until(lambda: "Dispatcher failed to start" in server.log)
    assert requests.get(server.url + "/health/startup").status_code == 200
    assert requests.get(server.url + "/health/ready").status_code == 503
    assert requests.get(server.url + "/health/live").status_code == 503
    assert server.proc.poll() is None
    assert server.stop() == 32
    assert "App startup failed" in server.log


def test_startup_failure_with_stop_on_error_exits(run_app):
    server = run_app("--stop-on-error", env={"APP_STARTUP": "unmet"}, wait_ready=False)
    assert server.proc.wait(30) == 255
    assert "Stopping server" in server.log


def test_app_watchdog_failure_restarts_the_replica(run_app, tmp_path):
    flag = tmp_path / "status"
    flag.write_text("ok")
    server = run_app("--watchdog-ready-period", "1", env={"APP_WATCHDOG_FILE": str(flag)})
    flag.write_text("fail")
    assert wait_until(lambda: "RunTestApp watchdog failing" in server.log)
    flag.write_text("ok")
    assert wait_until(lambda: server.log.count("RunTestApp startup") >= 2)
    assert wait_until(server.ready)
    assert server.stop() == 32


def test_bad_result_type(run_app):
    server = run_app("--modify-config", "application.module=bad_result.py")
    assert requests.post(server.url + "/v1/Test1", json={"x": 1}).status_code == 400
    assert wait_until(lambda: "Expected result as dict for unbatched request" in server.log)


def test_killed_worker_fails_only_its_request(run_app):
    import threading
    server = run_app()
    pid = requests.post(server.url + "/v1/Info").json()["pid"]
    result = {}
    t = threading.Thread(target=lambda: result.update(r=requests.post(server.url + "/v1/Sleep", json={"ms": 3000})))
    t.start()
    assert wait_until(lambda: "Sleeping 3000 ms" in server.log)
    os.kill(pid, signal.SIGKILL)
    t.join(20)
    assert result["r"].status_code == 400
    assert wait_until(server.ready)
    new_pid = requests.post(server.url + "/v1/Info").json()["pid"]
    assert new_pid != pid
    assert requests.post(server.url + "/v1/Test1", json={"x": 2}).status_code == 200


def test_factory_config_and_is_healthy(run_app):
    server = run_app("--modify-config", "application.module=factory.py")
    assert requests.post(server.url + "/v1/Test1", json={"x": 2}).json()["x_times_1000"] == 2000
    log = server.log
    assert "Application instantiated by user-defined function`create_ssf_application_instance`" in log
    assert "factory got run-test args.port=0" in log
    assert "Application interface 'is_healthy' has been renamed to 'watchdog'" in log
