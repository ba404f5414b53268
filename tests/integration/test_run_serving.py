"""`gc-ssf run`: routes, bodies and headers as upstream's (ssf-behaviour.md §3, §5.2)."""
import os
import signal
import subprocess

import requests

from conftest import GC_SSF, SOURCE_DIR, Server, wait_until


def test_simple_example_answers_as_upstream(tmp_path):
    config = SOURCE_DIR / "examples/simple/ssf_config.yaml"
    with Server(["--config", str(config)], cwd=tmp_path) as server:
        r = requests.post(server.url + "/v1/Test1", json={"x": 7})
        assert r.status_code == 200
        assert r.text == '{"requests":1,"x_times_1000":7000}'
        assert r.headers["content-type"] == "application/json"
        assert float(r.headers["metrics-dispatch-latency"]) >= 0
        assert float(r.headers["metrics-request-latency"]) >= 0
        assert requests.post(server.url + "/v2/Test1", json={"x": 1}).json() == \
            {"requests": 2, "x_times_1000": 1000}
        assert requests.post(server.url + "/v1/TestQuery", params={"x": 3}).json() == \
            {"requests": 3, "x_times_1000": 3000}
        assert requests.get(server.url + "/").json() == {"message": "OK"}
        code = server.stop()
    assert code == 0
    assert "Simple shutdown after 3 requests" in server.log


def test_health_probes_bodies(run_app):
    server = run_app()
    for probe, text in [("startup", "Startup check succeeded."), ("ready", "Readiness check succeeded."),
                        ("live", "Liveness check succeeded.")]:
        r = requests.get(f"{server.url}/health/{probe}")
        assert r.status_code == 200
        assert r.json() == {"message": text}
    assert wait_until(lambda: "Dispatcher ready" in server.log)


def test_invalid_inputs_give_422_naming_the_field(run_app):
    server = run_app()
    r = requests.post(server.url + "/v1/Test1", json={})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "x"]
    r = requests.post(server.url + "/v1/Test1", json={"x": "seven"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "x"]
    assert requests.get(server.url + "/v1/Test1").status_code == 405
    assert requests.post(server.url + "/v9/Test1", json={"x": 1}).status_code == 404


def test_meta_replica_cwd_and_config_reach_the_app(run_app):
    server = run_app("-ra", "2")
    pids = set()
    for _ in range(20):
        info = requests.post(server.url + "/v1/Info").json()
        pids.add(info["pid"])
        assert info["cwd"] == str(server.cwd / "app")
        assert "('endpoint_id', 'Info')" in info["meta"] and "('endpoint_version', '1')" in info["meta"]
        assert "('endpoint_index', 2)" in info["meta"]
        assert info["config"] == "from-config"
    assert len(pids) == 2


def test_metrics_after_a_request(run_app):
    server = run_app()
    before = requests.get(server.url + "/metrics").text
    assert 'handler="/v1/Test1"' not in before
    requests.post(server.url + "/v1/Test1", json={"x": 1})
    text = requests.get(server.url + "/metrics").text
    assert 'ssf_dispatch_latency_count{handler="/v1/Test1",status="2xx"} 1.0' in text
    assert 'http_request_duration_seconds_bucket{handler="/v1/Test1",le="+Inf"' in text


def test_metrics_options(run_app):
    server = run_app("--prometheus-disabled")
    assert requests.get(server.url + "/metrics").status_code == 404
    server.stop()
    server = run_app("--prometheus-endpoint", "metrics_test", "--prometheus-buckets", "0.5", "2")
    requests.post(server.url + "/v1/Test1", json={"x": 1})
    text = requests.get(server.url + "/metrics_test").text
    les = {line.split('le="')[1].split('"')[0] for line in text.splitlines()
           if line.startswith("ssf_dispatch_latency_bucket")}
    assert les == {"0.5", "2.0", "+Inf"}
    assert requests.get(server.url + "/metrics").status_code == 404


def test_sigterm_drains_in_flight_requests(run_app):
    import threading
    server = run_app()
    result = {}

    def slow():
        result["r"] = requests.post(server.url + "/v1/Sleep", json={"ms": 800})

    t = threading.Thread(target=slow)
    t.start()
    assert wait_until(lambda: "Sleeping 800 ms" in server.log, 10)
    server.proc.send_signal(signal.SIGTERM)
    t.join(20)
    assert result["r"].status_code == 200 and result["r"].json() == {"slept": 800}
    assert server.proc.wait(20) == 0
    assert "RunTestApp shutdown" in server.log
