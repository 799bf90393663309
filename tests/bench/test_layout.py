"""bench.layout: the baseline runs as foyer's handlers do, bytecode included."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from bench.layout import BARE_MODULE, prepare

REPO = Path(__file__).resolve().parents[2]


def _pyc_flags(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[4:8], "little")  # PEP 552: 0b01 = unchecked hash


def test_the_bare_handler_is_compiled_as_foyer_handlers_are() -> None:
    with ExitStack() as stack:
        layout = prepare(REPO, stack)
        (bare_pyc,) = Path(layout.bare_paths[0]).glob(f"__pycache__/{BARE_MODULE}.cpython-312.pyc")
        handler = layout.handlers[0]
        (foyer_pyc,) = Path(handler.paths[0]).glob(
            f"{handler.module.rpartition('.')[0].replace('.', '/')}/__pycache__/handler.cpython-312.pyc"
        )
        assert _pyc_flags(bare_pyc) == _pyc_flags(foyer_pyc) == 0b01
