"""Run every benchmark (`make bench`), each in a fresh interpreter, and write the results.

bench/results.json: the list of rows the scripts printed (name, ours_s, anchor, anchor_s, ratio,
target, met, and extras). bench/results.md: the same as a markdown table for the README.
Exit status 1 when a script failed; unmet targets are reported, not failures.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = ["scalar_vs_micrograd.py", "tensor_vs_torch.py", "draw_vs_torchviz.py",
           "torchgraph_vs_torchviz.py", "big_graphs.py", "dcgan_lstm_vs_torch.py", "gpu.py"]
ONE_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                               "NUMEXPR_NUM_THREADS")}


def run_script(name: str) -> tuple[list[dict], float, bool]:
    """The rows one script printed (one JSON object per line), its seconds, and whether it ran."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, str(HERE / name)], cwd=HERE.parent,
                          env={**os.environ, **ONE_THREAD}, stdout=subprocess.PIPE, text=True)
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        rows.append({"name": name, "ours_s": None, "anchor": None, "anchor_s": None,
                     "ratio": None, "target": None, "met": None,
                     "error": f"{name} exited with status {done.returncode}"})
    for row in rows:
        row["script"] = name
    return rows, seconds, done.returncode == 0


def seconds_text(s) -> str:
    if s is None:
        return "—"
    if s < 1e-3:
        return f"{s * 1e6:.1f} µs"
    if s < 1:
        return f"{s * 1e3:.2f} ms"
    return f"{s:.2f} s"


def markdown(rows: list[dict]) -> str:
    lines = ["| benchmark | ours | anchor | anchor's time | ratio (anchor/ours) | target | met |",
             "|---|---:|---|---:|---:|---|---|"]
    for r in rows:
        ratio = "—" if r["ratio"] is None else f"{r['ratio']:.2f}"
        met = {True: "yes", False: "**no**", None: "—"}[r["met"]]
        note = r.get("skipped") or r.get("error") or ("a lower bound: dot stopped" if r.get("anchor_note") else "")
        target = r["target"] or ""
        if "share" in r:
            target += f" (share {r['share']:.1%}" + (f", dot {seconds_text(r['dot_s'])})"
                                                     if r.get("dot_s") else ", dot stopped)")
        lines.append(f"| {r['name']} | {seconds_text(r['ours_s'])} | {r['anchor'] or ''} | "
                     f"{seconds_text(r['anchor_s'])} | {ratio}{' (' + note + ')' if note else ''} | "
                     f"{target} | {met} |")
    return "\n".join(lines) + "\n"


def main() -> int:
    rows, ok = [], True
    total = time.perf_counter()
    for name in SCRIPTS:
        print(f"== {name}", file=sys.stderr, flush=True)
        script_rows, seconds, ran = run_script(name)
        rows += script_rows
        ok &= ran
        print(f"   {len(script_rows)} rows in {seconds:.0f} s", file=sys.stderr, flush=True)
    (HERE / "results.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    table = markdown(rows)
    (HERE / "results.md").write_text(table, encoding="utf-8")
    print(table)
    print(f"all benchmarks: {time.perf_counter() - total:.0f} s", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
