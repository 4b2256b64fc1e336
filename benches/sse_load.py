#!/usr/bin/env python3
"""N concurrent SSE subscribers on one job's residual stream (stdlib only).

Opens --subs connections to GET /api/v1/jobs/{job}/residuals (raw asyncio sockets, HTTP/1.1,
chunked transfer encoding), and for every subscriber checks that it received every event
(ids 0..last_seq, contiguous, in order) and the final `end` event. Measures, on the events
written after all subscribers were connected ("live" events):
  - spread: for one event, the time between the first and the last subscriber receiving it;
  - lag: receipt time minus the event's write time, estimated from its `wall_s` (seconds
    since the run started) plus an offset fixed by the fastest delivery observed, so the lag
    is relative to that fastest delivery (a lower bound of a few ms is not counted).
Samples the gateway's RSS and CPU from /proc/PID while the streams are open. Touches
--ready-file once all subscribers have their response headers. Writes a JSON report.
"""
import argparse, array, asyncio, itertools, json, os, re, resource, sys, time

ID_RE = re.compile(rb"\nid: ?(\d+)\n")
WALL_RE = re.compile(rb'"wall_s":([-+0-9.eE]+)')
END_RE = re.compile(rb"\nevent: ?end\n")
CLK = os.sysconf("SC_CLK_TCK")


class Sub:
    __slots__ = ("i", "status", "err", "t_hdr", "next", "times", "order_err", "end", "nbytes")

    def __init__(self, i):
        self.i, self.status, self.err, self.t_hdr = i, None, None, None
        self.next, self.times, self.order_err = 0, array.array("d"), 0
        self.end, self.nbytes = None, 0


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    return xs[min(len(xs) - 1, max(0, round(p / 100 * len(xs)) - 1))]


async def subscribe(s, a, walls, sem):
    async with sem:
        try:
            r, w = await asyncio.open_connection(a.host, a.port)
            w.write((f"GET /api/v1/jobs/{a.job}/residuals HTTP/1.1\r\nHost: {a.host}\r\n"
                     f"Authorization: Bearer {a.token}\r\nAccept: text/event-stream\r\n\r\n").encode())
            head = await r.readuntil(b"\r\n\r\n")
        except Exception as e:  # noqa: BLE001 - any failure is a failed subscriber
            s.err = f"connect: {type(e).__name__}: {e}"
            return
    s.t_hdr = time.monotonic()
    lines = head.decode("latin-1").split("\r\n")
    s.status = int(lines[0].split()[1])
    if s.status != 200 or "transfer-encoding: chunked" not in head.decode("latin-1").lower():
        s.err = f"HTTP {s.status}: {(await r.read(300))[:300]!r}"
        w.close()
        return
    raw, sse = b"", b""
    try:
        while s.end is None:
            data = await r.read(262144)
            if not data:
                s.err = s.err or "closed before the end event"
                break
            t = time.monotonic()
            s.nbytes += len(data)
            # De-chunk: the stream is SIZE\r\nPAYLOAD\r\nSIZE\r\n...; SSE payloads (JSON and
            # \n line ends) hold no CR, so a split on CRLF gives size/payload pairs, checked below.
            parts = (raw + data).split(b"\r\n")
            m = (len(parts) - 1) & ~1
            raw = b"\r\n".join(parts[m:])
            sizes, payloads = parts[0:m:2], parts[1:m:2]
            if [int(x, 16) for x in sizes] != list(map(len, payloads)):
                s.err = "bad chunked framing"
                break
            sse += b"".join(payloads)
            k = sse.rfind(b"\n\n")
            if k < 0:
                continue
            done, sse = b"\n" + sse[:k + 2], sse[k + 2:]
            ids = ID_RE.findall(done)
            if ids:
                first = int(ids[0])
                n = len(ids)
                if first != s.next or list(map(int, ids)) != list(range(first, first + n)):
                    s.order_err += 1
                s.next = int(ids[-1]) + 1
                s.times.extend(itertools.repeat(t, n))
                if walls is not None:
                    for blk in done.split(b"\n\n"):
                        im, wm = ID_RE.search(b"\n" + blk), WALL_RE.search(blk)
                        if im and wm:
                            walls[int(im.group(1))] = float(wm.group(1))
            if b"event: end" in done or b"event:end" in done:
                e = END_RE.search(done)
                d = done[e.start():].split(b"\n")
                body = next((x[5:].strip() for x in d if x.startswith(b"data:")), b"{}")
                s.end = json.loads(body)
    except Exception as e:  # noqa: BLE001
        s.err = f"read: {type(e).__name__}: {e}"
    w.close()


def proc_sample(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            st = f.read().rsplit(")", 1)[1].split()
        cpu = (int(st[11]) + int(st[12])) / CLK
        with open(f"/proc/{pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        with open(f"/proc/{pid}/io") as f:
            io = dict(l.split(": ") for l in f.read().splitlines())
        return cpu, rss / 1024, int(io["syscr"]), int(io["syscw"])
    except (OSError, StopIteration):
        return None


async def ticker(lags, stop):
    """This client's own event-loop lag: how late a 20 ms sleep wakes up."""
    while not stop.is_set():
        t = time.monotonic()
        await asyncio.sleep(0.02)
        lags.append(time.monotonic() - t - 0.02)


async def monitor(pid, samples, stop):
    while not stop.is_set():
        s = proc_sample(pid)
        if s:
            samples.append((time.monotonic(), *s))
        try:
            await asyncio.wait_for(stop.wait(), 0.5)
        except asyncio.TimeoutError:
            pass


async def main(a):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = a.subs + 256
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    subs = [Sub(i) for i in range(a.subs)]
    walls = {}
    sem = asyncio.Semaphore(a.connect_concurrency)
    stop, samples = asyncio.Event(), []
    mon = asyncio.create_task(monitor(a.gateway_pid, samples, stop))
    loop_lags = []
    tick = asyncio.create_task(ticker(loop_lags, stop))
    t0 = time.monotonic()
    tasks = [asyncio.create_task(subscribe(s, a, walls if s.i == 0 else None, sem)) for s in subs]
    while any(s.t_hdr is None and s.err is None for s in subs) and time.monotonic() - t0 < 120:
        await asyncio.sleep(0.05)
    t_ready = time.monotonic()
    if a.ready_file:
        open(a.ready_file, "w").write(f"{time.time()}\n")
    print(f"sse_load: {sum(s.status == 200 for s in subs)}/{a.subs} subscribers connected "
          f"in {t_ready - t0:.2f} s", file=sys.stderr)
    _, pending = await asyncio.wait(tasks, timeout=a.timeout)
    for p in pending:
        p.cancel()
    t_end = time.monotonic()
    stop.set()
    await mon
    await tick
    rep = report(a, subs, walls, samples, t0, t_ready, t_end, len(pending))
    rep["client_loop_lag_ms"] = {"p50": round(1000 * pct(loop_lags, 50), 1),
                                 "p99": round(1000 * pct(loop_lags, 99), 1),
                                 "max": round(1000 * max(loop_lags, default=0), 1)}
    return rep


def report(a, subs, walls, samples, t0, t_ready, t_end, timed_out):
    ok = [s for s in subs if s.t_hdr is not None and s.status == 200]
    last = max((s.end or {}).get("last_seq", -1) for s in ok) if ok else -1
    complete = [s for s in ok if s.end is not None and s.order_err == 0 and s.next == last + 1
                and len(s.times) == last + 1 and s.end.get("last_seq") == last and s.err is None]
    errors = {}
    for s in subs:
        if s.err:
            errors[s.err[:120]] = errors.get(s.err[:120], 0) + 1
    # Live events: first received after every subscriber was connected.
    n = min((len(s.times) for s in ok), default=0)
    lo, hi = 0, n  # first receipt is non-decreasing in seq: bisect for the first live one
    while lo < hi:
        mid = (lo + hi) // 2
        if min(s.times[mid] for s in ok) >= t_ready:
            hi = mid
        else:
            lo = mid + 1
    live = list(range(lo, n))
    stride = max(1, len(live) // 1000)
    sample = live[::stride]
    spread = [max(s.times[k] for s in ok) - min(s.times[k] for s in ok) for k in sample]
    lags = []
    wk = [k for k in sample if k in walls]
    if wk:
        off = min(s.times[k] - walls[k] for s in ok for k in wk)
        lags = [s.times[k] - walls[k] - off for s in ok for k in wk]
    stream_samples = [x for x in samples if t_ready <= x[0] <= t_end]
    cpu = None
    if len(stream_samples) >= 2:
        (ta, ca, _), (tb, cb, _) = stream_samples[0][:3], stream_samples[-1][:3]
        cpu = 100 * (cb - ca) / (tb - ta)
    sys_rw = [b - a for a, b in zip(samples[0][3:], samples[-1][3:])] if samples else [0, 0]
    delivered = sum(len(s.times) for s in ok)
    ru = resource.getrusage(resource.RUSAGE_SELF)
    ms = lambda v: None if v != v else round(1000 * v, 1)  # noqa: E731 (NaN -> null)
    return {
        "subscribers": a.subs,
        "connected": len(ok),
        "connect_s": round(t_ready - t0, 2),
        "stream_s": round(t_end - t_ready, 2),
        "timed_out": timed_out,
        "complete_in_order_with_end": len(complete),
        "events_per_subscriber": [min((len(s.times) for s in ok), default=0),
                                  max((len(s.times) for s in ok), default=0)],
        "last_seq": last,
        "end_states": sorted({(s.end or {}).get("state", "none") for s in ok}),
        "live_events": len(live),
        "run_wall_s": round(max(walls.values()), 1) if walls else None,
        "events_delivered": delivered,
        "gateway_syscalls_per_event": {"read": round(sys_rw[0] / max(delivered, 1), 2),
                                       "write": round(sys_rw[1] / max(delivered, 1), 2)},
        "mbytes_received": round(sum(s.nbytes for s in subs) / 1e6, 1),
        "spread_ms": {"p50": ms(pct(spread, 50)), "p99": ms(pct(spread, 99)),
                      "max": ms(max(spread, default=float("nan")))},
        "lag_ms": {"p50": ms(pct(lags, 50)), "p99": ms(pct(lags, 99)),
                   "max": ms(max(lags, default=float("nan")))},
        "gateway_rss_mb": {"before": round(samples[0][2], 1) if samples else None,
                           "peak": round(max(x[2] for x in samples), 1) if samples else None,
                           "after": round(samples[-1][2], 1) if samples else None},
        "gateway_cpu_pct_streaming": round(cpu, 1) if cpu is not None else None,
        "client_cpu_s": round(ru.ru_utime + ru.ru_stime, 1),
        "errors": errors,
    }


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--token", required=True)
    p.add_argument("--job", type=int, required=True)
    p.add_argument("--subs", type=int, default=1000)
    p.add_argument("--gateway-pid", type=int, required=True)
    p.add_argument("--ready-file")
    p.add_argument("--connect-concurrency", type=int, default=100)
    p.add_argument("--timeout", type=float, default=600)
    p.add_argument("--json", required=True)
    args = p.parse_args()
    rep = asyncio.run(main(args))
    with open(args.json, "w") as f:
        json.dump(rep, f, indent=1)
    print(json.dumps(rep), file=sys.stderr)
    sys.exit(0 if rep["complete_in_order_with_end"] == args.subs else 1)
