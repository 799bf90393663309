"""Runs inside the measured interpreter (stdlib only): a handler's init, imported in stages.

argv: result_file plan_file [sys.path entries...]
The plan (JSON) names the handler module, the framework floor and, for `stages`, the groups:
- `discover`: import the floor inside `foyer.cold_start.init_phase()`, then the handler; report every
  module the handler's import added after the floor, in the order their imports finished (a
  module's dependencies before it), each with the file it came from.
- `stages`: the same imports, each stage timed on its own with perf_counter: the floor (from
  `import foyer.cold_start` on), then each group's modules in the plan's order, then the rest of
  `import <handler>` (its own modules, routes, handler construction, and init_phase's exit). A
  module that an earlier stage already loaded costs a later one nothing: it is charged to the first.
"""

import importlib
import json
import statistics  # noqa: F401  preloaded as in bench/child.py, which times the bare app beside this
import sys
import time


def origin(module: object) -> str | None:
    """The file a module was loaded from (a namespace package's first folder; None if built in)."""
    file = getattr(module, "__file__", None)
    if file:
        return str(file)
    return next(iter(getattr(module, "__path__", None) or []), None)


def loaded_since(count: int) -> list[str]:
    """The modules imported since sys.modules held `count`, in the order their imports finished
    (CPython's import moves a module to the end of sys.modules once its body has run)."""
    return list(sys.modules)[count:]


def main() -> None:
    result_file, plan_file, *paths = sys.argv[1:]
    sys.path[0:0] = paths
    with open(plan_file) as source:
        plan = json.load(source)
    timer = time.perf_counter
    result: dict = {"groups": []}

    started = timer()
    init_phase = importlib.import_module("foyer.cold_start").init_phase
    with init_phase():
        for name in plan["floor"]:
            importlib.import_module(name)
        result["floor_s"] = timer() - started
        count = len(sys.modules)  # bookkeeping between stages stays outside the timed spans
        for stage, group, modules in plan.get("groups", []):
            started = timer()
            for name in modules:
                importlib.import_module(name)
            elapsed = timer() - started
            result["groups"].append([stage, group, elapsed, loaded_since(count)])
            count = len(sys.modules)
        started = timer()
        importlib.import_module(plan["handler"])
    result["app_s"] = timer() - started  # init_phase's exit (gc.freeze) is part of a handler's init
    new = loaded_since(count)
    result["app_modules"] = new
    if plan["mode"] == "discover":
        # An alias some package put in sys.modules (its spec names another module) is not importable
        # by its own name: the parent plans only modules whose spec carries their name.
        result["loaded"] = [
            [name, origin(module), getattr(getattr(module, "__spec__", None), "name", None)]
            for name, module in ((name, sys.modules.get(name)) for name in new)
            if module is not None
        ]
    with open(result_file, "w") as out:
        json.dump(result, out)


if __name__ == "__main__":  # `python -c` runs it as __main__
    main()
