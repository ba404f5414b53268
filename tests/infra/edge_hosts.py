"""Edge hosts for deploy tests: each one a network namespace with its own dockerd and sshd.

    with EdgeFleet(2, workdir) as fleet:
        fleet.hosts[0].address        # "10.231.37.11": sshd on port 22, dockerd behind it
        fleet.gateway                 # "10.231.37.1": this machine, as the hosts see it
        fleet.key_file                # the client's private key (authorized on every host)
        fleet.known_hosts             # a known_hosts file listing every host's key
        fleet.hosts[0].docker("ps")   # the host's own docker, from the test

Layout (the recipe of architecture.md, "Service recipes"): one bridge in the root namespace holds
the gateway address of a private /24 made for the test; each host is a namespace with a veth
pair whose outer end is on the bridge, so that hosts reach each other and the gateway (where
tests start the registry), and the test reaches every host. Each host runs
`nsenter --net=<ns> dockerd --iptables=false --bridge=none ...` (containers run with
`--network host`, i.e. in the host's namespace) and `nsenter --net=<ns> sshd` with
`SetEnv DOCKER_HOST=...` so that `docker` over SSH talks to that host's daemon, and
`TMPDIR=<host dir>/tmp` so that the host's temporary files can be inspected by the test. sshd
runs in a mount namespace of its own where /root is an empty directory of the host's, so that
remote commands do not run this machine's shell start-up files.

Everything is torn down on exit, also after a failure half-way through start-up: daemons are
stopped (SIGTERM, then SIGKILL), leftover processes of the namespace killed, mounts under the
work directory unmounted, namespaces, veths and the bridge deleted, the directory removed.
Needs root (CI runs as root).
"""
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

SUBNET_PREFIX = "10.231"


def _run(*argv, check=True, **kw):
    return subprocess.run([str(a) for a in argv], check=check, capture_output=True, text=True,
                          **kw)


def _wait(condition, timeout, what):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError(f"timed out after {timeout} s waiting for {what}")


def _stop_process(proc, timeout):
    """SIGTERM, then SIGKILL after `timeout`; reaps our child either way."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def _free_subnet():
    used = _run("ip", "-4", "-o", "addr").stdout
    candidates = list(range(1, 255))
    random.shuffle(candidates)
    for k in candidates:
        if f" {SUBNET_PREFIX}.{k}." not in used:
            return f"{SUBNET_PREFIX}.{k}"
    raise RuntimeError("no free test subnet")


class EdgeHost:
    def __init__(self, fleet, index):
        self.fleet = fleet
        self.index = index
        self.name = f"ssf{fleet.tag}h{index}"  # netns name
        self.veth = f"ssfv{fleet.tag}h{index}"  # its outer end, on the bridge (<= 15 chars)
        self.address = f"{fleet.subnet}.{10 + index}"
        self.dir = fleet.workdir / f"host{index}"
        self.docker_sock = self.dir / "docker.sock"
        self.tmp = self.dir / "tmp"
        self.host_key = self.dir / "ssh_host_ed25519_key"
        self.sshd = None
        self.dockerd = None

    @property
    def netns_path(self):
        return f"/run/netns/{self.name}"

    def nsenter(self, *argv):
        return ["nsenter", f"--net={self.netns_path}", *map(str, argv)]

    def docker(self, *args, check=True, timeout=120, input=None):
        """Runs the host's docker client (from the test, not over SSH)."""
        return subprocess.run(["docker", "-H", f"unix://{self.docker_sock}", *map(str, args)],
                              check=check, capture_output=True, text=True, timeout=timeout,
                              input=input)

    def start_network(self):
        f = self.fleet
        _run("ip", "netns", "add", self.name)
        _run("ip", "link", "add", self.veth, "type", "veth", "peer", "name", f"{self.veth}p")
        _run("ip", "link", "set", f"{self.veth}p", "netns", self.name)
        _run("ip", "link", "set", self.veth, "master", f.bridge, "up")
        ns = ["ip", "-n", self.name]
        _run(*ns, "link", "set", f"{self.veth}p", "name", "eth0")
        _run(*ns, "addr", "add", f"{self.address}/24", "dev", "eth0")
        _run(*ns, "link", "set", "eth0", "up")
        _run(*ns, "link", "set", "lo", "up")
        _run(*ns, "route", "add", "default", "via", f.gateway)

    def start_dockerd(self):
        d = self.dir
        for sub in ("data", "exec", "tmp"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        log = open(d / "dockerd.log", "w")
        argv = self.nsenter(
            "dockerd", "--iptables=false", "--ip6tables=false", "--bridge=none",
            "--ip-masq=false", "--userland-proxy=false",
            "--data-root", d / "data", "--exec-root", d / "exec",
            "-H", f"unix://{self.docker_sock}", "--pidfile", d / "dockerd.pid",
            "--insecure-registry", f"{self.fleet.subnet}.0/24",
            "--containerd-namespace", f"ssf{self.fleet.tag}h{self.index}",
            "--containerd-plugins-namespace", f"ssf{self.fleet.tag}h{self.index}p")
        env = dict(os.environ, TMPDIR=str(d / "tmp"))
        self.dockerd = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                        start_new_session=True)

    def wait_dockerd(self, timeout=60):
        def up():
            if self.dockerd.poll() is not None:
                raise RuntimeError(f"dockerd of {self.name} exited:\n" +
                                   (self.dir / "dockerd.log").read_text()[-3000:])
            return self.docker("version", check=False, timeout=10).returncode == 0
        _wait(up, timeout, f"dockerd of {self.name}")

    def start_sshd(self):
        d = self.dir
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", self.host_key)
        config = d / "sshd_config"
        config.write_text("\n".join([
            "Port 22",
            f"ListenAddress {self.address}",
            f"HostKey {self.host_key}",
            f"PidFile {d / 'sshd.pid'}",
            f"AuthorizedKeysFile {self.fleet.authorized_keys}",
            "StrictModes no",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "AllowTcpForwarding yes",
            "MaxStartups 100",
            "MaxSessions 50",
            "LogLevel VERBOSE",
            f"SetEnv DOCKER_HOST=unix://{self.docker_sock} TMPDIR={self.tmp}",
            "Subsystem sftp internal-sftp",
            "",
        ]))
        Path("/run/sshd").mkdir(exist_ok=True)
        # root's home on the host is a fresh one, as on a new edge host: this machine's own
        # ~/.bashrc (which Debian's bash reads for every SSH command) may be slow (pyenv init
        # costs about a second) and would be paid by every remote command of a deploy.
        home = d / "root-home"
        home.mkdir(mode=0o700)
        sshd = f"/usr/sbin/sshd -D -f {config} -E {d / 'sshd.log'}"
        argv = self.nsenter("unshare", "--mount", "--propagation", "private", "sh", "-c",
                            f"mount --bind {home} /root && exec {sshd}")
        self.sshd = subprocess.Popen(argv, start_new_session=True, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def wait_sshd(self, timeout=20):
        import socket

        def up():
            if self.sshd.poll() is not None:
                raise RuntimeError(f"sshd of {self.name} exited:\n" +
                                   (self.dir / "sshd.log").read_text()[-3000:])
            try:
                with socket.create_connection((self.address, 22), timeout=1):
                    return True
            except OSError:
                return False
        _wait(up, timeout, f"sshd of {self.name}")

    def known_hosts_line(self):
        key = Path(str(self.host_key) + ".pub").read_text().split()
        return f"{self.address} {key[0]} {key[1]}"

    def ssh(self, *remote, input=None, timeout=60, check=True):
        """OpenSSH's client to this host with the fleet's key (for the test's own checks)."""
        argv = ["ssh", "-F", "/dev/null", "-i", str(self.fleet.key_file), "-o",
                f"UserKnownHostsFile={self.fleet.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", f"root@{self.address}", *remote]
        return subprocess.run(argv, input=input, capture_output=True, text=True, timeout=timeout,
                              check=check)

    def stop(self):
        # sshd first (no new sessions), then dockerd, which stops its containers on SIGTERM
        # (live-restore is off).
        for proc in [self.sshd, self.dockerd]:
            if proc is not None:
                _stop_process(proc, 20)
        # Whatever still runs in the namespace (a container's process, a shim).
        if Path(self.netns_path).exists():
            pids = _run("ip", "netns", "pids", self.name, check=False).stdout.split()
            for pid in pids:
                try:
                    os.kill(int(pid), signal.SIGKILL)
                except (ProcessLookupError, ValueError):
                    pass
        self._unmount()
        _run("ip", "netns", "del", self.name, check=False)
        _run("ip", "link", "del", self.veth, check=False)

    def _unmount(self):
        prefix = str(self.dir)
        with open("/proc/self/mounts") as f:
            points = [line.split()[1] for line in f if line.split()[1].startswith(prefix)]
        for point in sorted(points, key=len, reverse=True):
            _run("umount", "-l", point, check=False)


class EdgeFleet:
    """N edge hosts on one private /24, plus the client's key pair and known_hosts."""

    def __init__(self, count, workdir, start_dockerd=True):
        self.count = count
        self.workdir = Path(workdir) / "edge"
        self.tag = f"{os.getpid() % 10000:04d}{random.randint(0, 99):02d}"[:6]
        self.bridge = f"ssfb{self.tag}"
        self.subnet = None
        self.gateway = None
        self.hosts = []
        self.start_dockerd = start_dockerd

    @property
    def key_file(self):
        return self.workdir / "id_ed25519"

    @property
    def authorized_keys(self):
        return self.workdir / "authorized_keys"

    @property
    def known_hosts(self):
        return self.workdir / "known_hosts"

    def unused_address(self):
        """An address of the test subnet that no host answers (an unreachable host)."""
        return f"{self.subnet}.250"

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def _start(self):
        self.workdir.mkdir(parents=True, exist_ok=True)
        os.chmod(self.workdir, 0o755)
        _run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "gc-ssf-test", "-f",
             self.key_file)
        shutil.copy(str(self.key_file) + ".pub", self.authorized_keys)
        self.subnet = _free_subnet()
        self.gateway = f"{self.subnet}.1"
        _run("ip", "link", "add", self.bridge, "type", "bridge")
        _run("ip", "addr", "add", f"{self.gateway}/24", "dev", self.bridge)
        _run("ip", "link", "set", self.bridge, "up")
        for i in range(self.count):
            host = EdgeHost(self, i + 1)
            self.hosts.append(host)
            host.dir.mkdir(parents=True)
            host.tmp.mkdir()
            host.start_network()
            host.start_sshd()
            if self.start_dockerd:
                host.start_dockerd()
        for host in self.hosts:
            host.wait_sshd()
            if self.start_dockerd:
                host.wait_dockerd()
        self.known_hosts.write_text("".join(h.known_hosts_line() + "\n" for h in self.hosts))

    def stop(self):
        for host in self.hosts:
            try:
                host.stop()
            except Exception as e:  # keep tearing the others down
                print(f"edge host {host.name}: teardown: {e}")
        if self.bridge:
            _run("ip", "link", "del", self.bridge, check=False)
        shutil.rmtree(self.workdir, ignore_errors=True)


if __name__ == "__main__":
    # Manual use: python3 edge_hosts.py N DIR; holds the fleet until Ctrl-C.
    import sys
    with EdgeFleet(int(sys.argv[1]), sys.argv[2]) as fleet:
        for h in fleet.hosts:
            print(h.name, h.address, h.docker_sock)
        print("key", fleet.key_file, "known_hosts", fleet.known_hosts, flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            signal.pause()
        except KeyboardInterrupt:
            pass
