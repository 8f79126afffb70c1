"""What a PDF layout is given and gives back, without WeasyPrint: the build's process makes the
jobs and joins the results, a worker (`pdf_layout`, which loads WeasyPrint) lays them out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Job:
    """One document to lay out: its HTML, what it may read, and where its runs of pages start
    (the page of each element id of `starts`; none: the whole document is one run)."""

    html: str
    base_url: str
    allowed: tuple[str, ...]
    css: str
    fonts: tuple[str, ...] = ()  # identities of the font files embedded as placeholders
    starts: tuple[str, ...] = ()


@dataclass
class Laid:
    """A layout's runs of pages (`Pages.dump()` each) and, for each run whose cut spans could
    not be repeated in place, the grid rows (0-based, per `data-row`) that start its pages."""

    runs: list[bytes]
    unsplit: dict[int, list[int]] = field(default_factory=dict)
    pages: int = 0  # the layout's pages, all runs together


@dataclass(frozen=True)
class Counted:
    """What a layout tells once its pages are laid out, before they are drawn: each run's page
    count, and whether a cut span could not be repeated in place (its table is laid out again,
    and its count may change)."""

    counts: tuple[int, ...]
    cut: bool
