"""`tablegen doctor`: what the machine has for the PDF (fonts, libraries, the subsetter) and the
outside programs tablegen can use, with what to install."""

from __future__ import annotations

import io

from ..load.glyphs import fallback_font
from ..render import pdf_fonts
from ..render.fonts import INSTALL_HINT, libraries, programs, resolve, subsetter
from ..templates import DEFAULT_TEMPLATES


def doctor() -> tuple[bool, str]:
    """A report for `tablegen doctor`: fonts per role, libraries, what to install."""
    lines = ["字体："]
    ok = True
    todo = []
    for r in resolve():
        lines.append(f"  {r.role}: {r.family} → {r.file}（{r.source}）")
        if r.source == "pip 字体" and fallback_font() is None:
            ok = False
            todo.append(INSTALL_HINT["cjk-font"])
    fb = fallback_font()
    lines.append(f"  兜底字体（pip）: {fb if fb else '未安装 noto-cjk-sans-otc'}")
    lines.append("系统库：")
    for name, present in libraries().items():
        lines.append(f"  {name}: {'有' if present else '缺少'}")
        if not present:
            todo.append(INSTALL_HINT[name])
            ok = False
    sub = subsetter()
    lines.append(f"字体子集化：{sub or '缺少 uharfbuzz'}（pip 安装；不需要系统的 libharfbuzz-subset0）")
    if sub is None:
        ok = False
        todo.append(INSTALL_HINT["uharfbuzz"])
    else:
        lines.append("PDF 实际使用的字体（试排一页正文、标题和页码）：")
        lines.extend(f"  {name} → {where}" for name, where in loaded())
    lines.append("外部程序（可选）：")
    optional = []
    for name, program, purpose, hint in programs():
        lines.append(f"  {name}: {program or '缺少'}（{purpose}）")
        if program is None:
            optional.append(hint)
    lines.append(f"默认模板：{DEFAULT_TEMPLATES}")
    if todo:
        lines.append("需要安装：")
        lines.extend(f"  {t}" for t in todo)
    else:
        lines.append("一切就绪。")
    if optional:
        lines.append("可选安装：")
        lines.extend(f"  {t}" for t in optional)
    return ok, "\n".join(lines)


def loaded() -> list[tuple[str, str]]:
    """Which font files WeasyPrint really uses for text, headings and footers: a one-page trial."""
    import pikepdf

    from ..render.pdf import FOOTER_CSS
    from ..render.pdf_jobs import Job
    from ..render.pdf_layout import layout
    from ..render.pdf_pages import STUB, Pages

    folder = DEFAULT_TEMPLATES / "html"
    html = ('<html><head><link rel="stylesheet" href="style.css"></head><body class="pdf-body">'
            "<h2>标题一二三</h2><table><tr><th>表头</th><td>正文 123 ≥98%</td></tr></table></body></html>")
    job = Job(html, folder.as_uri() + "/", (str(folder),), FOOTER_CSS, tuple(pdf_fonts.known_fonts()))
    run = Pages.load(layout(job).runs[0])
    pdf = pikepdf.Pdf.open(io.BytesIO(run.pdf))
    page = pdf.pages[0]
    out = []
    for font in page.Resources.Font.values():
        if STUB not in font:
            name = str(font.get("/BaseFont", "")).split("+")[-1]
            out.append((name, "（不在已知字体文件中：由 WeasyPrint 自行嵌入）"))
            continue
        base, program = str(font[STUB]).split("|", 1)
        file_ident, index = program.rsplit(":", 1)
        out.append((base.split("+")[-1], f"{pdf_fonts.known_fonts()[file_ident]}（第 {index} 个字体）"))
    return sorted(out)
