"""The native example behind the runtime, and gc-ssf's own limits."""
from pathlib import Path

import requests

from conftest import GC_SSF, SOURCE_DIR, Server

NATIVE_MODULE = Path(GC_SSF).resolve().parent.parent / "examples" / "libnative_simple.so"


def test_native_example_serves_the_simple_contract(tmp_path):
    config = SOURCE_DIR / "examples/native/ssf_config.yaml"
    args = ["--config", str(config), "--modify-config", f"application.module={NATIVE_MODULE}",
            "-ra", "2"]
    with Server(args, cwd=tmp_path) as server:
        r = requests.post(server.url + "/v1/Test1", json={"x": 7})
        assert r.status_code == 200
        assert r.json()["x_times_1000"] == 7000
        assert requests.post(server.url + "/v1/TestQuery", params={"x": 2}).json()["x_times_1000"] == 2000
        assert server.stop() == 0
    assert "native simple: shutdown after" in server.log


def test_body_limit_gives_413(run_app):
    server = run_app("--max-request-size", "1")
    big = b'{"x": 1, "pad": "' + b"a" * (2 * 1024 * 1024) + b'"}'
    r = requests.post(server.url + "/v1/Test1", data=big, headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert requests.post(server.url + "/v1/Test1", json={"x": 1}).status_code == 200


def test_request_timeout_gives_504(run_app):
    """A request that no replica took within --request-timeout is answered 504. (Four batches may
    be in flight to a replica, so five slow requests fill it and leave the sixth queued.)"""
    import threading
    import time
    server = run_app("--request-timeout", "0.5")
    slow = [threading.Thread(target=lambda: requests.post(server.url + "/v1/Sleep", json={"ms": 400}))
            for _ in range(5)]
    for t in slow:
        t.start()
    time.sleep(0.2)
    r = requests.post(server.url + "/v1/Test1", json={"x": 1})
    assert r.status_code == 504
    assert r.json() == {"detail": "Request timed out"}
    for t in slow:
        t.join(10)
