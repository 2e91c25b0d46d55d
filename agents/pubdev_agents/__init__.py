"""PubDev agents: report runs and send notifications to PubDev through the Supabase client."""
from .async_reporter import AsyncAgentReporter
from .contract import ContractError, validate_message
from .notify import NotifyError, anotify, notify
from .reporter import AgentReporter
from .retry import Backoff, RetriesExhausted
from .run_state import RunCancelled, RunStateError
from .work import aenqueue, enqueue

__all__ = [
    "AgentReporter",
    "AsyncAgentReporter",
    "Backoff",
    "ContractError",
    "NotifyError",
    "RetriesExhausted",
    "RunCancelled",
    "RunStateError",
    "aenqueue",
    "anotify",
    "enqueue",
    "notify",
    "validate_message",
]
