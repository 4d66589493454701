"""What a lab page shows of a check suite: its handout as safe HTML, a starter file, the
allowed packages with their versions. Pure (no Django): plain values in, plain values out.

The handout is Markdown, but no Markdown library is pinned, so ``render_markdown`` renders the
small subset the handouts use (headings, paragraphs, fenced code, lists, inline code, bold,
emphasis, http(s) links). Everything is escaped first and only tags made here are added, so a
suite's text can never inject markup.
"""

from __future__ import annotations

import ast
import html
import importlib.metadata
import platform
import re
from collections.abc import Sequence

from convlab.grading.suite import Assignment, Function

__all__ = ["package_versions", "render_markdown", "starter_source"]

_HEADING = re.compile(r"^(#{1,4})\s+(.*)$")
_ITEM = re.compile(r"^\s*[-*]\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_EMPHASIS = re.compile(r"(?<![\w*])\*(?![\s*])([^*]+?)(?<!\s)\*(?![\w*])")
_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^\s)]+)\)")


def _inline(text: str) -> str:
    """Inline markup: `code` spans kept verbatim, then **bold**, *emphasis* and links."""
    parts = text.split("`")
    out = []
    for index, part in enumerate(parts):
        if index % 2 and index < len(parts) - 1:
            out.append(f"<code>{html.escape(part)}</code>")
            continue
        if index % 2:  # an unmatched backtick: show it as written
            part = "`" + part
        escaped = html.escape(part)
        escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
        escaped = _EMPHASIS.sub(r"<em>\1</em>", escaped)
        escaped = _LINK.sub(r'<a href="\2" rel="noopener noreferrer">\1</a>', escaped)
        out.append(escaped)
    return "".join(out)


def render_markdown(text: str, *, top: int = 2) -> str:
    """``text`` (a handout's Markdown) as HTML. ``#`` becomes ``<h{top}>`` (the page's own
    headings come above it), ``##`` the level below, and so on; code blocks keep their lines."""
    blocks: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    lines = text.splitlines()

    def flush() -> None:
        if paragraph:
            blocks.append("<p>" + _inline(" ".join(line.strip() for line in paragraph)) + "</p>")
            paragraph.clear()
        if items:
            blocks.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in items) + "</ul>")
            items.clear()

    index = 0
    while index < len(lines):
        line = lines[index]
        index += 1
        if line.lstrip().startswith("```"):
            flush()
            code = []
            while index < len(lines) and not lines[index].lstrip().startswith("```"):
                code.append(lines[index])
                index += 1
            index += 1  # the closing fence (or the end)
            escaped = html.escape("\n".join(code))
            blocks.append(f'<pre class="feedback"><code>{escaped}</code></pre>')
            continue
        if not line.strip():
            flush()
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = min(6, len(heading.group(1)) + top - 1)
            blocks.append(f"<h{level}>{_inline(heading.group(2).strip())}</h{level}>")
            continue
        item = _ITEM.match(line)
        if item and not paragraph:
            items.append(item.group(1))
            continue
        if items and line.startswith((" ", "\t")):  # a list item's continuation line
            items[-1] += " " + line.strip()
            continue
        if items:
            flush()
        paragraph.append(line)
    flush()
    return "\n".join(blocks)


def _docstring(text: str, indent: str) -> str:
    safe = text.replace("\\", "\\\\").replace('"', '\\"')
    return f'{indent}"""{safe}"""'


def _stub(function: Function) -> str:
    """``def <signature>:`` with the summary as its docstring. A signature that is not valid
    Python (a suite may write it for humans) becomes ``(*args, **kwargs)``, and the docstring
    quotes it."""
    header = f"def {function.signature}:"
    summary = function.summary
    try:
        tree = ast.parse(header + "\n    pass\n")
        defined = tree.body[0]
        valid = isinstance(defined, ast.FunctionDef) and defined.name == function.name
    except SyntaxError:
        valid = False
    if not valid:
        header = f"def {function.name}(*args, **kwargs):"
        summary = f"{function.signature}\n\n    {summary}"
    return "\n".join(
        [
            header,
            _docstring(summary, "    "),
            f'    raise NotImplementedError("{function.name} is not written yet")',
        ]
    )


def _import_line(package: str) -> str:
    return "import numpy as np" if package == "numpy" else f"import {package}"


def starter_source(assignment: Assignment) -> str:
    """A .py file that defines every function ``assignment`` asks for, each raising
    NotImplementedError, with the summary the handout gives it as its docstring."""
    allowed = ", ".join(assignment.packages) or "the standard library only"
    header = (
        f"{assignment.title}: starter file.\n\n"
        "Write each function below, then upload this file (a .py file) on the lab page.\n"
        f"Allowed packages: {allowed}.\n"
        "Keep the names and the parameters as they are: the grader imports this file and\n"
        "calls the functions by name.\n"
    )
    parts = [_docstring(header, ""), ""]
    parts += [_import_line(p) for p in assignment.packages if p.isidentifier()]
    for function in assignment.functions:
        parts += ["", "", _stub(function)]
    return "\n".join(parts) + "\n"


def package_versions(packages: Sequence[str]) -> list[tuple[str, str]]:
    """("Python", its version), then each package with the version installed here (the
    sandbox binds the grader's own interpreter and packages), or "not installed"."""
    found = [("Python", platform.python_version())]
    distributions = importlib.metadata.packages_distributions()
    for package in packages:
        names = [package, *distributions.get(package, [])]
        version = "not installed"
        for name in names:
            try:
                version = importlib.metadata.version(name)
                break
            except importlib.metadata.PackageNotFoundError:
                continue
        found.append((package, version))
    return found
