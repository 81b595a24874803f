from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import IdentityProvider, LoginPolicy
from responsibility import pickers


def _person_picker(field: forms.ModelChoiceField, people) -> None:
    """The person choice as a type-ahead picker over the people without a login (``static/js/picker.js``); its
    labels tell namesakes apart (title, workplace, e-mail), also in the plain select without JavaScript."""
    field.queryset = pickers.with_current(people)
    field.label_from_instance = pickers.person_label
    field.help_text = _("Type part of the name, e-mail or title. Title, workplace and e-mail tell namesakes apart.")
    field.widget.attrs.update(pickers.picker_attrs("login_person", reverse("responsibility:picker_search")))


class LocalUserForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, label=_("Person"))
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("The person sets up MFA at the first login if they are a register admin."),
    )

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        _person_picker(self.fields["person"], people)


class LinkForm(forms.Form):
    person = forms.ModelChoiceField(queryset=None, label=_("Person"))

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        _person_picker(self.fields["person"], people)


class ProviderForm(forms.ModelForm):
    secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Stored encrypted and never shown again. Leave empty to keep the stored secret."),
    )
    metadata_file = forms.FileField(label=_("Metadata file (XML)"), required=False)

    class Meta:
        model = IdentityProvider
        fields = [
            "kind",
            "name",
            "slug",
            "issuer",
            "client_id",
            "secret_env",
            "scopes",
            "metadata_url",
            "entity_id",
            "saml_id_attribute",
            "saml_email_attribute",
            "saml_given_name_attribute",
            "saml_surname_attribute",
            "saml_groups_attribute",
            "require_signed_logout",
            "link_claim",
            "groups_claim",
            "admin_group",
            "logout_at_idp",
            "is_active",
        ]

    # The form's sections (fieldsets), in order: a legend, a help text and the fields under it.
    SECTIONS = (
        (_("Identity provider"), "", ("kind", "name", "slug", "is_active")),
        (_("OpenID Connect"), "", ("issuer", "client_id", "secret", "secret_env", "scopes", "groups_claim")),
        (
            _("SAML 2.0"),
            _(
                "Which attribute of the assertion carries what. The defaults are the names Sambi and SITHS use; "
                "the claim name in brackets is what the linking claim refers to."
            ),
            (
                "metadata_url",
                "metadata_file",
                "entity_id",
                "saml_id_attribute",
                "saml_email_attribute",
                "saml_given_name_attribute",
                "saml_surname_attribute",
                "saml_groups_attribute",
                "require_signed_logout",
            ),
        ),
        (_("Linking and roles"), "", ("link_claim", "admin_group", "logout_at_idp")),
    )

    def sections(self):
        return [(legend, help_text, [self[name] for name in names]) for legend, help_text, names in self.SECTIONS]

    def clean(self):
        data = super().clean()
        upload = data.get("metadata_file")
        if upload:
            data["metadata_xml"] = upload.read().decode("utf-8", errors="replace")
        return data


class LoginPolicyForm(forms.ModelForm):
    class Meta:
        model = LoginPolicy
        fields = ["mfa_required_for_all"]
