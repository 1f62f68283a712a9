"""The few endpoints of Prometheus's HTTP API that live-check reads, over exposition.http."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from metricsctl.exposition.http import FetchError, HttpGetter, host_of


class PrometheusApi:
    """GET /api/v1/... on one server; every failure is a one-line FetchError."""

    def __init__(self, base_url: str, getter: HttpGetter) -> None:
        self.base_url = base_url.rstrip("/")
        self.getter = getter

    def _data(self, path: str, params: Mapping[str, str | list[str]], *,
              post: bool = False) -> Any:
        url = self.base_url + path
        body = (self.getter.post_form(url, params, accept="application/json") if post else
                self.getter.get(url, params, accept="application/json"))
        host = host_of(self.base_url)
        try:
            document = json.loads(body.data)
        except ValueError:
            kind = (body.content_type or "no content type").split(";", 1)[0]
            raise FetchError(f"{host} is not a Prometheus API: {path} answered {kind}, not JSON",
                             "pass the server's base URL, e.g. http://prometheus:9090") from None
        if not isinstance(document, dict) or document.get("status") != "success":
            error = document.get("error", "") if isinstance(document, dict) else ""
            message = self.getter.settings.redact(" ".join(str(error).split()))[:200]
            raise FetchError(f"{host}: {path} failed: {message or 'unexpected answer'}")
        return document.get("data")

    def metric_names(self, selector: str | None, start: float, end: float) -> list[str]:
        params: dict[str, str | list[str]] = {"start": f"{start:.3f}", "end": f"{end:.3f}"}
        if selector:
            params["match[]"] = [selector]
        data = self._data("/api/v1/label/__name__/values", params)
        return [name for name in data if isinstance(name, str)] if isinstance(data, list) else []

    def metadata(self) -> dict[str, list[dict[str, str]]]:
        data = self._data("/api/v1/metadata", {})
        return data if isinstance(data, dict) else {}

    def target_metadata(self, target_selector: str) -> dict[str, list[dict[str, str]]]:
        """Metadata as the selected targets (`{job=~"..."}`) expose it, shaped like
        `metadata()`: family -> its distinct (type, help, unit) entries."""
        data = self._data("/api/v1/targets/metadata", {"match_target": target_selector})
        metadata: dict[str, list[dict[str, str]]] = {}
        for item in data if isinstance(data, list) else []:
            if not isinstance(item, dict) or not isinstance(item.get("metric"), str):
                continue
            entry = {key: str(item.get(key, "")) for key in ("type", "help", "unit")}
            entries = metadata.setdefault(item["metric"], [])
            if entry not in entries:
                entries.append(entry)
        return metadata

    def series(self, selector: str, start: float, end: float) -> list[dict[str, str]]:
        params: dict[str, str | list[str]] = {"match[]": [selector], "start": f"{start:.3f}",
                                              "end": f"{end:.3f}"}
        data = self._data("/api/v1/series", params, post=True)  # the selector can be long
        return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []

    def instant_vector(self, expression: str, at: float) -> list[tuple[dict[str, str], float]]:
        data = self._data("/api/v1/query", {"query": expression, "time": f"{at:.3f}"},
                          post=True)
        result: Sequence[Any] = data.get("result", []) if isinstance(data, dict) else []
        vector = []
        for item in result:
            try:
                vector.append((dict(item["metric"]), float(item["value"][1])))
            except (KeyError, IndexError, TypeError, ValueError):
                continue
        return vector
