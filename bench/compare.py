#!/usr/bin/env python3
"""Check that ecaplan's usage summary and the Python reference agree app by app, so the
benchmark compares two programs doing the same work.

Usage: compare.py ECAPLAN.json PYTHON.json   (exit 1 and a list of differences when they differ)
"""
import json
import sys


def ecaplan_view(path):
    apps = {}
    for a in json.load(open(path))["apps"]:
        if not a.get("logins"):
            continue
        apps[a["label"]] = {
            "logins": a["logins"],
            "successes": a["successes"],
            "failures": a["failures"],
            "flows": a["flows"],
            "users": a["users"],
            "networks": len(a["networks"]),
            "first": a["first_seen"][:19],
            "last": a["last_use"][:19],
        }
    return apps


def python_view(path):
    return {
        name: {k: v for k, v in a.items()}
        for name, a in json.load(open(path)).items()
    }


def main(ours, theirs):
    a, b = ecaplan_view(ours), python_view(theirs)
    diffs = [f"only in ecaplan: {n}" for n in sorted(a.keys() - b.keys())]
    diffs += [f"only in python: {n}" for n in sorted(b.keys() - a.keys())]
    for name in sorted(a.keys() & b.keys()):
        for key in a[name]:
            if a[name][key] != b[name].get(key):
                diffs.append(f"{name}: {key}: ecaplan {a[name][key]!r} python {b[name].get(key)!r}")
    if diffs:
        print("summaries differ:", *diffs[:20], sep="\n  ")
        sys.exit(1)
    print(f"summaries agree: {len(a)} apps, {sum(x['logins'] for x in a.values())} logins")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
