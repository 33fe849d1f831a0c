"""The benchmark's one table: every figure beside its target, pass or miss,
built from the results a run recorded."""

import statistics
from dataclasses import asdict, dataclass

# The figures in the order the table shows them; every run prints each one,
# with "not run" where its part was left out.
OLD_WAY = "(a) old way: pytesseract, one card at a time"
ENGINE = "(b) engine limit: CardOcr.read, a process per core"
PIPELINE = "(c) pipeline: ZIP upload to last contact stored"
C_OVER_B = "c/b: pipeline over engine limit"
C_OVER_B_CPU = "c/b by CPU time: bare OCR over the stack's, per card"
C_OVER_A = "c/a: pipeline over old way"
BARE_P50 = "bare OCR p50: CardOcr.read in-process"
BARE_P95 = "bare OCR p95"
HTTP_P50 = "single card p50: HTTP POST /v1/cards"
HTTP_P95 = "single card p95: HTTP POST /v1/cards"
GRPC_P50 = "single card p50: gRPC ScanCard"
GRPC_P95 = "single card p95: gRPC ScanCard"
FIRST_CONTACT = "upload reply to first stored contact"
CPU_ROWS = {
    "gateway": "CPU per card: gateway",
    "nats": "CPU per card: nats-server",
    "store": "CPU per card: store",
    "ocr": "CPU per card: OCR workers",
}
ENGINE_CPU = "CPU per card: bare CardOcr.read"
RSS_HTTP = "peak RSS gateway: 500 MB ZIP over HTTP"
RSS_GRPC = "peak RSS gateway: 500 MB ZIP over gRPC"
RSS_STORE = "peak RSS store: 500 MB ZIP"
FIGURES = (
    OLD_WAY,
    ENGINE,
    PIPELINE,
    C_OVER_B,
    C_OVER_B_CPU,
    C_OVER_A,
    BARE_P50,
    BARE_P95,
    HTTP_P50,
    HTTP_P95,
    GRPC_P50,
    GRPC_P95,
    FIRST_CONTACT,
    *CPU_ROWS.values(),
    ENGINE_CPU,
    RSS_HTTP,
    RSS_GRPC,
    RSS_STORE,
)

C_OVER_B_TARGET = 0.85
C_OVER_A_TARGET = 15.0
LATENCY_OVER_BARE_TARGET = 1.25
FIRST_CONTACT_TARGET_SECONDS = 1.0
GATEWAY_RSS_TARGET_MB = 150.0


@dataclass(frozen=True)
class Row:
    """One figure: what was measured, against what, and whether it passed."""

    figure: str
    measured: str
    target: str = "-"
    result: str = "-"
    value: float | None = None


def not_run(figure: str, why: str) -> Row:
    """A figure this run did not measure, and why."""
    return Row(figure, f"not run ({why})", result="not run")


def judged(figure: str, value: float, shown: str, target: str, ok: bool) -> Row:
    """A figure with a target, marked pass or MISS."""
    return Row(figure, shown, target, "pass" if ok else "MISS", value)


def spread(values: list[float], unit: str, digits: int = 1) -> str:
    """The median, with the range and count of runs when there were several."""
    middle = f"{statistics.median(values):.{digits}f} {unit}".rstrip()
    if len(values) < 2:
        return f"{middle} (1 run)"
    low, high = min(values), max(values)
    # A dash would read as a minus beside a negative figure.
    between = " to " if low < 0 else "-"
    shown = f"{low:.{digits}f}{between}{high:.{digits}f}"
    return f"{middle} ({shown}, {len(values)} runs)"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of the values, share between 0 and 1."""
    ordered = sorted(values)
    rank = max(1, round(share * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def build(results: dict) -> list[Row]:
    """Every figure of FIGURES, in order, from a run's results."""
    rows: list[Row] = []
    for builder in (_throughput, _latency, _first_contact, _cpu, _memory):
        rows += builder(results)
    by_figure = {row.figure: row for row in rows}
    return [by_figure[figure] for figure in FIGURES]


def _throughput(results: dict) -> list[Row]:
    skipped = results.get("skipped", {})
    return [
        _rate_row(results, "old_way", OLD_WAY, skipped),
        _rate_row(results, "engine", ENGINE, skipped),
        _rate_row(results, "pipeline", PIPELINE, skipped),
        _ratio(results, C_OVER_B, "engine", C_OVER_B_TARGET, 2),
        _cpu_ratio(results),
        _ratio(results, C_OVER_A, "old_way", C_OVER_A_TARGET, 1),
    ]


def _rate_row(results: dict, part: str, figure: str, skipped: dict) -> Row:
    if part not in results:
        return not_run(figure, skipped.get(part, "part not chosen"))
    rates = results[part]["cards_per_second"]
    return Row(figure, spread(rates, "cards/s"), value=statistics.median(rates))


def _ratio(results: dict, figure: str, bottom: str, target: float, digits) -> Row:
    """The pipeline's rate over another part's: the median of each round's
    ratio when both ran in every round."""
    tops = results.get("pipeline", {}).get("cards_per_second")
    bottoms = results.get(bottom, {}).get("cards_per_second")
    if not tops or not bottoms:
        return not_run(figure, "needs both rates")
    if len(tops) == len(bottoms):
        values = [t / b for t, b in zip(tops, bottoms, strict=True)]
    else:
        values = [statistics.median(tops) / statistics.median(bottoms)]
    value = statistics.median(values)
    shown = spread(values, "", digits)
    return judged(figure, value, shown, f">= {target:g}", value >= target)


def _cpu_ratio(results: dict) -> Row:
    """What c/b would be on a machine with nothing else running: (c) and (b)
    both bound by CPU, so the ratio of their CPU time per card. Others' load
    changes wall-clock rates far more than it changes CPU time per card."""
    bare = results.get("engine", {}).get("cpu_ms_per_card")
    stack = results.get("pipeline", {}).get("cpu_ms_per_card")
    if not bare or not stack:
        return not_run(C_OVER_B_CPU, "needs both CPU times")
    value = bare / sum(stack.values())
    target = f">= {C_OVER_B_TARGET:g}"
    shown = f"{value:.2f} ({bare:.0f} of {sum(stack.values()):.0f} ms)"
    return judged(C_OVER_B_CPU, value, shown, target, value >= C_OVER_B_TARGET)


def _latency(results: dict) -> list[Row]:
    figures = (BARE_P50, BARE_P95, HTTP_P50, HTTP_P95, GRPC_P50, GRPC_P95)
    latency = results.get("latency")
    if not latency:
        why = results.get("skipped", {}).get("latency", "part not chosen")
        return [not_run(figure, why) for figure in figures]
    bare = percentile(latency["bare_seconds"], 0.5)
    limit = LATENCY_OVER_BARE_TARGET * bare
    target = f"<= {LATENCY_OVER_BARE_TARGET:g} x bare = {limit * 1000:.0f} ms"
    rows = [
        _ms(BARE_P50, latency["bare_seconds"], 0.5),
        _ms(BARE_P95, latency["bare_seconds"], 0.95),
    ]
    for key, p50, p95 in (("http", HTTP_P50, HTTP_P95), ("grpc", GRPC_P50, GRPC_P95)):
        value = percentile(latency[f"{key}_seconds"], 0.5)
        shown = f"{value * 1000:.0f} ms ({value / bare:.2f} x bare)"
        rows.append(judged(p50, value, shown, target, value <= limit))
        rows.append(_ms(p95, latency[f"{key}_seconds"], 0.95))
    return rows


def _ms(figure: str, seconds: list[float], share: float) -> Row:
    value = percentile(seconds, share)
    return Row(figure, f"{value * 1000:.0f} ms (n={len(seconds)})", value=value)


def _first_contact(results: dict) -> list[Row]:
    runs = results.get("pipeline", {}).get("runs")
    if not runs:
        return [not_run(FIRST_CONTACT, "needs the pipeline part")]
    values = [r["first_contact_after_reply"] for r in runs]
    if None in values:
        return [Row(FIRST_CONTACT, "no card of the batch was read", result="MISS")]
    worst = max(values)
    shown = spread(values, "s", 2)
    if worst < 0:
        shown += "; stored before the reply"
    target = f"<= {FIRST_CONTACT_TARGET_SECONDS:g} s"
    return [judged(FIRST_CONTACT, worst, shown, target, worst <= 1.0)]


def _cpu(results: dict) -> list[Row]:
    engine = results.get("engine", {}).get("cpu_ms_per_card")
    rows = [
        Row(ENGINE_CPU, f"{engine:.1f} ms", value=engine)
        if engine
        else not_run(ENGINE_CPU, "needs the engine part")
    ]
    per_card = results.get("pipeline", {}).get("cpu_ms_per_card")
    if not per_card:
        return rows + [not_run(f, "needs the pipeline part") for f in CPU_ROWS.values()]
    return rows + [
        Row(figure, f"{per_card[part]:.1f} ms", value=per_card[part])
        for part, figure in CPU_ROWS.items()
    ]


def _memory(results: dict) -> list[Row]:
    memory = results.get("memory")
    if not memory:
        why = results.get("skipped", {}).get("memory", "part not chosen")
        return [not_run(f, why) for f in (RSS_HTTP, RSS_GRPC, RSS_STORE)]
    target = f"<= {GATEWAY_RSS_TARGET_MB:g} MB"
    rows = []
    for key, figure in (("http", RSS_HTTP), ("grpc", RSS_GRPC)):
        value = memory[key]["peak_rss"]["gateway"] / 1e6
        ok = value <= GATEWAY_RSS_TARGET_MB
        rows.append(judged(figure, value, f"{value:.0f} MB", target, ok))
    store = max(memory[k]["peak_rss"]["store"] for k in ("http", "grpc")) / 1e6
    rows.append(Row(RSS_STORE, f"{store:.0f} MB", value=store))
    return rows


def table(rows: list[Row]) -> str:
    """The rows as a plain-text table, one line per figure."""
    cells = [("Figure", "Measured", "Target", "Result")]
    cells += [(r.figure, r.measured, r.target, r.result) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(4)]
    cells.insert(1, tuple("-" * width for width in widths))
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


def as_json(rows: list[Row]) -> list[dict]:
    """The rows as plain values for the results file."""
    return [asdict(row) for row in rows]
