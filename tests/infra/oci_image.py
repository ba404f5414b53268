"""Writes OCI image layouts for registry tests and benchmarks: real tar+gzip layers of seeded
pseudo-random files (so that every run makes the same bytes), a config with their diff_ids, a
manifest, and index.json naming it.

    desc = make_image(layout_dir, "127.0.0.1:5000/app:1.0", layers=[("app.bin", 4096)])
    desc["digest"], desc["size"]

A layer is a list of (path, size) files or one (path, size) pair; `seed` varies the content.
`base_name` sets the manifest's org.opencontainers.image.base.name annotation (the repository to
mount base layers from).
"""
import gzip
import hashlib
import io
import json
import os
import random
import sys
import tarfile
from pathlib import Path

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"


def put_blob(layout: Path, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    path = layout / "blobs" / "sha256" / digest
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(".tmp-" + digest)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    return "sha256:" + digest


def make_layer(files, seed):
    rng = random.Random(seed)
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, size in files:
            info = tarfile.TarInfo(name)
            info.size = size
            info.mode = 0o644
            info.mtime = 0
            tar.addfile(info, io.BytesIO(rng.randbytes(size)))
    tar_bytes = raw.getvalue()
    # Level 0: the content is random, compressing it would only cost time (200 MB for the bench).
    gz = gzip.compress(tar_bytes, compresslevel=0, mtime=0)
    return tar_bytes, gz


def make_image(layout, ref_name, layers=(("file.bin", 1024),), seed=0, base_name=None,
               cmd=("/bin/true",)):
    layout = Path(layout)
    (layout / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
    (layout / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    descriptors, diff_ids = [], []
    for i, layer in enumerate(layers):
        files = [layer] if isinstance(layer, tuple) and isinstance(layer[0], str) else list(layer)
        tar_bytes, gz = make_layer(files, f"{seed}-{i}")
        diff_ids.append("sha256:" + hashlib.sha256(tar_bytes).hexdigest())
        descriptors.append({"mediaType": OCI_LAYER, "digest": put_blob(layout, gz),
                            "size": len(gz)})
    config = {"architecture": "amd64", "os": "linux",
              "config": {"Cmd": list(cmd), "Labels": {"seed": str(seed)}},
              "rootfs": {"type": "layers", "diff_ids": diff_ids}, "history": []}
    config_bytes = json.dumps(config, separators=(",", ":"), sort_keys=True).encode()
    manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                "config": {"mediaType": OCI_CONFIG, "digest": put_blob(layout, config_bytes),
                           "size": len(config_bytes)},
                "layers": descriptors}
    if base_name:
        manifest["annotations"] = {"org.opencontainers.image.base.name": base_name}
    manifest_bytes = json.dumps(manifest, separators=(",", ":")).encode()
    desc = {"mediaType": OCI_MANIFEST, "digest": put_blob(layout, manifest_bytes),
            "size": len(manifest_bytes)}
    index_path = layout / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
        "manifests": []}
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name")
                          != ref_name]
    index["manifests"].append(dict(desc, annotations={
        "org.opencontainers.image.ref.name": ref_name}))
    index_path.write_text(json.dumps(index, separators=(",", ":")))
    return dict(desc, layers=descriptors, config=manifest["config"])


def make_index(layout, ref_name, entries):
    """An image index over manifests already in the layout: entries are (descriptor from
    make_image, (os, architecture)). Names the index `ref_name` in index.json (replacing any)."""
    layout = Path(layout)
    manifests = [{"mediaType": OCI_MANIFEST, "digest": d["digest"], "size": d["size"],
                  "platform": {"os": os_, "architecture": arch}} for d, (os_, arch) in entries]
    body = json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests},
                      separators=(",", ":")).encode()
    desc = {"mediaType": OCI_INDEX, "digest": put_blob(layout, body), "size": len(body)}
    index_path = layout / "index.json"
    index = json.loads(index_path.read_text())
    index["manifests"] = [m for m in index["manifests"]
                          if m.get("annotations", {}).get("org.opencontainers.image.ref.name")
                          != ref_name]
    index["manifests"].append(dict(desc, annotations={
        "org.opencontainers.image.ref.name": ref_name}))
    index_path.write_text(json.dumps(index, separators=(",", ":")))
    return desc


if __name__ == "__main__":
    # make_image from the command line: oci_image.py <layout> <ref> <size>[,<size>...] [seed]
    sizes = [int(s) for s in sys.argv[3].split(",")]
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    layers = [(f"layer{i}/data.bin", s) for i, s in enumerate(sizes)]
    print(json.dumps(make_image(sys.argv[1], sys.argv[2], layers, seed)))
