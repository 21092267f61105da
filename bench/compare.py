#!/usr/bin/env python3
"""Check that ecaplan's usage summary and the Python reference agree app by app, so the
benchmark compares two programs doing the same work.

Usage: compare.py ECAPLAN.json PYTHON.json   (exit 1 and a list of differences when they differ)

ecaplan lists an app's three busiest networks (compared with the Python count up to three) and,
past its exact cap, an estimate of their number (`networks_total`, with `networks_error`, e.g.
"±1.6%", one standard error): it must lie within four standard errors of the exact count (6.5% for ±1.6%: with
hundreds of apps past the cap, three would fail one app in 370 by chance).
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
            "networks": a.get("networks_total", len(a["networks"])),
            "listed_only": "networks_total" not in a,
            "networks_error": a.get("networks_error"),
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
        if a[name].pop("listed_only"):
            b[name]["networks"] = min(b[name]["networks"], 3)
        err = a[name].pop("networks_error")
        if err is not None:
            tolerance = 4 * float(err.strip("±%")) / 100
            ours, exact = a[name].pop("networks"), b[name]["networks"]
            if abs(ours - exact) > tolerance * exact:
                diffs.append(f"{name}: networks: estimate {ours} is off exact {exact} by more than {tolerance:.1%}")
        for key in a[name]:
            if a[name][key] != b[name].get(key):
                diffs.append(f"{name}: {key}: ecaplan {a[name][key]!r} python {b[name].get(key)!r}")
    if diffs:
        print("summaries differ:", *diffs[:20], sep="\n  ")
        sys.exit(1)
    print(f"summaries agree: {len(a)} apps, {sum(x['logins'] for x in a.values())} logins")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
