"""The page benchmark (issue 7, item 9): the pages officers open every morning, served by the
production server under load.

The server is the one docs/deployment.md names: gunicorn serving `dangjian.wsgi`, DEBUG off,
WORKERS sync workers, on a free port of 127.0.0.1, against the demo dataset of the scale (the
benchmark's own database, through DATABASE_URL). It runs as a child process, started and
stopped by this module.

Two officers log in through the log-in page, as a person would (GET the form, POST the
name, password and CSRF token; the session cookie is what the browser would keep). They are
created in the benchmark database once (`user_create`, as `dangjian user add` does; the demo
database keeps them) and given a fresh password on every run:
`bench_web_city` (city, 长沙市 430100) and `bench_web_district` (district, 芙蓉区 430102).
The findings store (待办) gets the twelve monthly checks that `dangjian demo` records, once.

CLIENTS concurrent clients (threads of this process on plain sockets, one new connection per
request: gunicorn's sync workers close each connection after its response) then request,
with the officer's cookie:

    web.dashboard.<officer>   GET /           the dashboard of the officer's jurisdiction
    web.orgs.<officer>        GET /orgs/      the first page of the organization list
    web.findings.<officer>    GET /findings/  the first page of the task list (待办)
    web.life.<officer>        GET /life/      组织生活: the year's grid of every branch of the
                                              area, per requirement and quarter (issue 15)

and, as the baseline, GET /healthz (no log-in, no database: the trivial view) under the same
load. Every request must answer 200. A "phase" is one of these seven targets, each of the
CLIENTS clients asking PER_CLIENT times; after a warm-up round (not timed: each worker
computes its cached dashboard figures there, once per data version, as after any change of
the data), ROUNDS timed rounds go through all phases, in alternate order, so that a busy
machine slows all targets alike. The latency is from just before connecting to the last
byte of the answer. The clients are closed-loop (each sends its next request when the last
one has answered), so under this load a page's latency grows with what it costs the server.

value = the page's p95 latency, baseline = the trivial view's p95 in the same run; the ratio
is page ÷ trivial. The issue's target at the city scale: p95 ≤ 150 ms and within 5× of the
trivial view. Also recorded: p50, requests per second, the server's CPU per request (all
workers, from /proc) and the client's (this process): the latencies depend on the machine's
other work much more than the CPU figures do (the load average is printed and recorded), and
the client's share of a core on the trivial view shows whether the client could keep up.
"""

from __future__ import annotations

import gc
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

from bench.common import BenchContext, Result, process_cpu

DATASET = "demo"
HOST = "127.0.0.1"
CITY, DISTRICT = "430100", "430102"  # 长沙市, 芙蓉区
OFFICERS = [
    ("city", "bench_web_city", "city", CITY),
    ("district", "bench_web_district", "district", DISTRICT),
]
PAGES = [
    ("dashboard", "/"),
    ("orgs", "/orgs/"),
    ("findings", "/findings/"),
    ("life", "/life/"),  # issue 15: the 组织生活 of every branch of the area, 12 months
]
TRIVIAL = "/healthz"
CLIENTS = 10
# Requests per client and phase in each round; ROUNDS timed rounds after one warm-up round.
PER_CLIENT = {"city": 10, "province": 5, "national": 2}
WARMUP_PER_CLIENT = 3
ROUNDS = 5
# Sync workers, as docs/deployment.md sets production up: twice the cores. The pages are
# CPU work in the worker (Python, and SQLite itself), so one worker per core keeps the cores
# busy; the second lets a core go on while a worker waits on the database's write lock (every
# request renews its session), on the socket or on a first computation of the dashboard.
# Override with BENCH_WEB_WORKERS.
WORKERS = 2 * (os.cpu_count() or 1)
# gunicorn's --timeout, as in docs/deployment.md; the whole country's first dashboard takes
# longer.
WORKER_TIMEOUT = {"national": 600}
DEFAULT_WORKER_TIMEOUT = 120
TARGET_P95_MS = {"city": 150.0}
TARGET_RATIO = 5.0
START_TIMEOUT = 60.0
REQUEST_TIMEOUT = 600.0  # the client's, per request


# --- the server ---------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """gunicorn serving dangjian.wsgi, as in production (docs/deployment.md)."""

    database_url: str
    workers: int
    log: Path
    timeout: int = DEFAULT_WORKER_TIMEOUT
    env: dict[str, str] = field(default_factory=dict)  # more of the environment
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.port = _free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dangjian.settings",
            "DATABASE_URL": self.database_url,
            "DEBUG": "false",
            "HTTPS": "false",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            **self.env,
        }
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "dangjian.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--timeout",
            str(self.timeout),
            "--no-control-socket",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        # The static files where production serves them from (whitenoise), as `make run`
        # and docs/deployment.md collect them: the pages measured do not fetch them, but a
        # server without them warns in every worker.
        subprocess.run(
            [sys.executable, "-m", "dangjian.manage", "collectstatic", "--noinput", "-v", "0"],
            env=env,
            cwd=Path(__file__).resolve().parent.parent,
            check=True,
        )
        self.log.unlink(missing_ok=True)
        self.process = subprocess.Popen(
            command, env=env, cwd=Path(__file__).resolve().parent.parent, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"gunicorn exited with {self.process.returncode}:\n{self.tail()}"
                )
            try:
                status, _body, _headers = request(self.port, TRIVIAL)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {START_TIMEOUT:g} s:\n{self.tail()}")

    def worker_pids(self) -> list[int]:
        """The master's child processes: its workers."""
        assert self.process is not None
        pid = self.process.pid
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as fh:
                return [int(p) for p in fh.read().split()]
        except OSError:  # a kernel without that file: every process's parent
            children = []
            for entry in Path("/proc").iterdir():
                if entry.name.isdigit():
                    try:
                        stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                    except OSError:
                        continue
                    if int(stat[1]) == pid:
                        children.append(int(entry.name))
            return children

    def cpu(self) -> dict[int, float]:
        """CPU seconds used so far by each worker."""
        return {pid: process_cpu(pid) for pid in self.worker_pids()}

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)  # graceful: workers finish their request
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def request(
    port: int,
    path: str,
    *,
    cookie: str = "",
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes, http.client.HTTPMessage]:
    """One request on a new connection: the status, the whole body and the headers."""
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT)
    try:
        sent = dict(headers or {})
        if cookie:
            sent["Cookie"] = cookie
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        return response.status, response.read(), response.headers
    finally:
        connection.close()


def fetch(port: int, message: bytes) -> tuple[int, bytes]:
    """The load's request: `message` (a whole GET with `Connection: close`) on a new
    connection, read to the server's close; the status and the whole answer. Plain sockets:
    http.client's header parsing would cost the client more than the trivial view costs the
    server."""
    with socket.create_connection((HOST, port), timeout=REQUEST_TIMEOUT) as sock:
        sock.sendall(message)
        chunks = []
        while chunk := sock.recv(262144):
            chunks.append(chunk)
    answer = b"".join(chunks)
    try:
        return int(answer[9:12]), answer  # "HTTP/1.1 200 OK"
    except ValueError:
        return 0, answer


def message(port: int, path: str, cookie: str) -> bytes:
    """The bytes of a GET of `path` with the session's cookie, closing the connection."""
    headers = [f"GET {path} HTTP/1.1", f"Host: {HOST}:{port}", "Connection: close"]
    if cookie:
        headers.append(f"Cookie: {cookie}")
    return ("\r\n".join(headers) + "\r\n\r\n").encode("latin-1")


# --- the officers -------------------------------------------------------------------------


def ensure_findings_history() -> None:
    """The findings store as `dangjian demo` leaves it: a recorded check at the end of each of
    the last twelve months (the demo dataset of the runner has the data, not the store)."""
    from dangjian.compliance.models import CheckRun

    if CheckRun.objects.exists():
        return
    import io

    from dangjian.core.management.commands.demo import Command

    started = time.perf_counter()
    Command(stdout=io.StringIO()).record_history()
    print(
        f"   recorded twelve monthly checks into the findings store (once; the demo database "
        f"keeps them) in {time.perf_counter() - started:.0f} s",
        flush=True,
    )


def officer_passwords() -> dict[str, str]:
    """The benchmark's officers, created when missing; a fresh password each run."""
    from dangjian.accounts.models import User
    from dangjian.accounts.services import generate_password, user_create

    out = {}
    for _label, username, role, area in OFFICERS:
        password = generate_password()
        user = User.objects.filter(username=username).first()
        if user is None:
            user_create(username=username, role=role, password=password, area_code=area)
        else:
            user.set_password(password)
            user.save(update_fields=["password"])
        out[username] = password
    return out


def _cookies(headers: http.client.HTTPMessage) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    for value in headers.get_all("Set-Cookie") or []:
        jar.load(value)
    return {name: morsel.value for name, morsel in jar.items()}


def log_in(port: int, username: str, password: str) -> str:
    """Log in through the log-in page; the Cookie header of the session."""
    status, body, headers = request(port, "/login/")
    if status != 200:
        raise RuntimeError(f"GET /login/: {status}")
    csrf = _cookies(headers).get("csrftoken", "")
    found = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if not csrf or found is None:
        raise RuntimeError("GET /login/: no CSRF token")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": found.group(1)}
    ).encode()
    status, body, headers = request(
        port,
        "/login/",
        method="POST",
        body=form,
        cookie=f"csrftoken={csrf}",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    session = _cookies(headers).get("sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"{username}: log-in failed ({status}): {body[:300]!r}")
    return f"sessionid={session}; csrftoken={csrf}"


# --- the load -----------------------------------------------------------------------------


@dataclass
class Phase:
    """One target under load: a path, as one officer (or nobody), and what it measured."""

    name: str
    path: str
    cookie: str = ""
    latencies: list[float] = field(default_factory=list)
    wall: float = 0.0  # seconds under load, all rounds
    client_cpu: float = 0.0  # CPU seconds of this process (the clients), all rounds
    server_cpu: float = 0.0  # CPU seconds of the gunicorn workers, all rounds
    size: int = 0  # bytes of the last answer

    def percentile(self, p: int) -> float:
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1] * 1000

    @property
    def requests(self) -> int:
        return len(self.latencies)

    @property
    def rate(self) -> float:
        return self.requests / self.wall if self.wall else 0.0

    def per_request_ms(self, seconds: float) -> float:
        return seconds / self.requests * 1000 if self.requests else 0.0


def burst(server: Server, phase: Phase, per_client: int, *, timed: bool) -> None:
    """CLIENTS clients, started together, each making `per_client` requests in turn."""
    latencies: list[list[float]] = [[] for _ in range(CLIENTS)]
    errors: list[str] = []
    sizes: list[int] = [0] * CLIENTS
    ready = threading.Barrier(CLIENTS + 1)

    sent = message(server.port, phase.path, phase.cookie)

    def client(i: int) -> None:
        ready.wait()
        for _ in range(per_client):
            started = time.perf_counter()
            try:
                status, answer = fetch(server.port, sent)
            except OSError as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies[i].append(time.perf_counter() - started)
            sizes[i] = len(answer)
            if status != 200:
                errors.append(f"{status}: {answer[:300]!r}")

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    gc.collect()
    server_before, cpu_before = server.cpu(), time.process_time()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cpu, server_after = time.process_time() - cpu_before, server.cpu()
    if errors:
        raise RuntimeError(
            f"GET {phase.path} ({phase.name}): {len(errors)} of {CLIENTS * per_client} requests "
            f"failed, e.g. {errors[0]}\n{server.tail()}"
        )
    phase.size = max(sizes)
    if timed:
        phase.latencies.extend(t for times in latencies for t in times)
        phase.wall += wall
        phase.client_cpu += cpu
        phase.server_cpu += sum(
            server_after[pid] - server_before.get(pid, 0.0) for pid in server_after
        )


def measure(server: Server, phases: list[Phase], per_client: int) -> None:
    for phase in phases:  # warm-up, not timed
        burst(server, phase, WARMUP_PER_CLIENT, timed=False)
    for i in range(ROUNDS):
        for phase in phases if i % 2 == 0 else list(reversed(phases)):
            burst(server, phase, per_client, timed=True)


# --- the run ------------------------------------------------------------------------------


def run(ctx: BenchContext) -> list[Result]:
    from bench.__main__ import _database_url

    workers = int(os.environ.get("BENCH_WEB_WORKERS", WORKERS))
    per_client = PER_CLIENT.get(ctx.scale, 2)
    ensure_findings_history()
    passwords = officer_passwords()
    from django.db import connections

    connections.close_all()  # the server's workers have the database to themselves
    server = Server(
        _database_url(ctx.scale, ctx.database, demo=True),
        workers,
        ctx.workdir / "web-gunicorn.log",
        timeout=WORKER_TIMEOUT.get(ctx.scale, DEFAULT_WORKER_TIMEOUT),
    )
    trivial = Phase("trivial", TRIVIAL)
    pages: list[Phase] = []
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    server.start()
    try:
        print(
            f"   gunicorn dangjian.wsgi: {workers} sync workers on {HOST}:{server.port}, DEBUG off "
            f"(started in {time.perf_counter() - started:.1f} s); {CLIENTS} concurrent clients, "
            f"{ROUNDS} rounds × {CLIENTS * per_client} requests per target after a warm-up",
            flush=True,
        )
        for label, username, _role, _area in OFFICERS:
            cookie = log_in(server.port, username, passwords[username])
            first = time.perf_counter()
            status, _body, _headers = request(server.port, "/", cookie=cookie)
            cold = time.perf_counter() - first
            if status != 200:
                raise RuntimeError(f"{username}: GET / answered {status}")
            print(
                f"   {username} logged in; the first dashboard, computing its figures in the "
                f"worker that served it: {cold * 1000:,.0f} ms",
                flush=True,
            )
            pages += [Phase(f"{page}.{label}", path, cookie) for page, path in PAGES]
        measure(server, [trivial, *pages], per_client)
    finally:
        server.stop()
    load_after = os.getloadavg()[0]
    wall = time.perf_counter() - started
    return report(ctx, trivial, pages, workers, (load_before, load_after), wall)


def report(
    ctx: BenchContext,
    trivial: Phase,
    pages: list[Phase],
    workers: int,
    load: tuple[float, float],
    wall: float,
) -> list[Result]:
    base_p50, base_p95 = trivial.percentile(50), trivial.percentile(95)
    client_ms = trivial.per_request_ms(trivial.client_cpu)
    client_share = trivial.client_cpu / trivial.wall if trivial.wall else 0.0
    print(
        f"   trivial view GET {TRIVIAL}: p50 {base_p50:.1f} ms, p95 {base_p95:.1f} ms, "
        f"{trivial.rate:,.0f} requests/s; server {trivial.per_request_ms(trivial.server_cpu):.2f} "
        f"ms CPU per request; the client {client_ms:.2f} ms CPU per request "
        f"({client_share:.0%} of one core{', it may be the bottleneck' if client_share > 0.8 else ''})",
        flush=True,
    )
    target = TARGET_P95_MS.get(ctx.scale)
    results = []
    for phase in pages:
        p50, p95 = phase.percentile(50), phase.percentile(95)
        result = Result(
            f"web.{phase.name}",
            p95,
            "ms",
            base_p95,
            ctx.scale,
            ctx.database,
            higher_is_better=False,
            extra={
                "p50_ms": round(p50, 1),
                "trivial_p50_ms": round(base_p50, 1),
                "requests": phase.requests,
                "rps": round(phase.rate, 1),
                "server_cpu_ms": round(phase.per_request_ms(phase.server_cpu), 1),
                "client_cpu_ms": round(phase.per_request_ms(phase.client_cpu), 2),
                "kib": round(phase.size / 1024),
                "workers": workers,
                "clients": CLIENTS,
                "load": round(max(load), 1),
            },
        )
        verdicts = []
        if target is not None:
            verdicts.append(f"p95 ≤ {target:g} ms {'met' if p95 <= target else 'MISSED'}")
        verdicts.append(
            f"≤ {TARGET_RATIO:g}× {'met' if result.ratio <= TARGET_RATIO else 'MISSED'}"
        )
        print(
            f"   GET {phase.path:<11} {phase.name:<20} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  "
            f"{phase.rate:5.0f}/s  server {phase.per_request_ms(phase.server_cpu):5.1f} ms CPU  "
            f"{phase.size / 1024:4.0f} KiB  {result.ratio:4.1f}× trivial; {'; '.join(verdicts)}",
            flush=True,
        )
        results.append(result)
    print(
        f"   {sum(p.requests for p in [trivial, *pages]):,} timed requests in {wall:.0f} s; "
        f"load average {load[0]:.1f} before, {load[1]:.1f} after",
        flush=True,
    )
    return results
