"""One line for a case of run.sh, from curl's times, ping's summary and the
delay line's report; the phases of each upload (from the delay line's
per-millisecond record) go to standard error.

    python3 summarize.py CASE TIMES PING REPORT [VPCSIM_MS [VPCSIM_MARKS]]

TIMES: one upload a line, "time_connect time_total size_upload load1"
(seconds, bytes, the 1-minute load average when the upload ended).
"""

import json
import statistics
import sys


MARKS = (1_000_000, 10_000_000, 25_000_000, 50 << 20)


def milestones(flow):
    """Milliseconds from the SYN until the sender had sent 1 MB, 10 MB,
    25 MB and all 50 MiB of payload (the line's per-millisecond record, by
    the millisecond in which the mark was passed, counted to its end)."""
    sent, found = 0, []
    for ms, size, *_ in flow["per_ms"]:
        sent += size
        while len(found) < len(MARKS) and sent >= MARKS[len(found)]:
            found.append(ms + 1)
    return found + [None] * (len(MARKS) - len(found))


def main():
    case, times_path, ping_path, report_path = sys.argv[1:5]
    vpcsim_ms = float(sys.argv[5]) if len(sys.argv) > 5 else None
    vpcsim_marks = sys.argv[6] if len(sys.argv) > 6 else None
    times, loads = [], []
    for line in open(times_path):
        fields = line.split()
        if len(fields) < 4 or int(float(fields[2])) != 50 << 20:
            continue
        times.append(float(fields[1]) * 1e3)
        loads.append(float(fields[3]))
    report = json.load(open(report_path))
    flows = [f for f in report["flows"].values() if f["bytes"] >= 50 << 20]

    for i, f in enumerate(flows):
        marks = milestones(f)
        print(
            f"  {case} upload {i + 1}: SYN-ACK {f['syn_ack_ms']} ms; 1 MB, 10 MB, "
            f"25 MB, 50 MiB sent at {'/'.join(str(m) for m in marks)} ms; "
            f"largest in flight {f['max_in_flight']} B, window {f['max_window']} B; "
            f"sent again {f['bytes_sent_again']} B",
            file=sys.stderr,
        )

    ping = "none"
    for line in open(ping_path):
        if line.startswith("rtt ") or line.startswith("round-trip"):
            values = line.split("=")[1].split()[0].split("/")
            ping = f"{values[0]}/{values[1]}/{values[3]}"

    parts = [case, f"runs={len(times)}"]
    if times:
        median = statistics.median(times)
        parts += [
            f"median_ms={median:.1f}",
            f"range_ms={min(times):.1f}-{max(times):.1f}",
            f"gbit_s={(50 << 20) * 8 / (median * 1e-3) / 1e9:.2f}",
        ]
        if vpcsim_ms:
            parts.append(f"vpcsim_ms={vpcsim_ms} diff={(median / vpcsim_ms - 1) * 100:+.1f}%")
    parts.append(f"ping_min/avg/mdev_ms={ping}")
    if loads:
        parts.append(f"load1={min(loads):.2f}-{max(loads):.2f}")
    if flows:
        marks = [milestones(f) for f in flows]
        medians = []
        for k in range(len(MARKS)):
            values = [m[k] for m in marks if m[k] is not None]
            medians.append(f"{statistics.median(values):.0f}" if values else "-")
        parts.append(f"sent_1MB/10MB/25MB/50MiB_ms={'/'.join(medians)}")
        if vpcsim_marks:
            parts.append(f"vpcsim_sent_ms={vpcsim_marks}")
        parts.append(f"max_in_flight_B={statistics.median(f['max_in_flight'] for f in flows):.0f}")
        parts.append(f"max_window_B={statistics.median(f['max_window'] for f in flows):.0f}")
        parts.append(f"sent_again_B={sum(f['bytes_sent_again'] for f in flows)}")
    ab, ba = report["a_to_b"], report["b_to_a"]
    parts.append(f"line_drops={ab['drops'] + ba['drops']}")
    parts.append(f"line_max_queue_B={ab['max_backlog_bytes']}")
    parts.append(f"line_late_us_p99/max={max(ab['late_us']['p99'] or 0, ba['late_us']['p99'] or 0)}/"
                 f"{max(ab['late_us']['max'] or 0, ba['late_us']['max'] or 0)}")
    parts.append(f"line_buffers={ab['buffers']}+{ba['buffers']} segments={ab['segments']}+{ba['segments']}")
    print(" ".join(parts))


if __name__ == "__main__":
    main()
