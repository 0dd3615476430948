"""Where apps built on cases plug into its writes, so that cases never imports them.

Cases sits below care, returns and the rest: they import cases, never the other way round (a
test, ctip/core/tests/test_import_layers.py, keeps it so). When a cases write has consequences
in another app, cases calls a hook here and the app that owns the consequence registers its
handler from its AppConfig.ready():

- `on_approval_decided(kind)`: what happens when an approval of `kind` is decided (care owns
  care-plan approvals). Handlers run inside `approval_decide`'s transaction, so a failing
  handler undoes the decision. Closure approvals are cases' own and need no handler.
- `on_case_opened`: what happens when a case is opened (returns raises re-trafficking flags).
  Handlers run inside `case_open`'s transaction.
"""

from collections.abc import Callable

from django.core.exceptions import ImproperlyConfigured

# handler(actor=..., approval=..., approved=...), one per approval kind.
ApprovalHandler = Callable[..., None]
# handler(actor=..., case=...)
CaseOpenedHandler = Callable[..., None]

_approval_handlers: dict[str, ApprovalHandler] = {}
_case_opened_handlers: list[CaseOpenedHandler] = []


def on_approval_decided(kind: str) -> Callable[[ApprovalHandler], ApprovalHandler]:
    """Registers the one handler for decided approvals of `kind` (usable as a decorator)."""

    def register(handler: ApprovalHandler) -> ApprovalHandler:
        current = _approval_handlers.get(kind)
        if current is not None and current is not handler:
            raise ImproperlyConfigured(f"Two handlers for decided {kind!r} approvals.")
        _approval_handlers[kind] = handler
        return handler

    return register


def on_case_opened(handler: CaseOpenedHandler) -> CaseOpenedHandler:
    """Registers a handler called when a case is opened (usable as a decorator)."""
    if handler not in _case_opened_handlers:
        _case_opened_handlers.append(handler)
    return handler


def approval_decided(*, actor, approval, approved: bool, own_kinds: frozenset[str]) -> None:
    """Runs the handler of `approval.kind`. A kind that is neither cases' own (`own_kinds`) nor
    registered fails loudly: a decision must never be recorded while its effect is lost."""
    handler = _approval_handlers.get(approval.kind)
    if handler is None:
        if approval.kind in own_kinds:
            return
        raise ImproperlyConfigured(f"No handler for decided {approval.kind!r} approvals.")
    handler(actor=actor, approval=approval, approved=approved)


def case_opened(*, actor, case) -> None:
    for handler in _case_opened_handlers:
        handler(actor=actor, case=case)
