#!/usr/bin/env python3
"""Deliberately broken builds: each mutation in mutations.json breaks one
documented promise in the product code; the test named beside it must fail.

    tests/mutations/run.py [--build build/test-release] [NAME_PREFIX ...]

For each mutation: the file is changed, the targets rebuilt, the test run;
then the file is put back byte for byte (and touched, so the next build
takes it). Prints KILLED (the test failed, as it should) or SURVIVED (a
promise no test guards). Minutes per mutation: run it by hand, not in CI.
A mutation whose text no longer matches the code says so: update it.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(os.path.dirname(here))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.path.join(root, "build", "test-release"))
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    mutations = json.load(open(os.path.join(here, "mutations.json")))
    unchecked = 0  # survived, stale or unbuildable: each a failure of the run
    for m in mutations:
        if args.names and not any(m["name"].startswith(n) for n in args.names):
            continue
        path = os.path.join(root, m["file"])
        backup = tempfile.NamedTemporaryFile(delete=False).name
        shutil.copy2(path, backup)
        try:
            text = open(path).read()
            if text.count(m["old"]) != 1:
                print(f"{m['name']}: STALE (its text is not once in {m['file']})", flush=True)
                unchecked += 1
                continue
            open(path, "w").write(text.replace(m["old"], m["new"]))
            built = subprocess.run(["ninja", "-C", args.build] + m["targets"],
                                   capture_output=True, text=True)
            if built.returncode != 0:
                print(f"{m['name']}: BUILD FAILED\n{built.stdout[-1500:]}", flush=True)
                unchecked += 1
                continue
            started = time.time()
            try:
                r = subprocess.run([os.path.join(args.build, m["binary"]),
                                    "--gtest_filter=" + m["filter"]],
                                   capture_output=True, text=True, timeout=300, cwd=args.build)
                verdict = "KILLED" if r.returncode != 0 else "SURVIVED"
            except subprocess.TimeoutExpired:
                verdict = "KILLED (timed out)"
            unchecked += verdict == "SURVIVED"
            print(f"{m['name']}: {verdict} in {time.time() - started:.0f} s ({m['filter']})",
                  flush=True)
        finally:
            shutil.copy2(backup, path)
            os.utime(path)
            os.unlink(backup)
    return 1 if unchecked else 0


if __name__ == "__main__":
    sys.exit(main())
