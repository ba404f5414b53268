"""A Docker daemon for tests, in the root network namespace.

    from dockerd import session_daemon
    d = session_daemon()          # started once per process, stopped when the process exits
    d.env                         # {"DOCKER_HOST": "unix://..."}: for subprocesses (gc-ssf, docker)
    d.docker("images")            # runs `docker` against it; returns CompletedProcess (text)

    with DockerDaemon.start() as d:   # one of its own, stopped at the end of the block
        ...

If a daemon is already reachable ($DOCKER_HOST, else /var/run/docker.sock), it is used and left
alone. Otherwise Debian's `dockerd` is started with the recipe of architecture.md
(`--iptables=false --bridge=none`: containers run with `--network host`) and everything of its
own: data root, exec root, socket and pid file in a temporary directory, and containerd
namespaces named after the process, so that it never meets another daemon on this machine (the
deploy tests run several in network namespaces). Stopping it stops its containers (SIGTERM to
dockerd, SIGKILL after a grace), unmounts what it left mounted and removes the directory.
Needs root (CI runs as root).

Command line, for shell scripts (the benchmarks): `python3 tests/infra/dockerd.py run -- CMD...`
runs CMD with DOCKER_HOST set to a reachable daemon, started for it when needed.
"""
import atexit
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START_TIMEOUT = 60  # seconds for dockerd to answer


def _reachable(env):
    try:
        out = subprocess.run(["docker", "version", "--format", "{{.Server.Version}}"],
                             env={**os.environ, **env}, capture_output=True, text=True,
                             timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0


class DockerDaemon:
    def __init__(self, env, proc=None, root=None):
        self.env = env
        self._proc = proc
        self._root = root

    @property
    def host(self):
        return self.env["DOCKER_HOST"]

    def docker(self, *args, check=True, timeout=300, **kw):
        return subprocess.run(["docker", *[str(a) for a in args]], env={**os.environ, **self.env},
                              capture_output=True, text=True, check=check, timeout=timeout, **kw)

    @classmethod
    def existing(cls):
        """The daemon this machine already runs, or None."""
        host = os.environ.get("DOCKER_HOST")
        if not host:
            if not Path("/var/run/docker.sock").exists():
                return None
            host = "unix:///var/run/docker.sock"
        env = {"DOCKER_HOST": host}
        return cls(env) if _reachable(env) else None

    @classmethod
    def start(cls):
        """A daemon of our own (socket paths must stay short: /tmp, not the test's tmp_path)."""
        root = Path(tempfile.mkdtemp(prefix="gcssf-dockerd-", dir="/tmp"))
        tag = f"gcssf{os.getpid()}"
        sock = root / "docker.sock"
        log = open(root / "dockerd.log", "w")
        proc = subprocess.Popen(
            ["dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none",
             "--ip-masq=false", "--userland-proxy=false", "--data-root", str(root / "data"),
             "--exec-root", str(root / "exec"), "-H", f"unix://{sock}", "--pidfile",
             str(root / "dockerd.pid"), "--containerd-namespace", tag,
             "--containerd-plugins-namespace", tag + "p"],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        daemon = cls({"DOCKER_HOST": f"unix://{sock}"}, proc, root)
        deadline = time.time() + START_TIMEOUT
        while not (sock.exists() and _reachable(daemon.env)):
            if proc.poll() is not None or time.time() > deadline:
                text = (root / "dockerd.log").read_text()[-3000:]
                daemon.stop()
                raise RuntimeError(f"dockerd did not start:\n{text}")
            time.sleep(0.1)
        return daemon

    def stop(self, grace=20):
        """Stops a daemon we started (containers included) and removes its files; no-op else."""
        if self._proc is None:
            return
        proc, self._proc = self._proc, None
        if proc.poll() is None:
            # Containers first, so that none outlives the daemon's shutdown timeout.
            ids = self.docker("ps", "-aq", check=False, timeout=30).stdout.split()
            if ids:
                self.docker("rm", "-f", *ids, check=False, timeout=60)
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
        # Leftover mounts (overlay layers, the exec root's netns files), deepest first.
        mounts = [line.split()[1] for line in Path("/proc/mounts").read_text().splitlines()
                  if line.split()[1].startswith(str(self._root))]
        for mount in sorted(mounts, key=len, reverse=True):
            subprocess.run(["umount", "-l", mount], capture_output=True)
        shutil.rmtree(self._root, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


_session = None


def session_daemon():
    """The daemon shared by every test of this process: the machine's, or one started once."""
    global _session
    if _session is None:
        _session = DockerDaemon.existing() or DockerDaemon.start()
        atexit.register(_session.stop)
    return _session


def main(argv):
    if len(argv) >= 2 and argv[0] == "run" and argv[1] == "--":
        daemon = session_daemon()
        try:
            return subprocess.run(argv[2:], env={**os.environ, **daemon.env}).returncode
        finally:
            daemon.stop()
    print(__doc__.split("Command line, ")[1], file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
