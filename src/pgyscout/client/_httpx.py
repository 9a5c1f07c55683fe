"""httpx, imported without its command-line tool.

``import httpx`` also imports httpx's own command-line program (click, pygments, rich's syntax
highlighting and progress bars: about 45 ms, a sixth of what ``pgy search`` takes to send its
first request), behind a ``try``/``except ImportError`` that falls back to a stub when those
are not installed. pgyscout never runs that program: while httpx loads, a stand-in module
without ``main`` takes its place, so httpx takes the fallback at once; the stand-in is then
removed, and nothing else changes.
"""

from __future__ import annotations

import sys
import types

_CLI = "httpx._main"

if "httpx" not in sys.modules and _CLI not in sys.modules:
    sys.modules[_CLI] = types.ModuleType(_CLI)
    try:
        import httpx
    finally:
        del sys.modules[_CLI]
else:
    import httpx

__all__ = ["httpx"]
