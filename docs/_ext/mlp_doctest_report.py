"""Report how many documented examples the doctest builder ran, and fail on silent skips.

``sphinx.ext.doctest`` counts only the examples it ran: an example in a group whose
``:skipif:`` held, or whose set-up code failed, disappears from its summary. After a doctest
build this extension counts every example in the documents itself (doctest blocks, including
those autodoc takes from docstrings, ``.. doctest::`` and ``.. testcode::`` blocks), lists the
ones marked ``+SKIP`` by their location, and writes ``doctest-report.json`` beside the
builder's ``output.txt``. A build in which fewer examples ran than were found, less those marked
``+SKIP``, ends with a warning, which ``-W`` turns into a failed build.
"""

from __future__ import annotations

import doctest
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

_PARSER = doctest.DocTestParser()
REPORT_FILE = "doctest-report.json"


@dataclass
class ExampleCount:
    """The examples found in the documents and what became of them."""

    found: int = 0
    ran: int = 0
    failed: int = 0
    marked_skip: list[str] = field(default_factory=list)
    documents: int = 0


def _is_test_node(node: nodes.Node) -> bool:
    # The same selection as sphinx.ext.doctest with doctest_test_doctest_blocks set.
    if isinstance(node, nodes.doctest_block):
        return True
    return isinstance(node, nodes.literal_block | nodes.comment) and "testnodetype" in node


def _location(node: nodes.Element, docname: str) -> str:
    source = node.source or docname
    return f"{source}:{node.line}" if node.line else source


def _count(app: Sphinx) -> ExampleCount:
    count = ExampleCount()
    for docname in sorted(app.env.found_docs):
        doctree = app.env.get_doctree(docname)
        found_here = 0
        for node in doctree.findall(_is_test_node):
            assert isinstance(node, nodes.Element)
            kind = node.get("testnodetype", "doctest")
            if kind == "testcode":
                found_here += 1
                continue
            if kind != "doctest":
                continue  # set-up, clean-up and expected output are not examples.

            source = node["test"] if "test" in node else node.astext()
            block_options = node.get("options", {})
            for example in _PARSER.get_examples(source):
                found_here += 1
                if {**block_options, **example.options}.get(doctest.SKIP):
                    first_line = example.source.strip().splitlines()[0]
                    count.marked_skip.append(f"{_location(node, docname)}: {first_line}")
        count.found += found_here
        count.documents += 1 if found_here else 0
    return count


def _report(app: Sphinx, exception: BaseException | None) -> None:
    if exception is not None or app.builder.name != "doctest":
        return

    builder: Any = app.builder
    count = _count(app)
    count.ran = builder.total_tries
    count.failed = builder.total_failures + builder.setup_failures + builder.cleanup_failures
    (app.outdir / REPORT_FILE).write_text(json.dumps(asdict(count), indent=2), encoding="utf-8")

    logger.info(
        "documented examples: %d found in %d documents, %d ran, %d failed, %d marked +SKIP",
        count.found,
        count.documents,
        count.ran,
        count.failed,
        len(count.marked_skip),
    )
    for location in count.marked_skip:
        logger.info("  marked +SKIP: %s", location)

    expected = count.found - len(count.marked_skip)
    if count.found == 0:
        logger.warning("the doctest build found no examples; check doctest_test_doctest_blocks")
    elif count.ran != expected:
        logger.warning(
            "%d documented examples should have run but %d did; a failed set-up block or a "
            "true :skipif: skipped the rest, so read output.txt and fix the set-up or remove "
            "the :skipif:",
            expected,
            count.ran,
        )


def setup(app: Sphinx) -> dict[str, Any]:
    """Connect the report to the end of every build."""
    app.connect("build-finished", _report)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
