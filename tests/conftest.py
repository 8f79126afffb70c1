"""Shared fixtures: the repo's paths, the seed dumps, and helpers to run the CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tablegen.cli import main

ROOT = Path(__file__).resolve().parents[1]
TEST_BOOKS = Path(__file__).parent / "books"  # copies of the seed books: tests never read targets/
SEEDS = Path(__file__).parent / "seeds"  # copies of ../shared/seeds: the ground truth
FIXTURES = Path(__file__).parent / "fixtures"
SEED_BOOKS = {
    "tianjin-ipa-2024": SEEDS / "000_365330cedff786a2.txt",
    "binhai-ipa-2026": SEEDS / "001_97bf46446f87ec4d.txt",
}
IN_CI = os.environ.get("CI") == "true"


def need_program(name: str) -> str:
    """The path of an outside program; skip without it, but fail in CI, where it must exist."""
    path = shutil.which(name)
    if path is None:
        if IN_CI:
            pytest.fail(f"{name} is required in CI (.ci/system-packages installs it)")
        pytest.skip(f"{name} is not installed")
    return path


# The tests `make test-fast` leaves out (`pytest -m "not slow"`): whole modules that run
# tablegen in processes killed at random moments, build wheels and agency repositories, lay
# pages out in LibreOffice or drive a browser, and the single tests that do so elsewhere.
# `make test` and CI run everything.
SLOW_MODULES = {"test_crash_safety", "test_packaging", "test_temp_folder", "test_independence",
                "test_pages", "test_golden", "test_messages", "test_fuzz", "test_guide",
                "test_output_folder"}
SLOW_TESTS = {
    # LibreOffice, or whole builds of both seed books several times over (the fast subset keeps
    # a cheaper test of the same path: test_cache.py::test_one_value_changed_…, test_docx.py's
    # cells):
    "test_layouts.py::test_a_band_cut_by_a_page_break_repeats_its_label_on_the_next_page",
    "test_selfeval.py::test_the_selfeval_pdf_is_cached_per_table_like_the_target_tables",
    "test_cache.py::test_second_build_rewrites_nothing",
    "test_cache.py::test_a_corrupt_cache_entry_is_rebuilt",
    "test_cache.py::test_cold_and_cached_builds_are_byte_identical",
    "test_cache.py::test_unused_entries_are_pruned",
    "test_pdf.py::test_a_table_longer_than_a_block_of_stamps_gets_its_own_pdf_numbered_alike",
    "test_build.py::test_a_build_says_what_it_made_in_one_line",
    "test_docx.py::test_bookmarks_and_toc",
    "test_docx.py::test_every_built_docx_passes_openxml_audit",
    "test_docx.py::test_two_builds_are_byte_identical",
    "test_docx.py::test_libreoffice_shows_every_cell",
    "test_docx.py::test_default_build_toc_pages_are_the_pages_where_headings_land",
    "test_toc_pieces.py::test_the_tables_laid_out_alone_give_the_pages_of_the_whole_book",
    "test_toc_pieces.py::test_after_one_edit_only_the_edited_table_is_laid_out_again",
    "test_toc_pieces.py::test_pdftotext_finds_the_pages_pypdf_finds",
    "test_toc_pieces.py::test_libreoffice_lays_the_docx_out_while_the_other_formats_render",
    "test_toc_pieces.py::test_a_format_that_fails_stops_libreoffice_and_leaves_nothing",
    "test_toc_pieces.py::test_a_conversion_handed_to_a_standby_libreoffice_gives_its_own_runs_pages",
    "test_toc_pieces.py::test_a_standby_that_ended_is_cleared_away_and_the_conversion_runs_its_own",
    "test_toc_pieces.py::test_a_standby_left_open_goes_when_python_exits",
    "test_toc_pieces.py::test_an_edit_measured_part_by_part_gives_the_bytes_of_a_cold_build",
    "test_serve.py::test_after_a_save_every_format_is_brought_up_to_date_in_the_warm_process",
    "test_serve.py::test_the_docx_layout_after_a_save_is_handed_to_the_libreoffice_kept_started",
    "test_cache.py::test_a_build_with_nothing_to_do_loads_no_engine",
    "test_cache.py::test_one_value_changed_renders_that_tables_html_and_docx_xml_only",
    "test_selfeval.py::test_the_selfeval_docx_toc_numbers_are_the_pages_where_libreoffice_lays_the_headings",
    "test_selfeval.py::test_a_selfeval_cut_by_a_page_break_repeats_the_header_and_the_group_label",
    "test_selfeval.py::test_the_selfeval_pdf_has_its_own_toc_and_bookmarks",
    "test_serve.py::test_the_browser_shows_a_save_without_a_manual_reload",
    "test_pdf.py::test_without_system_fonts_the_pip_font_prints_chinese",
    "test_pdf.py::test_without_the_system_subsetter_the_pdf_is_the_same",
    "test_pdf.py::test_two_builds_are_byte_identical",
    "test_pdf.py::test_a_group_cut_by_a_page_break_is_split_in_place_as_a_layout_cut_there_draws_it",
    "test_hostile_templates.py::test_endless_loops_stop_at_the_time_bound",
    "test_hostile_templates.py::test_what_would_fill_the_memory_is_refused_before_it_is_made",
    "test_hostile_templates.py::test_a_render_that_keeps_growing_stops_at_the_memory_bound",
    "test_cache_safety.py::test_the_cache_key_follows_the_code_not_the_version",
    "test_selfeval.py::test_the_selfeval_docx_from_its_own_template_has_every_cell_and_a_toc",
    "test_import_docx.py::test_generated_books_round_trip",
    "test_broken_files.py::test_every_editing_and_review_command_on_each_broken_file",
    "test_docx.py::test_text_renders_literally",
    "test_docx.py::test_a_user_template_overrides_the_default",
    "test_docx.py::test_openxml_audit_would_catch_a_misplaced_setting",
    "test_hostile_reading.py::test_long_project_file_name_builds",
    "test_overall_formats.py::test_libreoffice_shows_every_cell_of_the_docx_and_calc_of_the_xlsx",
    "test_overall_formats.py::test_the_docx_toc_pages_are_libreoffices_and_its_grid_header_repeats",
    "test_overall_formats.py::test_a_group_cut_by_a_page_repeats_its_label_in_every_format",
    "test_overall_formats.py::test_build_writes_these_very_files_and_links_them_from_the_overview",
    "test_suggestions.py::test_after_make_docs_the_schema_offers_the_repos_own_indicators_for_a_level2",
    "test_monitoring.py::test_the_pdf_has_every_cell_ticks_in_their_columns_an_outline_and_a_toc",
    "test_monitoring.py::test_a_monitoring_table_cut_by_a_page_break_repeats_the_header_and_the_group_label",
    "test_monitoring.py::test_the_docx_toc_and_cut_groups_follow_libreoffices_pages",
    "test_monitoring.py::test_calc_prints_every_cell_of_the_xlsx_without_overlaps",
    "test_monitoring.py::test_a_long_group_shows_the_header_and_its_label_on_every_page_libreoffice_prints",
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        module = item.path.stem
        test = f"{item.path.name}::{item.originalname}" if hasattr(item, "originalname") else ""
        if module in SLOW_MODULES or test in SLOW_TESTS:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config) -> Path:
    """Both seed books built once for the whole session, every format, the DOCX 目录 measured
    by LibreOffice where it is installed (tests of each format read it; none writes into it).
    The fast subset (`-m "not slow"`), whose tests never read the 目录's numbers, leaves
    LibreOffice out."""
    from tablegen.build import build

    out = tmp_path_factory.mktemp("seeds")
    fast = pytestconfig.getoption("markexpr") == "not slow"
    build([TEST_BOOKS], out, ["docx", "html", "pdf", "xlsx"], quiet=True, toc_pages=not fast)
    return out


@pytest.fixture
def run(capsys, monkeypatch):
    """Run the CLI in a folder; returns (exit code, stdout, stderr)."""

    def _run(*args: str, cwd: Path | None = None) -> tuple[int, str, str]:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return _run


def book_file(out: Path, key: str, suffix: str, source: Path | None = None) -> Path:
    """The book's own output file of a format, under `out/<key>/`, named after its title (the
    book in `source`, by default the test book of that key)."""
    from tablegen.load.books import load_book_strict
    from tablegen.model.book import safe_stem

    title = load_book_strict(source or TEST_BOOKS / key).title
    return out / key / f"{safe_stem(title)}.{suffix}"
