"""The crawl's permission matrix: expected status per URL × method × role × object kind.

Object kinds: ``visible`` (an object the role may see, from the product's
selectors), ``foreign`` (one it may not), ``missing`` (an id that does not
exist) and ``none`` (a URL without an object). A rule is ``"<status> kind:status
…"``; ``a|b`` allows either (e.g. a step the role may see but not take on that
particular case: 400 for the invalid form, 403 when it is not theirs to take).
``"*"`` is every role not listed. ``POST`` covers both the empty and the
invalid POST unless ``POST_EMPTY`` / ``POST_INVALID`` are given.

The rules the code follows, recorded here:
- anonymous: 302 to the login page, except where the method is refused first (405);
- a page the role has no permission for: 403 — for every object, existing or not
  (the permission is checked before the object is looked up);
- an object outside what the role may see: 404, the same as an id that does not
  exist, so that existence is not revealed;
- a form with errors: 400, re-shown with what was typed; a method the URL does not
  take: 405;
- Django admin: 302 to its login for everyone but staff.
"""

# URL patterns the crawl does not fill, with the reason.
NOT_CRAWLED: dict[str, str] = {}

EXPECTED: dict[str, dict[str, dict[str, str]]] = {}
