"""The HTML reader: BeautifulSoup over lxml, boilerplate removed first (scripts,
navigation, cookie banners, newsletters, sharing buttons, site header and footer),
then the visible text walked into blocks (h1–h6 headings, list items with their
nesting, paragraphs) and tables written row by row."""

from __future__ import annotations

import re
from typing import Any

from pipeline.documents.assemble import BlockKind, _Draft, _finish, _write_table
from pipeline.documents.context import _Context
from pipeline.errors import EmptyFileError
from pipeline.models import Document

# Never content, wherever they are.
_NEVER_CONTENT_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "button", "select", "head"]
)
# Boilerplate unless they wrap the page's main content.
_BOILERPLATE_TAGS = frozenset(["nav", "aside", "form"])
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "complementary", "dialog"}
# A class or id token ENDING with one of these words ("topnav", "main-menu", "sitefooter",
# "share-buttons"); matching the end only keeps French words such as "sociale" or
# "navette" from being taken for boilerplate.
_BOILERPLATE_TOKEN = re.compile(
    r"(?:nav|navbar|navigation|menu|menubar|footer|newsletter|breadcrumbs?|cookies?|share|"
    r"sharing|social|subscribe|subscription)s?$"
)
_KEEP_TAGS = {"html", "body", "main", "article"}
_BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "blockquote",
    "pre",
    "figure",
    "figcaption",
    "address",
    "hr",
    "body",
    "html",
    "center",
    "fieldset",
    "details",
    "summary",
    "caption",
    "header",
    "footer",
    "tbody",
    "thead",
    "tfoot",
}
_HTML_SPACE = re.compile(r"[ \t\r\n\f]+")


def _read_html(ctx: _Context) -> Document:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(ctx.data, "lxml")
    _drop_boilerplate(soup)
    walker = _HtmlWalker()
    walker.walk(soup.body or soup)
    walker.flush()
    draft = walker.draft
    draft.pages.append((0, draft.length, bool(draft.tables)))
    if not draft.raw.strip():
        raise ctx.error(EmptyFileError, " (la page web ne contient aucun texte visible)")
    return _finish(ctx, "html", draft)


def _drop_boilerplate(soup: Any) -> None:
    """Remove what a reader does not read as the page's content: scripts, navigation,
    cookie banners, newsletters, sharing buttons, site header and footer."""
    doomed = []
    for tag in soup.find_all(True):
        if tag.name in _KEEP_TAGS:
            continue
        never_content = tag.name in _NEVER_CONTENT_TAGS
        if never_content or (_looks_like_boilerplate(tag) and not _holds_main_content(tag)):
            doomed.append(tag)
    for tag in doomed:
        if not tag.decomposed:
            tag.decompose()


def _looks_like_boilerplate(tag: Any) -> bool:
    if tag.name in _BOILERPLATE_TAGS or _is_hidden(tag) or _is_boilerplate_attr(tag):
        return True
    # The site's header and footer go; an article's own header (its title) stays.
    return tag.name in ("header", "footer") and not tag.find_parent(("article", "main"))


def _holds_main_content(tag: Any) -> bool:
    """Whether a tag wraps the page's content: ASP.NET and SharePoint sites put the whole
    body in a <form>, and a wrapper's class may read "nav-open"."""
    return tag.find(("main", "article", "h1")) is not None


def _is_hidden(tag: Any) -> bool:
    style = (tag.get("style") or "").replace(" ", "").lower()
    return (
        tag.has_attr("hidden")
        or tag.get("aria-hidden") == "true"
        or "display:none" in style
        or "visibility:hidden" in style
        or (tag.get("role") or "") in _DROP_ROLES
    )


def _is_boilerplate_attr(tag: Any) -> bool:
    classes = tag.get("class") or []
    values = [*classes] if isinstance(classes, list) else [str(classes)]
    values.append(str(tag.get("id") or ""))
    tokens = (tok for value in values for tok in re.split(r"[-_\s]+", value.lower()) if tok)
    return any(_BOILERPLATE_TOKEN.search(tok) for tok in tokens)


class _HtmlWalker:
    """Turns the cleaned tree into blocks: inline text accumulates until a block-level
    element closes it; h1–h6, li, tr and p/div give the block kinds."""

    def __init__(self) -> None:
        self.draft = _Draft()
        self.buffer: list[str] = []
        self.kinds: list[tuple[BlockKind, int | None]] = [("paragraph", None)]

    def walk(self, node: Any) -> None:
        from bs4.element import NavigableString, PreformattedString, Tag

        for child in node.children:
            if isinstance(child, PreformattedString):
                continue  # comments, doctype, CDATA
            if isinstance(child, NavigableString):
                self.buffer.append(_HTML_SPACE.sub(" ", str(child)))
            elif isinstance(child, Tag):
                self._tag(child)

    def _tag(self, tag: Any) -> None:
        name = tag.name
        if name == "br":
            self.buffer.append("\n")
        elif name == "table":
            self.flush()
            self._table(tag)
        elif name in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._container(tag, ("heading", int(name[1])))
        elif name == "li":
            depth = len(tag.find_parents(("ul", "ol"))) or 1
            self._container(tag, ("list_item", depth))
        elif name in _BLOCK_TAGS:
            # A <p> or <div> inside a list item or a heading keeps that kind.
            inherited = self.kinds[-1] if self.kinds[-1][0] != "paragraph" else None
            self._container(tag, inherited or ("paragraph", None))
        else:
            self.walk(tag)

    def _container(self, tag: Any, kind: tuple[BlockKind, int | None]) -> None:
        self.flush()
        self.kinds.append(kind)
        self.walk(tag)
        self.flush()
        self.kinds.pop()

    def flush(self) -> None:
        text = "".join(self.buffer)
        self.buffer = []
        text = "\n".join(part.strip(" ") for part in text.split("\n")).strip(" \n")
        if text:
            kind, level = self.kinds[-1]
            self.draft.add_line(kind, text, level=level)

    def _table(self, table: Any) -> None:
        rows: list[list[str | None]] = []
        for row in table.find_all("tr"):
            if row.find_parent("table") is not table:
                continue  # a row of a nested table
            cells: list[str | None] = []
            for cell in row.find_all(("td", "th"), recursive=False):
                cells.append(_HTML_SPACE.sub(" ", cell.get_text(" ")).strip())
                cells.extend([None] * (_colspan(cell) - 1))
            rows.append(cells)
        _write_table(self.draft, rows)


def _colspan(cell: Any) -> int:
    try:
        return max(1, min(int(cell.get("colspan", 1)), 50))
    except (TypeError, ValueError):
        return 1
