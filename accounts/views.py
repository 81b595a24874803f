"""User administration and SSO pages. Views check the permission and call one service or selector."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import selectors, services
from accounts.forms import LinkForm, LocalUserForm, LoginPolicyForm, ProviderForm
from accounts.models import IdentityProvider, LoginPolicy, RefusalCause
from responsibility.models import Municipality, Unit
from responsibility.permissions import register_admin_users, who_sees_unit


def admin_required(view):
    """Register admins of a municipality only: anonymous to the login page, others 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        request.admin_municipality_id = services.admin_municipality(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def _errors_to_messages(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@admin_required
@require_GET
def user_list(request):
    municipality_id = request.admin_municipality_id
    return render(
        request,
        "accounts/user_list.html",
        {
            "users": selectors.users_of(municipality_id=municipality_id),
            "pending": selectors.pending_logins_of(municipality_id=municipality_id),
            "people": selectors.people_without_login(municipality_id=municipality_id).order_by("last_name"),
        },
    )


@admin_required
@require_http_methods(["GET", "POST"])
def user_create(request):
    people = selectors.people_without_login(municipality_id=request.admin_municipality_id)
    form = LocalUserForm(
        request.POST if request.method == "POST" else None, people=people, initial={"person": request.GET.get("person")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create_local(
                actor=request.user,
                person_id=form.cleaned_data["person"].pk,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The login %(username)s is created.") % {"username": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form}, status=400 if form.errors else 200)


def _user_or_404(request, pk: int):
    user = selectors.users_of(municipality_id=request.admin_municipality_id).filter(pk=pk).first()
    if user is None:
        raise Http404(_("No such login in your municipality."))
    return user


@admin_required
@require_GET
def user_detail(request, pk: int):
    user = _user_or_404(request, pk)
    from allauth.mfa.models import Authenticator

    people = selectors.people_without_login(municipality_id=request.admin_municipality_id).order_by("last_name")
    return render(
        request,
        "accounts/user_detail.html",
        {
            "account_user": user,
            "person": getattr(user, "person", None),
            "mfa_types": sorted({a.get_type_display() for a in Authenticator.objects.filter(user=user)}),
            "social": user.socialaccount_set.all(),
            "history": user.history.all()[:20],
            "idp_role_changes": selectors.idp_role_changes(user=user)[:20],
            "link_form": LinkForm(people=people),
        },
    )


@admin_required
@require_POST
def user_action(request, pk: int, action: str):
    user = _user_or_404(request, pk)
    try:
        if action == "link":
            form = LinkForm(
                request.POST, people=selectors.people_without_login(municipality_id=request.admin_municipality_id)
            )
            if not form.is_valid():
                raise ValidationError(_("Choose a person of your municipality."))
            services.user_link(actor=request.user, user_id=user.pk, person_id=form.cleaned_data["person"].pk)
        elif action in ("unlink", "deactivate") and request.POST.get("confirm") != "1":
            raise ValidationError(_("Confirm the change."))
        elif action == "unlink":
            services.user_unlink(actor=request.user, user_id=user.pk)
        elif action in ("deactivate", "activate"):
            services.user_set_active(actor=request.user, user_id=user.pk, active=action == "activate")
        else:
            raise Http404
    except ValidationError as exc:
        _errors_to_messages(request, exc)
        return redirect("accounts:user_detail", pk=user.pk)
    messages.success(request, _("The login %(username)s is changed.") % {"username": user.username})
    return redirect("accounts:user_detail", pk=user.pk)


@admin_required
@require_POST
def pending_link(request, pk: int):
    people = selectors.people_without_login(municipality_id=request.admin_municipality_id)
    form = LinkForm(request.POST, people=people.model.objects.filter(municipality_id=request.admin_municipality_id))
    if not selectors.pending_logins_of(municipality_id=request.admin_municipality_id).filter(pk=pk).exists():
        raise Http404(_("No such pending login in your municipality."))
    if not form.is_valid():
        messages.error(request, _("Choose a person of your municipality."))
        return redirect("accounts:user_list")
    try:
        services.pending_link(actor=request.user, pending_id=pk, person_id=form.cleaned_data["person"].pk)
    except ValidationError as exc:
        _errors_to_messages(request, exc)
    else:
        messages.success(request, _("The person is linked: their next login goes straight to the portal."))
    return redirect("accounts:user_list")


@admin_required
@require_http_methods(["GET", "POST"])
def provider_list(request):
    municipality = get_object_or_404(Municipality, pk=request.admin_municipality_id)
    policy = LoginPolicy.objects.filter(municipality=municipality).first() or LoginPolicy(municipality=municipality)
    form = LoginPolicyForm(request.POST if request.method == "POST" else None, instance=policy)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The login rules are saved."))
        return redirect("accounts:provider_list")
    return render(
        request,
        "accounts/provider_list.html",
        {
            "providers": selectors.providers_of(municipality_id=municipality.pk),
            "refused": selectors.refused_logins_of(municipality_id=municipality.pk),
            "policy_form": form,
        },
        status=400 if form.errors else 200,
    )


@admin_required
@require_http_methods(["GET", "POST"])
def provider_edit(request, pk: int | None = None):
    municipality = get_object_or_404(Municipality, pk=request.admin_municipality_id)
    provider = None
    if pk is not None:
        provider = selectors.providers_of(municipality_id=municipality.pk).filter(pk=pk).first()
        if provider is None:
            raise Http404(_("No such identity provider in your municipality."))
    form = ProviderForm(request.POST if request.method == "POST" else None, request.FILES or None, instance=provider)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        secret = data.pop("secret", "")
        data.pop("metadata_file", None)
        try:
            saved = services.provider_save(municipality=municipality, provider=provider, secret=secret, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("The identity provider %(name)s is saved.") % {"name": saved.name})
            return redirect("accounts:provider_list")
    return render(
        request, "accounts/provider_form.html", {"form": form, "provider": provider}, status=400 if form.errors else 200
    )


@require_GET
def sso_unmatched(request):
    """A login at the IdP that matched no person: whom to contact (the municipality's register admins)."""
    provider = IdentityProvider.objects.filter(pk=request.session.get("sso_unmatched_provider")).first()
    admins = register_admin_users(municipality_id=provider.municipality_id) if provider else []
    contacts = [u for u in admins if hasattr(u, "person") and u.person.municipality_id == provider.municipality_id]
    return render(request, "accounts/sso_unmatched.html", {"provider": provider, "contacts": contacts})


def saml_finish_acs(request, organization_slug: str):
    """allauth's end of a SAML login; a Response that answers no AuthnRequest of this browser is refused.

    allauth takes each AuthnRequest's state once: a replayed Response (or one this browser never
    asked for) finds none, and allauth raises PermissionDenied. It is refused like the other errors.
    """
    from allauth.socialaccount.providers.saml.views import finish_acs
    from django.core.exceptions import PermissionDenied

    try:
        return finish_acs(request, organization_slug=organization_slug)
    except PermissionDenied:
        provider = selectors.provider_by_provider_id(organization_slug)
        if provider is not None:
            services.sso_refusal_record(
                provider=provider, cause=RefusalCause.STATE, detail="SAML Response answers no request of this browser"
            )
        request.session["sso_refused_cause"] = RefusalCause.STATE
        return redirect("accounts:sso_refused")


@require_GET
def sso_refused(request):
    """The IdP's answer was refused: why, in words a user can pass on to the register admin."""
    cause = request.session.pop("sso_refused_cause", "")
    return render(
        request,
        "accounts/sso_refused.html",
        {"cause": cause if cause in RefusalCause.values else "", "causes": RefusalCause},
        status=403,
    )


@admin_required
@require_GET
def unit_access(request, code: str):
    """Who can see a unit of the admin's municipality, and the role or grant that gives each access."""
    unit = get_object_or_404(
        Unit.objects.select_related("board", "provider"), code=code, municipality_id=request.admin_municipality_id
    )
    return render(request, "accounts/unit_access.html", {"unit": unit, "rows": who_sees_unit(unit)})
