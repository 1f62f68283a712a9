"""The TypeScript module at run time: Node serves what the catalog promises, Fastify included.

Programs are compiled with the real `tsc` to JavaScript and run with `node`; their /metrics
on 127.0.0.1 is read with metricsctl's own exposition parser (metricsctl.exposition) and
judged by `metricsctl live-check`, as a team would check its running service.
"""

from __future__ import annotations

import json
import subprocess
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from metricsctl.catalog.model import Catalog
from metricsctl.catalog.naming import MetricType
from metricsctl.exposition import Exposition, fetch_exposition, parse_exposition
from tests.conftest import SHIPPED_SPECS, SMALL_CATALOG, load_valid_catalog, run_metricsctl
from tests.targets.typescript_programs import (
    FASTIFY_PACKAGES,
    compile_ok,
    exposition_server_program,
    project_directory,
    record_every_metric,
    write_module,
)

START_TIMEOUT_SECONDS = 60


@contextmanager
def serving(directory: Path, script: str) -> Iterator[int]:
    """Run `node <script>` until the block ends; yields the port it printed (its first line)."""
    process = subprocess.Popen(["node", script], cwd=directory, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # A bounded wait: node prints the port once listening, or exits on an error.
        line = _read_line(process, START_TIMEOUT_SECONDS)
        if not line.strip().isdigit() or int(line) <= 0:
            process.kill()
            _, stderr = process.communicate(timeout=10)
            raise AssertionError(f"node did not start serving: {line!r}\n{stderr}")
        yield int(line)
    finally:
        if process.poll() is None:
            assert process.stdin is not None
            process.stdin.close()  # the program closes its server when stdin ends
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    import selectors

    assert process.stdout is not None
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout):
            raise TimeoutError(f"node printed nothing within {timeout} s")
    return process.stdout.readline()


def scrape(port: int, path: str = "/metrics") -> Exposition:
    raw = fetch_exposition(f"http://127.0.0.1:{port}{path}")
    exposition = parse_exposition(raw.data, raw.source, raw.content_type)
    assert exposition.ok, [str(d) for d in exposition.diagnostics]
    return exposition


def assert_exposition_matches_catalog(exposition: Exposition, catalog: Catalog) -> None:
    """Every catalog metric is exposed with its type, help, labels and buckets; nothing else."""
    expected = {}
    for metric in catalog.metrics.values():
        # The text format names a counter's family as its samples (`x_total`).
        family = metric.series.samples[0] if metric.type is MetricType.COUNTER else metric.name
        expected[family] = metric
    assert sorted(exposition.families) == sorted(expected)
    for name, metric in expected.items():
        family = exposition.families[name]
        assert family.type == metric.type.value, name
        assert family.help == metric.help, name
        assert family.samples, f"{name} has no samples"
        assert family.label_names - {"le"} == set(metric.label_names), name
        sample_names = {sample.name for sample in family.samples}
        assert sample_names <= set(metric.series.samples) | {name}, name
        if metric.type is MetricType.HISTOGRAM:
            buckets = metric.buckets or (0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5,
                                         0.75, 1.0, 2.5, 5.0, 7.5, 10.0)
            assert family.bucket_bounds == tuple(float(b) for b in buckets), name
        for label in metric.labels:
            if label.values is not None:
                seen = {sample.labels[label.name] for sample in family.samples}
                assert seen == set(label.values), (name, label.name)


def test_node_records_every_metric_and_serves_the_catalogs_exposition(tmp_path: Path) -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    directory = project_directory(tmp_path)
    module = write_module(catalog, directory).stem
    (directory / "server.ts").write_text(
        exposition_server_program(module, record_every_metric(catalog)), encoding="utf-8")
    compile_ok(directory, "server.ts", options=("--outDir", "out"))

    with serving(directory, "out/server.js") as port:
        exposition = scrape(port)
        live = run_metricsctl("live-check", SHIPPED_SPECS, "--url",
                              f"http://127.0.0.1:{port}/metrics", "--fail-on", "info",
                              "--format", "json")

    assert_exposition_matches_catalog(exposition, catalog)
    # live-check finds nothing at all to say, and saw every catalog metric.
    assert live.returncode == 0, live.stdout + live.stderr
    coverage = json.loads(live.stdout)["coverage"]
    assert coverage["catalog_metrics_seen"] == coverage["catalog_metrics"] == len(catalog.metrics)
    assert coverage["exposed_metrics_known"] == coverage["exposed_metrics"]
    tokens = exposition.families["chat_completion_tokens_total"]
    assert {sample.labels["type"] for sample in tokens.samples} == {"prompt", "completion"}
    streaming = exposition.families["chat_completion_duration_seconds"]
    assert {sample.labels["streaming"] for sample in streaming.samples} == {"true", "false"}


def test_the_same_holds_for_the_small_catalog_with_summaries_and_deprecated_metrics(
        tmp_path: Path) -> None:
    catalog = load_valid_catalog(SMALL_CATALOG)
    directory = project_directory(tmp_path)
    module = write_module(catalog, directory).stem
    (directory / "server.ts").write_text(
        exposition_server_program(module, record_every_metric(catalog)), encoding="utf-8")
    compile_ok(directory, "server.ts", options=("--outDir", "out"))

    with serving(directory, "out/server.js") as port:
        exposition = scrape(port)

    assert_exposition_matches_catalog(exposition, catalog)
    summary = exposition.families["price_lookup_seconds"]
    # No quantile series: like the Python client, only _sum and _count.
    assert {sample.name for sample in summary.samples} == {"price_lookup_seconds_sum",
                                                           "price_lookup_seconds_count"}


def test_fastify_plugin_serves_metrics_and_times_every_route_of_the_app(tmp_path: Path) -> None:
    catalog = load_valid_catalog(SHIPPED_SPECS)
    directory = project_directory(tmp_path, FASTIFY_PACKAGES)
    module = write_module(catalog, directory).stem
    (directory / "app.ts").write_text(textwrap.dedent(f"""
        import Fastify from "fastify";
        import {{ fastifyMetrics, recordChatCompletion }} from "./{module}";

        async function main(): Promise<void> {{
          const app = Fastify();
          await app.register(fastifyMetrics);
          // Registered after the plugin and outside it: its hooks still apply.
          app.get("/conversations/:id", async () => ({{ ok: true }}));
          app.post("/conversations/:id/messages", async (_request, reply) => {{
            recordChatCompletion({{ model: "llama-3.3-70b", streaming: false }}, 1.5);
            return reply.code(201).send({{ created: true }});
          }});
          const address = await app.listen({{ port: 0, host: "127.0.0.1" }});
          await fetch(`${{address}}/conversations/12`);
          await fetch(`${{address}}/conversations/13`);
          await fetch(`${{address}}/conversations/12/messages`, {{ method: "POST" }});
          await fetch(`${{address}}/no/such/route`);
          await fetch(`${{address}}/conversations/12`, {{ method: "PROPFIND" }});
          console.log(app.server.address() !== null ? new URL(address).port : -1);
          process.stdin.resume();
          process.stdin.on("end", () => void app.close());
        }}

        main().catch((error: unknown) => {{
          console.error(error);
          process.exit(1);
        }});
    """), encoding="utf-8")
    compile_ok(directory, "app.ts", options=("--outDir", "out"))

    with serving(directory, "out/app.js") as port:
        exposition = scrape(port)

    requests = {(s.labels["method"], s.labels["route"], s.labels["status_code"]): s.value
                for s in exposition.families["http_requests_total"].samples}
    assert requests == {
        ("GET", "/conversations/:id", "200"): 2,  # the route template, not the raw URL
        ("POST", "/conversations/:id/messages", "201"): 1,
        ("GET", "unknown", "404"): 1,
        # PROPFIND is not among the catalog's methods: not recorded (and no error)
    }
    durations = {(s.labels["method"], s.labels["route"], s.labels["status_code"]): s.value
                 for s in exposition.families["http_request_duration_seconds"].samples
                 if s.name == "http_request_duration_seconds_count"}
    assert durations == requests
    completions = exposition.families["chat_completion_duration_seconds"]
    assert any(s.name.endswith("_sum") and s.value == 1.5 for s in completions.samples)


def test_registries_default_metrics_and_the_metrics_server(tmp_path: Path) -> None:
    catalog = load_valid_catalog(SMALL_CATALOG)
    directory = project_directory(tmp_path)
    module = write_module(catalog, directory).stem
    (directory / "main.ts").write_text(textwrap.dedent(f"""
        import {{ Counter, Registry, register }} from "prom-client";
        import * as m from "./{module}";

        async function main(): Promise<void> {{
          const results: Record<string, unknown> = {{}};
          m.registerDefault();
          m.registerDefault();  // a second call does nothing
          m.incCheckoutTotal({{ service: "web", outcome: "paid" }});
          results["global"] = (await register.metrics()).includes(
            'checkout_total{{service="web",outcome="paid"}} 1');
          const clashing = new Registry();
          new Counter({{ name: "cart_items", help: "Someone else's.", registers: [clashing] }});
          try {{
            m.registerOn(clashing);
            results["clash"] = "no error";
          }} catch (error) {{
            results["clash"] = String(error);
          }}
          results["untouched"] = clashing.getMetricsAsArray().length;
          results["before default metrics"] = (await m.metricsText()).includes("process_");
          m.enableDefaultMetrics();
          m.enableDefaultMetrics();
          results["after default metrics"] = (await m.metricsText()).includes(
            "process_cpu_user_seconds_total");
          results["content type"] = m.metricsContentType();
          const server = await m.startMetricsServer(0, "127.0.0.1");
          const address = server.address();
          const port = typeof address === "object" && address !== null ? address.port : -1;
          const served = await fetch(`http://127.0.0.1:${{port}}/metrics`);
          results["served"] = [served.status, (await served.text()).includes("checkout_total")];
          results["elsewhere"] = (await fetch(`http://127.0.0.1:${{port}}/other`)).status;
          server.close();
          console.log(JSON.stringify(results));
        }}

        main().catch((error: unknown) => {{
          console.error(error);
          process.exit(1);
        }});
    """), encoding="utf-8")
    compile_ok(directory, "main.ts", options=("--outDir", "out"))
    run = subprocess.run(["node", "out/main.js"], cwd=directory, capture_output=True, text=True,
                         timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert results["global"] is True
    assert "cart_items" in results["clash"]
    assert results["untouched"] == 1  # left as it was, not half-populated
    assert results["before default metrics"] is False
    assert results["after default metrics"] is True
    assert results["content type"].startswith("text/plain; version=0.0.4")
    assert results["served"] == [200, True]
    assert results["elsewhere"] == 404
