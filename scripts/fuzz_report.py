#!/usr/bin/env python3
"""Reads the NDJSON event log of a schemathesis run (scripts/fuzz-http.sh) and reports,
per operation and phase, what the server did with the positive cases: the cases the
schema says are valid.

    fuzz_report.py EVENTS.ndjson [MIN_SHARE]

Accepted is a 2xx. Refused is any other 4xx but 401, 403, 404, 409 and 429, which say
nothing about the data (no credential, no such object, a conflict, a rate limit), and
openYuanrong's HTTP 500, which is how that dialect refuses input (codes 4104, 130600),
unless it says the pool exists already (a conflict).
The share is accepted / (accepted + refused). It exits 1 when an operation's share in a
phase that sent it at least 10 such cases is below MIN_SHARE (default 0.5): the schema
would then be looser than the rules it documents.
"""
import base64
import collections
import json
import sys

MIN_CASES = 10
NEUTRAL = {401, 403, 404, 409, 429}


def outcome(label, response):
    status = response["status_code"]
    if 200 <= status < 300:
        return "accepted"
    if status in NEUTRAL:
        return "neutral"
    if status == 500 and " /serverless/" in label:
        # openYuanrong answers a pool that exists already with its 500/4104 as well:
        # a conflict, not a refusal of the data.
        body = base64.b64decode((response.get("content") or {}).get("$base64", ""))
        return "neutral" if b"already exists" in body else "refused"
    if 400 <= status < 500:
        return "refused"
    return "neutral"


def main():
    path = sys.argv[1]
    floor = float(sys.argv[2]) if len(sys.argv) > 2 else 0.5
    counts = collections.defaultdict(collections.Counter)
    cases_per_phase = collections.Counter()
    with open(path, encoding="utf-8") as events:
        for line in events:
            finished = json.loads(line).get("ScenarioFinished")
            if not finished or "cases" not in finished["recorder"]:
                continue
            recorder, phase = finished["recorder"], finished["phase"]
            interactions = recorder.get("interactions", {})
            for case_id, case in recorder["cases"].items():
                cases_per_phase[phase] += 1
                meta = case["value"].get("meta") or {}
                if (meta.get("generation") or {}).get("mode") != "positive":
                    continue
                response = (interactions.get(case_id) or {}).get("response")
                if response is None:
                    continue
                label = recorder["label"]
                if phase == "stateful":
                    label = f'{case["value"]["method"]} {case["value"]["path"]}'
                counts[(label, phase)][outcome(label, response)] += 1

    print("cases per phase: " + ", ".join(f"{p} {n}" for p, n in sorted(cases_per_phase.items())))
    print(f"{'operation':66} {'phase':9} {'accepted':>8} {'refused':>7} {'share':>6}")
    low = []
    for (label, phase), c in sorted(counts.items()):
        judged = c["accepted"] + c["refused"]
        share = c["accepted"] / judged if judged else 1.0
        print(f"{label:66} {phase:9} {c['accepted']:8} {c['refused']:7} {share:6.0%}")
        if judged >= MIN_CASES and share < floor:
            low.append(f"{label} ({phase}): {share:.0%}")
    if low:
        print(f"fuzz_report: positive cases accepted below {floor:.0%}:\n  " + "\n  ".join(low))
        sys.exit(1)


if __name__ == "__main__":
    main()
