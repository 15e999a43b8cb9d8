#!/usr/bin/env python3
"""deploy/gramine/secure-signer.manifest.template and deploy/occlum/Occlum.json, checked
as far as this machine can (issue 11 §4; Gramine and Occlum are not packaged for Debian
and there is no SGX here):

- the Gramine template parses as TOML once its Jinja expressions are rendered, with the
  keys an SGX deployment needs (libos.entrypoint, the encrypted /data mount keyed
  _sgx_mrenclave, sgx.remote_attestation = "dcap", sgx.debug = false, the rollback
  journal for SQLite, --tee gramine --kek-source tee in the fixed argv);
- its trusted files are exactly the libraries `ldd` lists for the built binary, minus
  the glibc Gramine ships in its runtime directory (a missing one would stop the
  enclave from loading, a stale one would stop gramine-sgx-sign);
- the binary started with the manifest's argv (outside any enclave, --tee none) runs with
  fewer threads than sgx.max_threads leaves it after Gramine's own;
- Occlum.json parses, is not debuggable, and allows as many threads.

Usage: tee_manifest_test.py SOURCE_DIR BINARY. Exit 0 ok, 1 failure, 77 skip."""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

try:
    import tomllib
except ImportError:  # Python < 3.11
    print("SKIP: python3 has no tomllib (3.11+)")
    sys.exit(77)

src, binary = sys.argv[1], sys.argv[2]
failures = []


def check(name, ok, detail=""):
    print(("ok   " if ok else "FAIL ") + name + (f": {detail}" if detail and not ok else ""))
    if not ok:
        failures.append(name)


# Gramine's patched glibc in gramine.runtimedir() (its subprojects/glibc build).
GRAMINE_GLIBC = {"ld-linux-x86-64.so.2", "libc.so.6", "libm.so.6", "libdl.so.2",
                 "libpthread.so.0", "librt.so.1", "libutil.so.1", "libresolv.so.2",
                 "libanl.so.1", "libnsl.so.1", "libmvec.so.1"}

machine = subprocess.run(["cc", "-dumpmachine"], capture_output=True, text=True).stdout.strip()
arch_libdir = f"/lib/{machine or 'x86_64-linux-gnu'}"
values = {
    "log_level": "error",
    "arch_libdir": arch_libdir,
    "entrypoint": os.path.abspath(binary),
    "gramine.runtimedir()": "/usr/lib/x86_64-linux-gnu/gramine/runtime/glibc",
    "gramine.libos": "/usr/lib/x86_64-linux-gnu/gramine/libsysdb.so",
}

text = open(os.path.join(src, "deploy/gramine/secure-signer.manifest.template")).read()
unknown = set()


def render(m):
    expr = m.group(1).strip()
    if expr not in values:
        unknown.add(expr)
        return ""
    return values[expr]


rendered = re.sub(r"\{\{(.*?)\}\}", render, text)
check("every Jinja expression is one gramine-manifest defines or the Makefile passes",
      not unknown, ", ".join(sorted(unknown)))
try:
    m = tomllib.loads(rendered)
    check("the template parses as TOML", True)
except tomllib.TOMLDecodeError as e:
    check("the template parses as TOML", False, str(e))
    sys.exit(1)

check('libos.entrypoint = "/secure-signer"', m.get("libos", {}).get("entrypoint") == "/secure-signer")
sgx = m.get("sgx", {})
check('sgx.remote_attestation = "dcap"', sgx.get("remote_attestation") == "dcap")
check("sgx.debug = false", sgx.get("debug") is False)
loader = m.get("loader", {})
env = loader.get("env", {})
check("SQLite's rollback journal (no WAL shared memory on encrypted files)",
      env.get("SECURE_SIGNER_SQLITE_JOURNAL_MODE") == "delete")
argv = loader.get("argv", [])
check("a fixed argv starting with the entrypoint and `run`", argv[:2] == ["/secure-signer", "run"])
check("argv seals the key store to the enclave (--tee=gramine --kek-source=tee)",
      "--tee=gramine" in argv and "--kek-source=tee" in argv)
check("loader.insecure__use_cmdline_argv is not set",
      "insecure__use_cmdline_argv" not in loader)
mounts = m.get("fs", {}).get("mounts", [])
enc = [x for x in mounts if x.get("type") == "encrypted"]
check("one encrypted mount, keyed _sgx_mrenclave",
      len(enc) == 1 and enc[0].get("key_name") == "_sgx_mrenclave", str(enc))
data_dir = next((a.split("=", 1)[1] for a in argv if a.startswith("--data-dir=")), None)
check("the data directory is the encrypted mount",
      bool(enc) and data_dir is not None and enc[0]["path"].rstrip("/") == data_dir.rstrip("/"))
check("no fs.insecure__keys", "insecure__keys" not in m.get("fs", {}))
check("no sgx.allowed_files (nothing unmeasured is read)", "allowed_files" not in sgx)

# Trusted files against ldd.
ldd = subprocess.run(["ldd", binary], capture_output=True, text=True)
linked = {}
for line in ldd.stdout.splitlines():
    parts = line.split()
    if "=>" in parts and len(parts) >= 3 and parts[2].startswith("/"):
        linked[parts[0]] = parts[2]
check("ldd lists the binary's libraries", ldd.returncode == 0 and linked, ldd.stderr)
need = {name for name in linked if name not in GRAMINE_GLIBC}
listed = {}
for f in sgx.get("trusted_files", []):
    uri = f if isinstance(f, str) else f.get("uri", "")
    path = uri[len("file:"):] if uri.startswith("file:") else uri
    if os.path.dirname(path) in (arch_libdir, "/usr" + arch_libdir) and os.path.basename(path):
        listed[os.path.basename(path)] = path
missing = sorted(need - set(listed))
extra = sorted(set(listed) - need)
check("every library the binary links is a trusted file", not missing,
      "add " + ", ".join(missing))
check("every trusted library is one the binary links", not extra,
      "remove " + ", ".join(extra))
wrong_dir = sorted(n for n in need & set(listed)
                   if os.path.realpath(os.path.dirname(linked[n])) not in
                   (os.path.realpath(arch_libdir), os.path.realpath("/usr" + arch_libdir)))
check("the libraries resolve under arch_libdir", not wrong_dir, ", ".join(wrong_dir))
tf = [f if isinstance(f, str) else f.get("uri", "") for f in sgx.get("trusted_files", [])]
check("the binary and the runtime are trusted files",
      f"file:{values['entrypoint']}" in tf and any(values["gramine.runtimedir()"] in t for t in tf))

# Threads: the argv of the manifest, outside the enclave.
max_threads = sgx.get("max_threads", 4)
work = tempfile.mkdtemp(prefix="ss-manifest-")
try:
    args = [binary]
    for a in argv[1:]:
        if a.startswith("--tee=") or a.startswith("--kek-source="):
            continue
        if a.startswith("--data-dir="):
            a = f"--data-dir={work}/data"
        elif a.startswith("--http-listen-port=") or a.startswith("--metrics-port="):
            a = a.split("=")[0] + "=0"
        elif a.startswith("--http-listen-host=") or a.startswith("--metrics-host="):
            a = a.split("=")[0] + "=127.0.0.1"
        args.append(a)
    e = dict(os.environ, SECURE_SIGNER_SQLITE_JOURNAL_MODE="delete")
    with open(f"{work}/log", "w") as log:
        p = subprocess.Popen(args, stdout=log, stderr=log, env=e)
    ports = f"{work}/data/secure-signer.ports"
    for _ in range(300):
        if os.path.exists(ports) or p.poll() is not None:
            break
        time.sleep(0.1)
    running = os.path.exists(ports) and p.poll() is None
    check("the signer starts with the manifest's options", running,
          open(f"{work}/log").read()[-400:])
    if running:
        time.sleep(0.5)
        n = len(os.listdir(f"/proc/{p.pid}/task"))
        # Gramine's IPC, async and TLS-handshake helper threads, and a margin of 8
        check(f"threads {n} + 3 Gramine + 8 spare <= sgx.max_threads {max_threads}",
              n + 3 + 8 <= max_threads)
        p.send_signal(signal.SIGTERM)
        check("it stops on SIGTERM", p.wait(30) == 0)
    else:
        p.kill()
    # Occlum.json
    occ = json.load(open(os.path.join(src, "deploy/occlum/Occlum.json")))
    check("Occlum.json: metadata.debuggable is false",
          occ.get("metadata", {}).get("debuggable") is False)
    check("Occlum.json: as many threads as the Gramine enclave",
          occ.get("resource_limits", {}).get("max_num_of_threads", 0) >= max_threads)
    check("Occlum.json: the rollback journal for SQLite",
          occ.get("env", {}).get("default", []).count("SECURE_SIGNER_SQLITE_JOURNAL_MODE=delete") == 1)
    # The build steps, as far as they can run without the toolchains: the script's syntax,
    # and the Makefile's commands (make -n prints them without running gramine-*).
    sh = subprocess.run(["sh", "-n", os.path.join(src, "deploy/occlum/build.sh")],
                        capture_output=True, text=True)
    check("deploy/occlum/build.sh is valid sh", sh.returncode == 0, sh.stderr)
    mk = subprocess.run(["make", "-n", "-f", os.path.abspath(os.path.join(src, "deploy/gramine/Makefile")),
                         f"BINARY={os.path.abspath(binary)}"], capture_output=True, text=True, cwd=work)
    check("deploy/gramine/Makefile renders and signs the manifest (make -n)",
          mk.returncode == 0 and "gramine-manifest" in mk.stdout and
          "gramine-sgx-sign" in mk.stdout and f"-Dentrypoint={os.path.abspath(binary)}" in mk.stdout,
          mk.stdout + mk.stderr)
finally:
    shutil.rmtree(work, ignore_errors=True)

sys.exit(1 if failures else 0)
