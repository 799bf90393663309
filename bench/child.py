"""Runs inside the measured interpreter (stdlib only): import a handler, optionally invoke it.

argv: result_file module mode calls warmup event_file [sys.path entries...]
mode: `import` (init only: nothing invoked, no status), `cold` (init and one invocation) or `warm`.
"""

import importlib
import json
import statistics
import sys
import time


class Context:
    function_name = "bench"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:bench"
    memory_limit_in_mb = 1024
    aws_request_id = "bench-request"
    log_group_name = "/aws/lambda/bench"
    log_stream_name = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


def status(response: dict) -> int:
    """An HTTP handler's status; an authorizer answers a policy instead (Allow counts as 200, else
    403), a queue consumer a partial batch response (no failed record counts as 200, else 500)."""
    if "statusCode" in response:
        return response["statusCode"]
    if "batchItemFailures" in response:
        return 200 if response["batchItemFailures"] == [] else 500
    effects = {s["Effect"] for s in response.get("policyDocument", {}).get("Statement", [])}
    return 200 if effects == {"Allow"} else 403


def main() -> None:
    result_file, module, mode, calls, warmup, event_file, *paths = sys.argv[1:]
    sys.path[0:0] = paths
    started, cpu = time.perf_counter(), time.process_time()
    handler = importlib.import_module(module).handler
    result = {"init_s": time.perf_counter() - started, "init_cpu_s": time.process_time() - cpu}
    if mode == "import":
        with open(result_file, "w") as out:
            json.dump(result, out)
        return
    with open(event_file) as source:
        event = json.load(source)
    context = Context()
    started = time.perf_counter()
    response = handler(event, context)
    result["first_call_s"] = time.perf_counter() - started
    result["status"] = status(response)
    if mode == "warm":
        for _ in range(int(warmup)):
            handler(event, context)
        timer = time.perf_counter_ns
        samples = []
        for _ in range(int(calls)):
            begin = timer()
            response = handler(event, context)
            samples.append(timer() - begin)
        result["status"] = status(response)
        result["call_ns"] = statistics.median(samples)
        result["call_ns_p90"] = statistics.quantiles(samples, n=10)[-1]
    with open(result_file, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":  # `python -c` runs it as __main__; tests import `status`
    main()
