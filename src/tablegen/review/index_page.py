"""The indicator index as a web page (`tablegen serve`'s 指标库): every 二级 with the indicators
the agency used and the common ones, and a filter box; nothing loaded from elsewhere."""

from __future__ import annotations

import html

from .index import Index

STYLE = """body{font:15px/1.5 sans-serif;margin:1rem auto;max-width:72rem;padding:0 1rem;color:#111}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin:1.4rem 0 .3rem}table{border-collapse:collapse;width:100%}
th,td{border:1px solid #bbb;padding:.2rem .4rem;text-align:left;vertical-align:top}
th{background:#f2f2f2;white-space:nowrap}.common{color:#555}.values{white-space:nowrap}
input{font-size:1rem;padding:.3rem;width:20rem}"""
FILTER = """<script>(function () {
  var box = document.getElementById("filter");
  box.oninput = function () {
    var q = box.value.trim();
    document.querySelectorAll("tbody tr").forEach(function (tr) {
      tr.hidden = q !== "" && tr.textContent.indexOf(q) < 0;
    });
  };
})();</script>"""


def index_page(index: Index, title: str = "指标库") -> str:
    """The whole page."""
    parts = [f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>'
             f"<style>{STYLE}</style></head><body><h1>{title}</h1>",
             "<p>本单位用过的每个三级指标（本年、往年的书和 git 历史），按一级、二级指标排列，常用的在前；"
             "灰色的是随 tablegen 提供的共性指标，附有公开来源给出的指标解释。"
             "编辑器中的补全（tablegen schema）和 tablegen new 的预填用的是同一份数据。</p>",
             '<p><label>筛选：<input id="filter" placeholder="输入指标名称或值中的字"></label></p>']
    shown: set[str] = set()
    for l1, l2 in index.level2s:
        entries = index.for_level2(l2)
        if not entries or l2 in shown:
            continue
        shown.add(l2)
        parts.append(f"<h2>{html.escape(l1)} / {html.escape(l2)}</h2><table><thead><tr>"
                     "<th>三级指标</th><th>常用指标值</th><th>符号</th><th>单位</th><th>用过的项目</th>"
                     "<th>指标解释</th></tr></thead><tbody>")
        for e in entries:
            used = "、".join(html.escape(n if str(y) in n else f"{y}年 {n}")
                            for y, n in sorted(e.projects)[-3:])
            more = f" 等 {len(e.projects)} 个" if len(e.projects) > 3 else ""
            note = e.explanation or (f"共性指标（{e.kind}）" if e.kind else "")
            row_class = "" if e.own else ' class="common"'
            parts.append(
                f'<tr{row_class}><td>{html.escape(e.name)}</td>'
                f'<td class="values">{"<br>".join(html.escape(v) for v in e.top_values())}</td>'
                f"<td>{html.escape(e.sign)}</td><td>{html.escape(e.unit)}</td>"
                f"<td>{used}{more}</td><td>{html.escape(note)}</td></tr>")
        parts.append("</tbody></table>")
    parts.append(FILTER + "</body></html>")
    return "".join(parts)
