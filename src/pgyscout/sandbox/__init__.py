"""A local stand-in for the Pugongying endpoints: deterministic data, real shapes, real faults."""

from pgyscout.sandbox.app import NOTES_PATH, SEARCH_PATH, TREND_PATH, build_app
from pgyscout.sandbox.server import RunningSandbox, serve, start_sandbox
from pgyscout.sandbox.state import FAULT_MIX, SPECIAL_TOKENS, SandboxConfig, SandboxState

__all__ = [
    "FAULT_MIX",
    "NOTES_PATH",
    "SEARCH_PATH",
    "SPECIAL_TOKENS",
    "TREND_PATH",
    "RunningSandbox",
    "SandboxConfig",
    "SandboxState",
    "build_app",
    "serve",
    "start_sandbox",
]
