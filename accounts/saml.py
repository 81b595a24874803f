"""SAML 2.0 specifics: allauth's app settings of a provider, the NameID kept for single logout.

allauth builds its SAML provider from ``SOCIALACCOUNT_PROVIDERS["saml"]["provider_class"]``:
:class:`PortalSAMLProvider` is allauth's, and also keeps the assertion's NameID and SessionIndex in
the session, because a LogoutRequest must name the subject the IdP is to log out.
"""

from __future__ import annotations

from allauth.socialaccount.providers.saml.provider import SAMLProvider

SESSION_SAML_SUBJECT = "portal_saml_subject"


class PortalSAMLProvider(SAMLProvider):
    def sociallogin_from_response(self, request, response):
        request.session[SESSION_SAML_SUBJECT] = {
            "name_id": response.get_nameid(),
            "name_id_format": response.get_nameid_format(),
            "nq": response.get_nameid_nq(),
            "spnq": response.get_nameid_spnq(),
            "session_index": response.get_session_index(),
        }
        return super().sociallogin_from_response(request, response)


def app_settings(provider) -> dict:
    """allauth's settings of a SAML provider: its IdP, the attribute mapping, strict validation.

    The account's uid is the stable-id attribute (HSA-id) where the IdP sends it, otherwise
    the NameID (a transient NameID would make every login a new account).
    """
    attributes = provider.saml_attributes
    return {
        "idp": idp_settings(provider),
        "attribute_mapping": {
            "uid": attributes.get("hsa_id", ""),
            "email": attributes.get("email", ""),
            "first_name": attributes.get("given_name", ""),
            "last_name": attributes.get("family_name", ""),
        },
        "advanced": {
            "reject_idp_initiated_sso": True,
            "want_assertion_signed": True,
            "want_message_signed": False,
            "strict": True,
        },
    }


def idp_settings(provider) -> dict:
    """allauth's ``idp`` settings: the metadata URL, or what the stored metadata document says."""
    if provider.metadata_url:
        return {"entity_id": provider.entity_id, "metadata_url": provider.metadata_url}
    from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

    parsed = OneLogin_Saml2_IdPMetadataParser.parse(provider.metadata_xml, entity_id=provider.entity_id or None)
    idp = parsed.get("idp", {})
    return {
        "entity_id": idp.get("entityId", provider.entity_id),
        "x509cert": idp.get("x509cert") or idp.get("x509certMulti", {}).get("signing", [""])[0],
        "sso_url": idp.get("singleSignOnService", {}).get("url", ""),
        "slo_url": idp.get("singleLogoutService", {}).get("url", ""),
    }


def logout_url(request, provider, *, return_to: str) -> str | None:
    """The IdP's single logout URL with a LogoutRequest for this session's subject, or None (no SLO)."""
    from allauth.socialaccount.adapter import get_adapter
    from allauth.socialaccount.providers.saml.utils import build_auth

    saml = get_adapter(request).get_provider(request, "saml", client_id=provider.provider_id)
    auth = build_auth(request, saml)
    if not auth.get_slo_url():
        return None
    subject = request.session.get(SESSION_SAML_SUBJECT) or {}
    return auth.logout(
        return_to=return_to,
        name_id=subject.get("name_id"),
        session_index=subject.get("session_index"),
        nq=subject.get("nq"),
        name_id_format=subject.get("name_id_format"),
        spnq=subject.get("spnq"),
    )
