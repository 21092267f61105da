#!/usr/bin/env python3
"""Reference implementation for the usage benchmark: the same per-app LoginHistory summary as
`ecaplan usage` (logins by OAuth flow, successes/failures, distinct users, first/last seen,
source /24 networks), streamed with Python's csv module.

Usage: summary.py FILE.csv  (prints a JSON summary on stdout)
"""
import csv
import json
import sys

FLOWS = {
    "oauthusernamepassword": "username-password",
    "oauthuseragent": "user-agent",
    "oauthwebserver": "web-server",
    "oauthrefreshtoken": "refresh",
    "oauthclientcredentials": "client-credentials",
    "oauthtokenexchange": "token-exchange",
}
PLACEHOLDERS = {"", "n/a", "unknown", "salesforce.com ip"}
# Browser logins name no connected app: ecaplan does not count them as an app either.
NOT_APPS = PLACEHOLDERS | {"browser"}


def norm(header):
    return header.strip().lower().replace("_", "").replace(" ", "").replace(".", "")


def main(path):
    apps = {}
    with open(path, newline="", encoding="utf-8-sig") as f:
        reader = csv.reader(f)
        header = [norm(h) for h in next(reader)]
        col = {name: header.index(name) for name in ("userid", "logintime", "logintype", "loginsubtype", "application", "status", "sourceip")}
        for row in reader:
            app = row[col["application"]].strip()
            if app.lower() in NOT_APPS:
                continue
            a = apps.get(app)
            if a is None:
                a = apps[app] = {"logins": 0, "successes": 0, "failures": 0, "flows": {}, "users": set(),
                                 "first": None, "last": None, "networks": {}}
            a["logins"] += 1
            if row[col["status"]] == "Success":
                a["successes"] += 1
            else:
                a["failures"] += 1
            login_type = row[col["logintype"]]
            sub = row[col["loginsubtype"]].replace(" ", "").replace("-", "").lower()
            if login_type == "Remote Access 2.0":
                flow = FLOWS.get(sub, "unknown")
            else:
                flow = "other"
            a["flows"][flow] = a["flows"].get(flow, 0) + 1
            a["users"].add(row[col["userid"]][:15])
            t = row[col["logintime"]][:19]
            if a["first"] is None or t < a["first"]:
                a["first"] = t
            if a["last"] is None or t > a["last"]:
                a["last"] = t
            ip = row[col["sourceip"]]
            net = ".".join(ip.split(".")[:3]) + ".0/24" if ip.count(".") == 3 else ip
            a["networks"][net] = a["networks"].get(net, 0) + 1
    out = {k: {**v, "users": len(v["users"]), "networks": len(v["networks"])} for k, v in sorted(apps.items())}
    json.dump(out, sys.stdout)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
