"""A TCP proxy on loopback that breaks uploads (and counts the bytes it carries): it forwards both ways and, on the first `drops`
connections whose client has sent more than `after_bytes`, closes both sides at that point, as a
registry (or a proxy in front of one) that drops a connection mid-upload does.

    with FaultProxy("127.0.0.1:5000", after_bytes=1 << 20, drops=1) as proxy:
        push to proxy.host ...                 # "127.0.0.1:<port>"
        proxy.dropped                          # connections it broke so far

Threads in this process; every socket has a timeout and the listener stops on exit, so a test
that fails never leaves it behind. Also usable alone: fault_proxy.py <upstream> <after> <drops>.
"""
import socket
import sys
import threading
import time


class FaultProxy:
    def __init__(self, upstream, after_bytes, drops=1, host="127.0.0.1", timeout=60):
        up_host, up_port = upstream.rsplit(":", 1)
        self.upstream = (up_host, int(up_port))
        self.after_bytes = after_bytes
        self.drops_left = drops
        self.dropped = 0
        self.connections = 0
        self.bytes_up = 0    # client -> upstream, all connections (a byte count for benchmarks)
        self.bytes_down = 0  # upstream -> client
        self.timeout = timeout
        self.lock = threading.Lock()
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind((host, 0))
        self.listener.listen(64)
        self.listener.settimeout(0.2)
        self.host = f"{host}:{self.listener.getsockname()[1]}"
        self.stopping = threading.Event()
        self.threads = []

    def __enter__(self):
        t = threading.Thread(target=self._accept, daemon=True)
        t.start()
        self.threads.append(t)
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        for t in self.threads:
            t.join(5)
        self.listener.close()

    def _accept(self):
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self.lock:
                self.connections += 1
            t = threading.Thread(target=self._serve, args=(client,), daemon=True)
            t.start()

    def _serve(self, client):
        try:
            server = socket.create_connection(self.upstream, timeout=self.timeout)
        except OSError:
            client.close()
            return
        client.settimeout(self.timeout)
        broken = threading.Event()

        def pump(src, dst, count_upload):
            sent = 0
            try:
                while not broken.is_set() and not self.stopping.is_set():
                    data = src.recv(65536)
                    if not data:
                        break
                    if count_upload and sent + len(data) > self.after_bytes:
                        with self.lock:
                            drop = self.drops_left > 0
                            if drop:
                                self.drops_left -= 1
                                self.dropped += 1
                        if drop:
                            # Forward up to the limit, then cut both sides without a goodbye.
                            dst.sendall(data[: max(0, self.after_bytes - sent)])
                            broken.set()
                            for s in (src, dst):
                                try:
                                    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                                 b"\x01\x00\x00\x00\x00\x00\x00\x00")
                                except OSError:
                                    pass
                                s.close()
                            return
                    sent += len(data)
                    with self.lock:
                        if count_upload:
                            self.bytes_up += len(data)
                        else:
                            self.bytes_down += len(data)
                    dst.sendall(data)
            except OSError:
                pass
            finally:
                broken.set()
                for s in (src, dst):
                    try:
                        s.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass

        t = threading.Thread(target=pump, args=(server, client, False), daemon=True)
        t.start()
        pump(client, server, True)
        t.join(self.timeout)
        for s in (client, server):
            try:
                s.close()
            except OSError:
                pass


if __name__ == "__main__":
    with FaultProxy(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])) as p:
        print(p.host, flush=True)
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
