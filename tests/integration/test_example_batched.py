"""examples/batched: batches of up to 8 form under concurrent load; and its application tests,
through `gc-ssf test --test-skip-start`."""
import shutil
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from conftest import GC_SSF, SOURCE_DIR, Server

EXAMPLE = SOURCE_DIR / "examples" / "batched"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    work = tmp_path_factory.mktemp("batched")
    shutil.copytree(EXAMPLE, work / "app")
    srv = Server(["--config", str(work / "app" / "ssf_config.yaml"), "--batching-timeout", "0.5"],
                 cwd=work)
    srv.work = work
    yield srv
    assert srv.stop() == 0, srv.output


def test_a_lone_request_is_a_batch_of_one(server):
    r = requests.post(server.url + "/v1/Test1", json={"x": 3})
    assert r.status_code == 200, r.text
    assert r.json()["x_times_1000"] == 3000 and r.json()["batch_size"] == 1


def test_batches_of_eight_form_under_concurrent_load(server):
    n = 64
    barrier = threading.Barrier(n)

    def post(x):
        barrier.wait(10)
        return requests.post(server.url + "/v1/Test1", json={"x": x}, timeout=60).json()

    with ThreadPoolExecutor(n) as pool:
        answers = list(pool.map(post, range(n)))
    assert [a["x_times_1000"] for a in answers] == [x * 1000 for x in range(n)]
    batches = {a["batch_id"]: a["batch_size"] for a in answers}
    sizes = sorted(batches.values(), reverse=True)
    print(f"{n} concurrent requests in {len(batches)} batches: {sizes}")
    assert sum(sizes) == n
    assert max(sizes) == 8
    # Most requests travel in full batches: 64 requests need at least 8 calls, far fewer than 64.
    assert len(batches) <= 16


def test_the_application_tests_pass_under_gc_ssf_test(server):
    proc = subprocess.run([GC_SSF, "--config", str(server.work / "app" / "ssf_config.yaml"),
                           "--host", "127.0.0.1", "--port", str(server.port),
                           "--test-skip-start", "test"],
                          cwd=server.work / "app", capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK 6 KO 0" in proc.stdout  # ready, root, begin, 2 subtests, end
    assert "32 concurrent requests in" in (server.work / "app" / "ssf.log").read_text()
