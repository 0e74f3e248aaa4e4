#!/usr/bin/env python3
"""Interleaved whole-process CPU measurement (issue 15, docs/benchmarks.md).

    scripts/cpu-pairs.py SPEC.json N

SPEC.json: {"cwd": DIR, "cmds": {"name": [argv...], ...}}. Each round runs
every command once, in order, after one untimed warm-up round, so all
commands see the same machine load; it prints per command the median and
minimum of CPU time (user + system of the process and the children it
waited for, so composenet-load and composenet-graphviz count) and of
wall time. Quote ratios of the medians; absolute figures move with load.
"""
import json, resource, statistics, subprocess, sys, time


def run(cmd, cwd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.time()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    wall = time.time() - t
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1000, wall * 1000


def main():
    spec = json.load(open(sys.argv[1]))
    n = int(sys.argv[2])
    cmds, cwd = spec["cmds"], spec.get("cwd")
    res = {k: [] for k in cmds}
    for c in cmds.values():
        run(c, cwd)
    for _ in range(n):
        for k, c in cmds.items():
            res[k].append(run(c, cwd))
    for k, v in res.items():
        print("%-16s cpu med %.1f ms  min %.1f  wall med %.1f ms  min %.1f" % (
            k, statistics.median(x[0] for x in v), min(x[0] for x in v),
            statistics.median(x[1] for x in v), min(x[1] for x in v)))


if __name__ == "__main__":
    main()
