"""`run --in-process`: native replicas on threads of the server, no worker processes."""
import subprocess
from pathlib import Path

import requests

from conftest import GC_SSF, SOURCE_DIR, Server

NATIVE_MODULE = Path(GC_SSF).resolve().parent.parent / "examples" / "libnative_simple.so"


def child_pids(pid):
    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += (task / "children").read_text().split()
    return children


def test_native_replicas_run_in_the_servers_process(tmp_path):
    config = SOURCE_DIR / "examples/native/ssf_config.yaml"
    args = ["--config", str(config), "--modify-config", f"application.module={NATIVE_MODULE}",
            "-ra", "2", "--in-process"]
    with Server(args, cwd=tmp_path) as server:
        assert child_pids(server.proc.pid) == []
        with requests.Session() as session:
            for x in range(1, 41):
                r = session.post(server.url + "/v1/Test1", json={"x": x})
                assert r.status_code == 200
                assert r.json()["x_times_1000"] == x * 1000
        r = requests.post(server.url + "/v1/TestQuery", params={"x": 2})
        assert r.json()["x_times_1000"] == 2000
        assert requests.get(server.url + "/health/ready").status_code == 200
        assert server.stop() == 0
    assert "Replicas run in the server's process (--in-process)" in server.output
    log = server.log
    for replica in (0, 1):
        assert f"[{replica}] Replica started for native-simple on a thread of the server" in log
    # Both replicas served, and both were shut down when the server drained.
    assert log.count("native simple: shutdown after") == 2


def test_in_process_is_refused_for_python_apps(tmp_path):
    config = SOURCE_DIR / "examples/simple/ssf_config.yaml"
    out = subprocess.run([GC_SSF, "--config", str(config), "--in-process", "--port", "0", "run"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert out.returncode == 1
    assert ("--in-process: only native applications (application.module: <file>.so) can run in "
            "the server's process") in out.stdout + out.stderr
