"""The command line: a thin shell over the library (`tablegen --help`)."""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from . import __version__
from .build import build as run_build
from .build import check as run_check
from .build import explain as run_explain
from .cli_text import chinese, name_values
from .errors import (
    EXIT_INVALID,
    EXIT_OK,
    EXIT_USAGE,
    InvalidData,
    Report,
    TablegenError,
    UsageError,
    display_path,
    shown_name,
)

log = logging.getLogger("tablegen")
DEFAULT_TARGETS = Path("targets")
# Libraries whose INFO logs are their own working steps: shown with --debug only.
LIBRARY_LOGGERS = ("weasyprint", "fontTools")


def _paths(values: list[str]) -> list[Path]:
    return [Path(v) for v in values] or [DEFAULT_TARGETS]


def cmd_check(args: argparse.Namespace) -> int:
    if args.explain and args.format != "text":
        raise UsageError("--explain 只能与 --format text 一起使用：得分的算法是给人读的文字")
    report = run_check(_paths(args.paths), strict=args.strict)
    text = report.format(args.format)
    if text:
        print(text)
    if args.explain:
        for line in run_explain(_paths(args.paths)):
            print(line)
    if args.format == "text":
        print(report.summary(), file=sys.stderr)
    return EXIT_INVALID if report.errors else EXIT_OK


class ProgressBar:
    """A one-line bar on a terminal, per table, for builds that take more than a moment."""

    def __init__(self, stream: TextIO = sys.stderr):
        self.stream = stream
        self.start = time.monotonic()
        self.shown = False

    def update(self, done: int, total: int, label: str) -> None:
        if time.monotonic() - self.start < 0.5:
            return
        width = 30
        filled = width * done // max(total, 1)
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} 张表 "
                          f"{label}\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()


def cmd_build(args: argparse.Namespace) -> int:
    formats = [f.strip() for f in args.format.split(",") if f.strip()] if args.format else None
    bar = ProgressBar() if not args.quiet and sys.stderr.isatty() else None
    # The build's own steps (how many tables of a PDF came from the cache) only with -v.
    steps = None if args.verbose else _WarningsOnly()
    if steps:
        log.addFilter(steps)
    try:
        result = run_build(
            _paths(args.paths), Path(args.out), formats, strict=args.strict, quiet=True,
            toc_pages=args.toc_pages, templates=Path(args.templates) if args.templates else None,
            progress=bar.update if bar else None, use_cache=not args.no_cache,
        )
    finally:
        if steps:
            log.removeFilter(steps)
        if bar:
            bar.close()
    for finding in result.report.warnings:
        log.warning("%s", finding.text())
    out = Path(args.out)
    # The files a user opens, as the working folder names them; tablegen's own (the overview's
    # records in .overview/, the cache) are never listed nor counted.
    shown = [display_path(p) for p in result.written if not _internal(p, out)]
    if args.verbose:
        for path in shown:
            print(f"写入 {path}", file=sys.stderr)
    if result.report.errors:
        print("\n".join(f.text() for f in result.report.errors))
        print(f"有错误的书未写入；其余的书已生成 {len(shown)} 个文件"
              f"（{result.report.summary()}）", file=sys.stderr)
        return EXIT_INVALID
    if args.quiet:
        return EXIT_OK
    if not shown:  # nothing a user opens changed
        print(f"没有变化：{args.out} 中的 {result.unchanged} 个文件都已是最新，未改写任何文件",
              file=sys.stderr)
    else:
        index = f"，打开 {display_path(out / 'index.html')} 查看" if (out / "index.html").is_file() else ""
        print(f"已生成 {len(shown)} 个文件到 {display_path(out)}/{index}（{result.report.summary()}）",
              file=sys.stderr)
    return EXIT_OK


class _WarningsOnly(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def _internal(path: Path, out: Path) -> bool:
    """A file of tablegen's own under the output folder (a part starting with a dot)."""
    try:
        rel = path.resolve().relative_to(out.resolve())
    except ValueError:
        return False
    return any(part.startswith(".") for part in rel.parts)


def cmd_import(args: argparse.Namespace) -> int:
    from .imports import import_files
    from .imports.update import update_files

    if args.apply and not args.update:
        raise UsageError("--apply 只能与 --update 一起使用："
                         "tablegen import 源文件 --into 书 --update --apply")
    report = Report()
    files, into = [Path(f) for f in args.files], Path(args.into)
    if args.update:
        update = update_files(files, into, report, apply=args.apply)
        written = update.written
    else:
        written = import_files(files, into, report)
    if report.errors:
        raise InvalidData(report)  # printed once, with the warnings, where every command prints
    text = report.format("text")
    if text:
        print(text, file=sys.stderr)
    if args.update:
        from .commands.diff import as_text

        print(as_text(update.diffs))
        if update.diffs and not args.apply:
            print("以上是源文件带来的改动，未写入任何文件；确认无误后加 --apply 写入（保留文件中的注释）",
                  file=sys.stderr)
    elif not written:
        print("未写入任何文件：书中已有源文件中的全部项目；要用源文件更新这些项目，请加 --update 查看改动",
              file=sys.stderr)
    for path in written:
        log.info("写入 %s", display_path(path))
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from .review import review
    from .review.output import render, summary

    result = review(_paths(args.paths), settings_file=Path(args.settings) if args.settings else None,
                    history=not args.no_history)
    if result.skipped.errors:  # books check refuses are not reviewed: say why, as check does
        print(result.skipped.format("text"), file=sys.stderr)
        print(f"有错误的书未审核（{result.skipped.summary()}）；请先按 tablegen check 的提示修正",
              file=sys.stderr)
    text = render(result, args.format)
    if text:
        print(text)
    if args.format == "text":
        print(summary(result), file=sys.stderr)
    failed = result.failed(args.fail_below)
    if failed:
        limit = args.fail_below or result.settings.fail_below
        print(f"有 {len(failed)} 个项目的审核等级低于“{limit}”：" + "、".join(
            f"{g.heading}（{g.grade}）" for g in failed), file=sys.stderr)
    return EXIT_INVALID if failed or result.skipped.errors else EXIT_OK


def cmd_schema(args: argparse.Namespace) -> int:
    from .model.schema import json_schemas
    from .review.index import repository_index, schema_examples
    from .writer import write_all

    # The indicators the agency has used (and the common ones) are what an editor offers.
    paths = [Path(v) for v in args.paths] or ([DEFAULT_TARGETS] if DEFAULT_TARGETS.is_dir() else [])
    for path in paths:
        if not path.exists():
            raise UsageError(f"路径不存在：{display_path(path)}")
    examples = schema_examples(repository_index(paths))
    files = {name: (json.dumps(s, ensure_ascii=False, indent=2) + "\n").encode()
             for name, s in json_schemas(examples).items()}
    write_all(Path(args.out), files, quiet=args.quiet)
    return EXIT_OK


def cmd_fmt(args: argparse.Namespace) -> int:
    from .commands.fmt import fmt

    result = fmt(_paths(args.paths), check=args.check)
    for path, diff in zip(result.changed, result.diffs, strict=True):
        print(f"{'需要格式化' if args.check else '已格式化'}：{shown_name(str(path))}")
        if args.check:
            print(diff, end="" if diff.endswith("\n") else "\n")
    text = result.report.format("text")
    if text:
        print(text)
    return EXIT_INVALID if result.report.errors or (args.check and result.changed) else EXIT_OK


def cmd_new(args: argparse.Namespace) -> int:
    from .commands.scaffold import Created, new_overall, new_project

    report = Report()
    if args.overall:
        if args.name is not None:
            raise UsageError("--overall 新建单位的部门整体文件，不需要项目名称：tablegen new <书> --overall")
        created = Created(written=new_overall(_book_dir(args.book), args.agency, report))
    else:
        created = new_project(_book_dir(args.book), args.name or "", args.agency, report,
                              prefill=not args.blank)
    if report.findings:
        print(report.format("text"))
    for path in created.written:
        log.info("写入 %s", display_path(path))
    if created.written and created.source is not None:
        source = created.source
        print(f"已按 {source.origin} 预填（{source.year} 年的项目“{source.project.name}”）："
              "请逐项核对指标和指标值，并填写预算数", file=sys.stderr)
    return EXIT_INVALID if report.errors else EXIT_OK


def cmd_new_book(args: argparse.Namespace) -> int:
    from .commands.scaffold import new_book

    if len(args.agency) > 2:
        raise UsageError("--agency 后写单位编码和名称，或只写名称（原表没有单位编码时）")
    code, name = (args.agency if len(args.agency) == 2 else ["", args.agency[0]])
    path = new_book(_book_dir(args.book), args.title, args.year, args.unit, code, name,
                    args.frame, args.merge, args.layout)
    log.info("写入 %s", display_path(path))
    return EXIT_OK


def cmd_layouts(args: argparse.Namespace) -> int:
    from .commands.scaffold import layouts, overall_layouts

    listing = overall_layouts if args.overall else layouts
    for name, title in listing(_book_dir(args.book) if args.book else None).items():
        print(f"{name}\t{title}")
    return EXIT_OK


def _book_dir(value: str) -> Path:
    """A book given by folder, or by its name under targets/."""
    path = Path(value)
    return path if path.exists() or "/" in value else DEFAULT_TARGETS / value


def cmd_diff(args: argparse.Namespace) -> int:
    from .commands.diff import as_markdown, as_text, diff, repository_root

    root = repository_root(Path.cwd())
    diffs, _ = diff(root, args.base, args.head)
    print(as_markdown(diffs) if args.format == "markdown" else as_text(diffs))
    return EXIT_OK


def cmd_rollover(args: argparse.Namespace) -> int:
    from .commands.rollover import rollover

    result = rollover(_book_dir(args.book), args.year, Path(args.out) if args.out else None)
    for path in result.written:
        log.info("写入 %s", display_path(path))
    if result.review:
        print(f"请复核以下 {len(result.review)} 处：")
        for item in result.review:
            print(item.line())
    return EXIT_OK


def cmd_start_selfeval(args: argparse.Namespace) -> int:
    from .commands.start_selfeval import start_selfeval
    from .model.monitoring import period

    result = start_selfeval(_book_dir(args.book))
    for started in result.started:
        print(f"{display_path(started.file)}：由 {period(started.month)}的监控数据开始自评，"
              f"{started.actuals} 个指标的实际完成值和全年执行数待填写")
    for file, why in result.skipped:
        log.info("%s：%s", file, why)
    print(f"已为 {len(result.started)} 个项目开始自评；运行 tablegen check 逐条列出还要填写的实际数",
          file=sys.stderr)
    return EXIT_OK


def cmd_init(args: argparse.Namespace) -> int:
    from .commands.init import init_repo

    folder = Path(args.dir)
    for path in init_repo(folder):
        log.info("写入 %s", display_path(path))
    print(f"已建立表格仓库 {folder}：进入该文件夹后运行 make test、make docs", file=sys.stderr)
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace) -> int:
    from .commands.doctor import doctor

    ok, text = doctor()
    print(text)
    return EXIT_OK if ok else EXIT_INVALID


def cmd_serve(args: argparse.Namespace) -> int:
    from .commands.serve import Preview

    preview = Preview(_paths(args.paths), Path(args.out), host=args.host, port=args.port,
                      templates=Path(args.templates) if args.templates else None,
                      warm=not args.html_only)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        log.warning("注意：预览在 %s 上对网络中的其他电脑可见", args.host)
    try:
        preview.start()
        log.info("预览地址：%s（保存文件后页面自动刷新；按 Ctrl-C 停止）", preview.url)
        if args.open:
            import webbrowser

            webbrowser.open(preview.url)
        preview.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        preview.close()
    log.info("预览已停止")
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "check": cmd_check,
    "build": cmd_build,
    "import": cmd_import,
    "review": cmd_review,
    "schema": cmd_schema,
    "doctor": cmd_doctor,
    "init": cmd_init,
    "fmt": cmd_fmt,
    "new": cmd_new,
    "new-book": cmd_new_book,
    "layouts": cmd_layouts,
    "diff": cmd_diff,
    "serve": cmd_serve,
    "rollover": cmd_rollover,
    "selfeval": cmd_start_selfeval,
}


def parser() -> argparse.ArgumentParser:
    """The command line, every word of its help and errors in Chinese."""
    with chinese():
        p = _parser()
    name_values(p)
    return p


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="tablegen", description="项目支出绩效目标表：校验与生成")
    p.add_argument("--version", action="version", version=f"tablegen {__version__}",
                   help="显示版本号并退出")
    p.add_argument("--debug", action="store_true", help="出错时显示 Python 调用栈")
    sub = p.add_subparsers(dest="command", required=True, metavar="命令")

    c = sub.add_parser("check", help="校验书和项目文件，报告全部问题")
    c.add_argument("paths", nargs="*", help="书文件夹或 YAML 文件（默认 targets/）")
    c.add_argument("--strict", action="store_true", help="把警告当作错误")
    c.add_argument("--format", choices=["text", "json", "github"], default="text",
                   help="输出格式：text 逐行（默认），json 供程序读取，github 在拉取请求的改动行上标注")
    c.add_argument("--explain", action="store_true",
                   help="逐项说明自评得分的算法：指标值、实际完成值、公式和得分（没有错误的书）")

    b = sub.add_parser("build", help="校验后生成 DOCX/HTML/PDF/XLSX")
    b.add_argument("paths", nargs="*", help="书文件夹（默认 targets/ 下的全部书）")
    b.add_argument("--format", help="逗号分隔的格式：docx,html,pdf,xlsx（默认全部）")
    b.add_argument("--out", default="build", help="输出文件夹（默认 build/）")
    b.add_argument("--strict", action="store_true", help="有警告也不生成")
    b.add_argument("--toc-pages", action=argparse.BooleanOptionalAction, default=None,
                   help="用 LibreOffice 排版求得 DOCX 目录的真实页码（默认：装有 LibreOffice 即求）")
    b.add_argument("--no-cache", action="store_true",
                   help="不用也不写构建缓存（<输出文件夹>/.tablegen-cache/），全部重新生成")
    b.add_argument("--templates", help="用户模板文件夹（优先于默认模板）")
    b.add_argument("-q", "--quiet", action="store_true", help="成功时什么也不显示（警告和错误照常显示）")
    b.add_argument("-v", "--verbose", action="store_true",
                   help="逐个列出写入的文件，并说明每本书的 PDF、DOCX、XLSX 各有几张表重新生成、几张取自缓存")

    i = sub.add_parser("import", help="把已有的表格导入为 YAML")
    i.add_argument("files", nargs="+", help="源文件（.txt 转储、.docx、.xlsx）")
    i.add_argument("--into", required=True, help="目标书文件夹，如 targets/2024")
    i.add_argument("--update", action="store_true",
                   help="书中已有的项目按源文件更新：以 tablegen diff 的形式列出改动，不写入")
    i.add_argument("--apply", action="store_true",
                   help="与 --update 一起用：写入这些改动（保留 YAML 注释）")

    rv = sub.add_parser("review", help="绩效目标审核：按完整性、相关性、适当性、可行性、规范性提出审核意见，"
                                       "给每个项目评定优/良/中/差")
    rv.add_argument("paths", nargs="*", help="书文件夹（默认 targets/ 下的全部书）")
    rv.add_argument("--format", choices=["text", "json", "github", "markdown"], default="text",
                    help="输出格式：text 逐行意见和等级表（默认），json 供程序读取，github 在拉取请求的改动"
                         "行上标注，markdown 供 CI 的摘要")
    rv.add_argument("--fail-below", choices=["优", "良", "中", "差"],
                    help="有项目的等级低于此等级时退出码为 1（默认：review.yaml 的 fail_below；都没有时"
                         "从不因等级失败）")
    rv.add_argument("--settings", help="审核设置文件（默认：当前文件夹的 review.yaml，没有则不用）")
    rv.add_argument("--no-history", action="store_true",
                    help="不读取 git 历史（上年的表格只从旁边的书中找）")

    s = sub.add_parser("schema", help="写出 book/project/部门整体文件的 JSON Schema（编辑器据此补全，"
                                      "包括本单位用过的指标）")
    s.add_argument("paths", nargs="*",
                   help="从这些书（及旁边的书、git 历史）收集用过的指标（默认 targets/，没有则只用共性指标）")
    s.add_argument("--out", default="build/schema", help="输出文件夹（默认 build/schema/）")
    s.add_argument("-q", "--quiet", action="store_true", help="不列出写入的文件")

    sub.add_parser("doctor", help="检查字体、PDF 所需的系统库和外部程序（LibreOffice、poppler）")

    it = sub.add_parser("init", help="新建一个单位的表格仓库（示例书、模板文件夹、Makefile、CI）")
    it.add_argument("dir", nargs="?", default=".", help="新仓库的文件夹（默认当前文件夹）")

    n = sub.add_parser("new", help="新建项目文件（按指标框架预填），并加入 book.yaml")
    n.add_argument("book", help="书文件夹，或 targets/ 下的书名")
    n.add_argument("name", nargs="?", help="项目名称")
    n.add_argument("--agency", help="单位编码（没有编码的单位写名称；书中有多个单位时必填）")
    n.add_argument("--overall", action="store_true",
                   help="改为新建单位的部门整体支出绩效文件（每个项目预填为一项年度主要任务）")
    n.add_argument("--blank", action="store_true",
                   help="不按往年最相近的项目预填，只按指标框架写出空白的骨架")

    nb = sub.add_parser("new-book", help="新建一本书（book.yaml）")
    nb.add_argument("book", help="书文件夹，或 targets/ 下的书名")
    nb.add_argument("--title", required=True, help="标题")
    nb.add_argument("--year", type=int, required=True, help="预算年度")
    nb.add_argument("--unit", default="万元", help="金额单位：元 | 千元 | 万元（默认 万元）")
    nb.add_argument("--agency", nargs="+", required=True, metavar="编码 名称",
                    help="第一个单位的编码和名称；原表只印单位名称时只写名称")
    nb.add_argument("--frame", default="classic", help="指标框架（默认 classic）")
    nb.add_argument("--merge", default="level1", help="合并方式（默认 level1）")
    nb.add_argument("--layout", default="tianjin",
                    help="表格的版式（默认 tianjin；tablegen layouts 列出全部版式）")

    ly = sub.add_parser("layouts", help="列出可用的表格版式：名称和说明（tablegen 自带的和仓库 "
                                         "templates/targets/layouts/ 中的）")
    ly.add_argument("book", nargs="?", help="书文件夹（也列出它自己 templates/ 中的版式）")
    ly.add_argument("--overall", action="store_true",
                    help="列出部门整体支出绩效目标表和自评表的版式（book.yaml 的 overall_layout；"
                         "tablegen 自带的和仓库 templates/overall/layouts/ 中的）")

    d = sub.add_parser("diff", help="两个版本之间表格的变化（默认：与主分支的分叉点对比工作区）")
    d.add_argument("base", nargs="?", help="基准版本（默认与 main 的 merge-base）")
    d.add_argument("head", nargs="?", help="比较的版本（默认工作区）")
    d.add_argument("--format", choices=["text", "markdown"], default="text",
                   help="输出格式：text 供终端阅读（默认），markdown 供 CI 的摘要或拉取请求的评论")

    sv = sub.add_parser("serve", help="在浏览器中实时预览：保存即重新生成，页面自动刷新并显示校验问题")
    sv.add_argument("paths", nargs="*", help="书文件夹（默认 targets/ 下的全部书）")
    sv.add_argument("--port", type=_port, default=8000, help="端口（默认 8000；0：任选一个空闲端口）")
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，只有本机能访问）")
    sv.add_argument("--open", action="store_true", help="启动后在默认浏览器中打开")
    sv.add_argument("--out", default="build", help="生成并提供预览的文件夹（默认 build/）")
    sv.add_argument("--templates", help="用户模板文件夹（优先于默认模板）")
    sv.add_argument("--html-only", action="store_true",
                    help="保存后只更新网页；DOCX、PDF、XLSX 在打开链接时才生成（默认保存后全部更新）")

    r = sub.add_parser("rollover", help="由本年度的书生成下一年度的书（新文件夹，不改动原书）")
    r.add_argument("book", help="书文件夹，或 targets/ 下的书名")
    r.add_argument("--year", type=int, required=True, help="新的预算年度，如 2025")
    r.add_argument("--out", help="新书文件夹（默认：把文件夹名中的年份顺延）")

    ss = sub.add_parser("selfeval", help="由最后一轮绩效运行监控开始自评：写入已知的预算数，留空待填的实际数"
                        "（tablegen check 逐条列出）")
    ss.add_argument("book", help="书文件夹，或 targets/ 下的书名")

    f = sub.add_parser("fmt", help="把 YAML 文件改写为统一格式（保留注释）")
    f.add_argument("paths", nargs="*", help="文件或文件夹（默认 targets/）")
    f.add_argument("--check", action="store_true",
                   help="不改写，只列出需要格式化的文件及改动（统一 diff 格式），有则退出码 1")
    return p


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"端口应为 0 至 65535 之间的整数，而不是“{text}”")
    return int(text)


def main(argv: list[str] | None = None) -> int:
    """Entry point: parse, dispatch, map errors to exit codes (0 ok, 1 invalid, 2 usage)."""
    for stream in (sys.stdout, sys.stderr):
        # A name that is not UTF-8 (or a terminal that is not) prints as `\udcb2`, not a crash.
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    logging.basicConfig(format="%(message)s", level=logging.INFO, stream=sys.stderr)
    try:
        with chinese():
            args = parser().parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if exc.code in (0, None) else EXIT_USAGE
    for name in LIBRARY_LOGGERS:  # their steps (`Step 2 - Fetching and parsing CSS`) only to debug
        logging.getLogger(name).setLevel(logging.DEBUG if args.debug else logging.ERROR)
    try:
        with terminated_as_interrupt():
            return COMMANDS[args.command](args)
    except InvalidData as exc:
        print(exc.report.format("text"), file=sys.stdout)
        print(f"有错误，未写入任何文件：{exc.report.summary()}", file=sys.stderr)
        if args.debug:
            raise
        return exc.exit_code
    except TablegenError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        if args.debug:
            raise
        return exc.exit_code
    except KeyboardInterrupt:
        return EXIT_USAGE
    except Exception as exc:  # a defect of tablegen, never of the data: say so, in Chinese
        if args.debug:
            raise
        # The exception's own text (English) shows with --debug, in the traceback.
        print(f"内部错误（{type(exc).__name__}）：这是 tablegen 的缺陷而不是数据的问题；"
              "请加 --debug 重新运行，并把显示的调用栈报告给维护者", file=sys.stderr)
        return EXIT_INVALID


@contextlib.contextmanager
def terminated_as_interrupt() -> Iterator[None]:
    """`kill` (SIGTERM, as CI sends on cancel) stops a command like Ctrl-C, so that its
    `finally` blocks remove temporary files, in the main process and in forked workers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


if __name__ == "__main__":
    sys.exit(main())
