"""What a report covers (municipality, region, board, care provider) and who may order it.

A scope is written the same way in the form, the URL and the command:
``municipality``, ``region:CODE``, ``board:CODE`` or ``provider:ORGNR`` (a
municipal provider is its board: ``board:CODE``).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext as _

from reports.choices import ScopeKind
from responsibility.choices import ProviderKind, Role
from responsibility.models import Board, CareProvider, Municipality, Region
from responsibility.permissions import is_register_admin, user_scope
from responsibility.tenancy import scoped

# The roles that order board reports, besides register admins.
REPORT_ROLES = (Role.MAS, Role.MAR, Role.BOARD_OFFICIAL)


class ScopeError(ValueError):
    """A scope that does not exist or cannot be read."""


@dataclass(frozen=True)
class ReportScope:
    """One municipality, region, board or care provider a report is about."""

    kind: str
    id: int
    label: str
    token: str
    municipality_id: int

    @property
    def key(self) -> tuple[str, int]:
        return (self.kind, self.id)

    def unit_q(self, prefix: str = "") -> Q:
        """A filter on Unit (or on a model whose unit is at ``prefix``, e.g. ``unit__``) by the current register."""
        if self.kind == ScopeKind.MUNICIPALITY:
            return Q(**{f"{prefix}municipality_id": self.id})
        if self.kind == ScopeKind.REGION:
            return Q(**{f"{prefix}board__region_id": self.id})
        if self.kind == ScopeKind.BOARD:
            return Q(**{f"{prefix}board_id": self.id})
        return Q(**{f"{prefix}provider_id": self.id})

    @property
    def kind_label(self) -> str:
        return str(ScopeKind(self.kind).label)

    def __str__(self) -> str:
        return self.label


def _municipality_scope(m: Municipality) -> ReportScope:
    return ReportScope(ScopeKind.MUNICIPALITY, m.pk, m.name, ScopeKind.MUNICIPALITY.value, m.pk)


def _region_scope(r: Region) -> ReportScope:
    return ReportScope(ScopeKind.REGION, r.pk, r.name, f"region:{r.code}", r.municipality_id)


def _board_scope(b: Board) -> ReportScope:
    return ReportScope(ScopeKind.BOARD, b.pk, b.name, f"board:{b.code}", b.municipality_id)


def _provider_scope(p: CareProvider) -> ReportScope:
    return ReportScope(ScopeKind.PROVIDER, p.pk, p.name, f"provider:{p.org_number}", p.municipality_id)


def _one(qs, municipality_id: int | None, token: str):
    """The single match of ``qs`` (in the municipality, when known); codes are unique only per municipality."""
    if municipality_id is not None:
        qs = qs.filter(municipality_id=municipality_id)
    found = list(qs[:2])
    if len(found) > 1:
        raise ScopeError(_("%(scope)s exists in more than one municipality.") % {"scope": token})
    return found[0] if found else None


def parse_scope(token: str, *, municipality_id: int | None = None) -> ReportScope:
    """Return the scope written as ``token``; raise :class:`ScopeError` when there is none or it is ambiguous."""
    token = (token or "").strip()
    kind, _sep, value = token.partition(":")
    if kind == ScopeKind.MUNICIPALITY:
        qs = Municipality.objects.filter(code=value) if value else Municipality.objects.all()
        if municipality_id is not None:
            qs = qs.filter(pk=municipality_id)
        found = list(qs[:2])
        if len(found) == 1:
            return _municipality_scope(found[0])
    elif kind == ScopeKind.REGION and value:
        region = _one(Region.objects.filter(code=value), municipality_id, token)
        if region:
            return _region_scope(region)
    elif kind == ScopeKind.BOARD and value:
        board = _one(Board.objects.filter(code=value), municipality_id, token)
        if board:
            return _board_scope(board)
    elif kind == ScopeKind.PROVIDER and value:
        provider = _one(
            CareProvider.objects.exclude(kind=ProviderKind.MUNICIPAL).filter(org_number=value), municipality_id, token
        )
        if provider:
            return _provider_scope(provider)
    raise ScopeError(_("There is no scope %(scope)s.") % {"scope": token or "–"})


def scope_from_ids(*, kind: str, pk: int) -> ReportScope:
    """Return the scope stored on a generated report."""
    if kind == ScopeKind.MUNICIPALITY:
        return _municipality_scope(Municipality.objects.get(pk=pk))
    if kind == ScopeKind.REGION:
        return _region_scope(Region.objects.get(pk=pk))
    if kind == ScopeKind.BOARD:
        return _board_scope(Board.objects.get(pk=pk))
    return _provider_scope(CareProvider.objects.get(pk=pk))


def municipal_provider_for(scope: ReportScope) -> CareProvider | None:
    """The vårdgivare a patient safety report is for: a board's own provider, or the provider itself."""
    if scope.kind == ScopeKind.BOARD:
        return (
            CareProvider.objects.filter(kind=ProviderKind.MUNICIPAL, board_id=scope.id)
            .select_related("municipality")
            .first()
        )
    if scope.kind == ScopeKind.PROVIDER:
        return CareProvider.objects.filter(pk=scope.id).select_related("municipality").first()
    return None


def scopes_for_user(user) -> list[ReportScope]:
    """The scopes ``user`` may order reports for: admins everything, MAS/MAR/board officials their assignments'."""
    if not user.is_authenticated:
        return []
    if is_register_admin(user):
        scopes = [_municipality_scope(m) for m in scoped(Municipality.objects.order_by("name"), user, "")]
        scopes += [_region_scope(r) for r in scoped(Region.objects.order_by("name"), user)]
        scopes += [_board_scope(b) for b in scoped(Board.objects.order_by("name"), user)]
        scopes += [
            _provider_scope(p)
            for p in scoped(CareProvider.objects.exclude(kind=ProviderKind.MUNICIPAL).order_by("name"), user)
        ]
        return scopes
    full = user_scope(user)
    region_ids, board_ids, provider_ids = set(), set(), set()
    for role in REPORT_ROLES:
        part = full.by_role.get(role)
        if part is None:
            continue
        region_ids |= part.region_ids
        board_ids |= part.board_ids
        provider_ids |= part.provider_ids
    if not (region_ids or board_ids or provider_ids):
        return []
    scopes = [_region_scope(r) for r in Region.objects.filter(pk__in=region_ids).order_by("name")]
    scopes += [
        _board_scope(b)
        for b in Board.objects.filter(Q(pk__in=board_ids) | Q(region_id__in=region_ids)).order_by("name")
    ]
    providers = CareProvider.objects.filter(pk__in=provider_ids).select_related("board").order_by("name")
    for p in providers:
        scope = _board_scope(p.board) if p.kind == ProviderKind.MUNICIPAL else _provider_scope(p)
        if scope.key not in {s.key for s in scopes}:
            scopes.append(scope)
    return scopes


def may_report_on(user, scope: ReportScope, *, scopes: list[ReportScope] | None = None) -> bool:
    """Whether ``user`` may see reports about ``scope`` (``scopes``: :func:`scopes_for_user` already read)."""
    return any(s.key == scope.key for s in (scopes_for_user(user) if scopes is None else scopes))


def may_order_reports(user) -> bool:
    return bool(scopes_for_user(user))
