"""Sends `total` requests from `connections` threads to a batched app and prints the batch sizes
its answers report (the app returns the size of the batch each request was served in)."""
import collections
import sys
from concurrent.futures import ThreadPoolExecutor

import requests

url, connections, total = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
local = __import__("threading").local()


def post(x):
    if not hasattr(local, "session"):
        local.session = requests.Session()
    return local.session.post(url, json={"x": x}, timeout=30).json()["batch"]


with ThreadPoolExecutor(connections) as pool:
    sizes = list(pool.map(post, range(total)))
counts = collections.Counter(sizes)
print(" ".join(f"{size}:{counts[size]}" for size in sorted(counts)),
      f"mean {sum(sizes) / len(sizes):.2f}")
