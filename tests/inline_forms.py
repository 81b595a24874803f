"""Checks of the forms a user fills inline on a page: each has "Avbryt" back to its page (issue 13)."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html

FIELDS = ".//textarea | .//select | .//input[not(@type='hidden') and not(@type='submit')]"


def forms_with_fields(body: str):
    """The page's POST forms that hold something to fill in (not the header's, not a lone button)."""
    doc = lxml.html.fromstring(body)
    forms = doc.xpath("//main//form[@method='post']")
    return doc, [form for form in forms if form.xpath(FIELDS)]


def assert_every_inline_form_cancels_back_to(client, url: str, *, at: str | None = None) -> int:
    """Every form on the page at ``url`` has one "Avbryt" link back to ``at`` (default ``url``) at an anchor that
    exists on the page; returns how many forms there were."""
    response = client.get(url)
    assert response.status_code == 200
    doc, forms = forms_with_fields(response.content.decode())
    page = urlsplit(at or url).path
    for form in forms:
        links = form.xpath(".//a[@data-cancel]")
        assert len(links) == 1, lxml.html.tostring(form)[:300]
        assert links[0].text_content() == "Avbryt"
        target = urlsplit(links[0].get("href"))
        assert target.path == page
        assert not target.query
        if target.fragment:
            assert doc.xpath(f"//*[@id='{target.fragment}']"), f"no #{target.fragment} on {url}"
    return len(forms)
