"""Talking to Grafana: the HTTP client and the push planner and applier.

Building blocks any HTTP client of metricsctl reuses (Prometheus' too), each free of Grafana:
- backoff.py: `RetryPolicy` (attempts, backoff with jitter, budget, `longest_request`),
  `is_retryable_status`, `parse_retry_after`;
- deadline.py: `request_deadline(seconds)` and `DeadlineAdapter`, a whole-request time limit
  (connect and every read) for requests;
- redaction.py: `redact(text, secrets)`, `secret_forms(token, user, password)`,
  `header_safe_problem(value)`;
- progress.py: `WaitListener`, `RetryNotice`, `SlowNotice`, `wait_listener(quiet=...)`;
- settings.py: `tls_verification(ca_cert, insecure)`, `display_url(url)`;
- tls.py: `session_verification(verify)`, `error_causes(error)`, `tls_failure_reason(error)`.
Grafana's: client.py, preflight.py, plan.py, permissions.py, apply.py, report.py,
search.py, download.py.
"""
