#!/usr/bin/env python3
"""Write a reproducible, single-layer, multi-platform OCI image layout. No network.

  oci_layout.py --out DIR --tag TAG \
      --platform linux/amd64=ROOTFS_A --platform linux/arm64/v8=ROOTFS_B \
      [--config '{"User":"65532","Env":["PATH=..."]}'] \
      [--mode /tmp=1777] [--owner /home/nonroot=65532:65532] [--created 1970-01-01T00:00:00Z]

Every platform's ROOTFS directory becomes one gzip layer: entries sorted, mtime 0,
owner 0:0 unless --owner says otherwise, modes normalised (dirs 0755, files 0644 or
0755 when executable, symlinks kept as links) unless --mode says otherwise. The same
inputs always give the same digests. index.json holds one entry (ref name TAG) that
points at an image index with one manifest per platform, which is what
`skopeo copy --all oci:DIR:TAG docker://...` pushes.
"""
import argparse
import gzip
import hashlib
import io
import json
import os
import stat
import sys
import tarfile

MT_INDEX = "application/vnd.oci.image.index.v1+json"
MT_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
MT_CONFIG = "application/vnd.oci.image.config.v1+json"
MT_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"


def canon(obj):
    return json.dumps(obj, sort_keys=True, separators=(",", ":")).encode()


class Layout:
    def __init__(self, out):
        self.out = out
        os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)

    def put(self, data):
        dg = hashlib.sha256(data).hexdigest()
        path = os.path.join(self.out, "blobs", "sha256", dg)
        if not os.path.exists(path):
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        return "sha256:" + dg, len(data)


def layer_tar(rootfs, modes, owners):
    entries = []
    for dirpath, dirnames, filenames in os.walk(rootfs):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            entries.append(os.path.join(dirpath, name))
    entries.sort(key=lambda p: os.path.relpath(p, rootfs))
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for full in entries:
            rel = os.path.relpath(full, rootfs)
            st = os.lstat(full)
            ti = tarfile.TarInfo(rel)
            ti.mtime = 0
            ti.uname = ti.gname = ""
            uid, gid = owners.get("/" + rel, (0, 0))
            ti.uid, ti.gid = uid, gid
            if stat.S_ISLNK(st.st_mode):
                ti.type = tarfile.SYMTYPE
                ti.linkname = os.readlink(full)
                ti.mode = 0o777
                tar.addfile(ti)
            elif stat.S_ISDIR(st.st_mode):
                ti.type = tarfile.DIRTYPE
                ti.mode = modes.get("/" + rel, 0o755)
                tar.addfile(ti)
            elif stat.S_ISREG(st.st_mode):
                ti.type = tarfile.REGTYPE
                ti.size = st.st_size
                default = 0o755 if st.st_mode & 0o111 else 0o644
                ti.mode = modes.get("/" + rel, default)
                with open(full, "rb") as f:
                    tar.addfile(ti, f)
            else:
                sys.exit(f"oci_layout: unsupported file type: {full}")
    raw = buf.getvalue()
    gz = io.BytesIO()
    with gzip.GzipFile(fileobj=gz, mode="wb", mtime=0, compresslevel=6) as g:
        g.write(raw)
    return raw, gz.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--tag", required=True)
    ap.add_argument("--platform", action="append", required=True, help="os/arch[/variant]=ROOTFS")
    ap.add_argument("--config", default="{}", help="image config 'config' object as JSON")
    ap.add_argument("--mode", action="append", default=[], help="/path=octal")
    ap.add_argument("--owner", action="append", default=[], help="/path=uid:gid")
    ap.add_argument("--created", default="1970-01-01T00:00:00Z")
    ap.add_argument("--comment", default="hephy-builder scripts/base-images.sh")
    a = ap.parse_args()

    modes = {k: int(v, 8) for k, v in (m.split("=", 1) for m in a.mode)}
    owners = {}
    for o in a.owner:
        k, v = o.split("=", 1)
        u, g = v.split(":", 1)
        owners[k] = (int(u), int(g))
    cfg = json.loads(a.config)

    lay = Layout(a.out)
    manifests = []
    for spec in a.platform:
        plat, rootfs = spec.split("=", 1)
        parts = plat.split("/")
        osname, arch = parts[0], parts[1]
        variant = parts[2] if len(parts) > 2 else None
        raw, gz = layer_tar(rootfs, modes, owners)
        diff_id = "sha256:" + hashlib.sha256(raw).hexdigest()
        layer_digest, layer_size = lay.put(gz)
        config = {
            "architecture": arch,
            "os": osname,
            "created": a.created,
            "config": cfg,
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
            "history": [{"created": a.created, "created_by": a.comment}],
        }
        if variant:
            config["variant"] = variant
        cdig, csize = lay.put(canon(config))
        manifest = {
            "schemaVersion": 2,
            "mediaType": MT_MANIFEST,
            "config": {"mediaType": MT_CONFIG, "digest": cdig, "size": csize},
            "layers": [{"mediaType": MT_LAYER, "digest": layer_digest, "size": layer_size}],
        }
        mdig, msize = lay.put(canon(manifest))
        platform = {"architecture": arch, "os": osname}
        if variant:
            platform["variant"] = variant
        manifests.append({"mediaType": MT_MANIFEST, "digest": mdig, "size": msize, "platform": platform})

    index = {"schemaVersion": 2, "mediaType": MT_INDEX, "manifests": manifests}
    idig, isize = lay.put(canon(index))
    top = {
        "schemaVersion": 2,
        "mediaType": MT_INDEX,
        "manifests": [{
            "mediaType": MT_INDEX, "digest": idig, "size": isize,
            "annotations": {"org.opencontainers.image.ref.name": a.tag},
        }],
    }
    with open(os.path.join(a.out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion":"1.0.0"}')
    with open(os.path.join(a.out, "index.json"), "wb") as f:
        f.write(canon(top))
    print(idig)


if __name__ == "__main__":
    main()
