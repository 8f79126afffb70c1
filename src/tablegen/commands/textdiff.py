"""A unified diff of two texts in time about linear in their size (`fmt --check`).

difflib's matcher is quadratic when most lines move, which is what formatting a hand-written
file does. Lines that occur once in each text and keep their order anchor the comparison
(patience diff); only the short stretches between anchors go through difflib, and a stretch too
long for it is shown as removed and added.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections import Counter

CONTEXT = 3
MAX_GAP = 200 * 200  # lines² between two anchors that difflib may compare


def _anchors(a: list[str], b: list[str]) -> list[tuple[int, int]]:
    """Index pairs of lines unique in both texts, the longest run that keeps their order."""
    count_a, count_b = Counter(a), Counter(b)
    where_b = {line: j for j, line in enumerate(b) if count_b[line] == 1}
    pairs = [(i, where_b[line]) for i, line in enumerate(a)
             if count_a[line] == 1 and line in where_b]
    # Longest increasing subsequence of the b indexes (patience sorting), O(n log n).
    tails: list[int] = []
    tail_at: list[int] = []
    back = [-1] * len(pairs)
    for k, (_, j) in enumerate(pairs):
        pos = bisect_left(tails, j)
        if pos == len(tails):
            tails.append(j)
            tail_at.append(k)
        else:
            tails[pos] = j
            tail_at[pos] = k
        back[k] = tail_at[pos - 1] if pos else -1
    out = []
    k = tail_at[-1] if tail_at else -1
    while k >= 0:
        out.append(pairs[k])
        k = back[k]
    return out[::-1]


def _opcodes(a: list[str], b: list[str]) -> list[tuple[str, int, int, int, int]]:
    ops: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for ai, bj in [*_anchors(a, b), (len(a), len(b))]:
        if (ai - i) * (bj - j) <= MAX_GAP:
            matcher = difflib.SequenceMatcher(None, a[i:ai], b[j:bj], autojunk=False)
            ops += [(tag, i + i1, i + i2, j + j1, j + j2)
                    for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
        else:
            ops.append(("replace", i, ai, j, bj))
        if ai < len(a):
            ops.append(("equal", ai, ai + 1, bj, bj + 1))
        i, j = ai + 1, bj + 1
    merged: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if op[1] == op[2] and op[3] == op[4]:
            continue
        if merged and op[0] == "equal" == merged[-1][0]:
            merged[-1] = ("equal", merged[-1][1], op[2], merged[-1][3], op[4])
        else:
            merged.append(op)
    return merged


def unified(old: str, new: str, old_name: str, new_name: str) -> str:
    """The changes from old to new as a unified diff with three lines of context."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    ops = _opcodes(a, b)
    if all(op[0] == "equal" for op in ops):
        return ""
    out = [f"--- {old_name}\n", f"+++ {new_name}\n"]
    for group in _groups(ops):
        i1, i2, j1, j2 = group[0][1], group[-1][2], group[0][3], group[-1][4]
        out.append(f"@@ -{_range(i1, i2)} +{_range(j1, j2)} @@\n")
        for tag, a1, a2, b1, b2 in group:
            if tag == "equal":
                out += [" " + line for line in a[a1:a2]]
                continue
            out += ["-" + line for line in a[a1:a2]]
            out += ["+" + line for line in b[b1:b2]]
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def _groups(ops: list[tuple[str, int, int, int, int]]) -> list[list[tuple[str, int, int, int, int]]]:
    """Changes with up to three lines of context around them, as difflib groups them."""
    n = CONTEXT
    if ops[0][0] == "equal":
        tag, i1, i2, j1, j2 = ops[0]
        ops[0] = (tag, max(i1, i2 - n), i2, max(j1, j2 - n), j2)
    if ops[-1][0] == "equal":
        tag, i1, i2, j1, j2 = ops[-1]
        ops[-1] = (tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n))
    groups: list[list[tuple[str, int, int, int, int]]] = []
    group: list[tuple[str, int, int, int, int]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal" and i2 - i1 > 2 * n:
            group.append((tag, i1, min(i2, i1 + n), j1, min(j2, j1 + n)))
            groups.append(group)
            group = []
            i1, j1 = max(i1, i2 - n), max(j1, j2 - n)
        group.append((tag, i1, i2, j1, j2))
    if group and not (len(group) == 1 and group[0][0] == "equal"):
        groups.append(group)
    return groups


def _range(start: int, stop: int) -> str:
    length = stop - start
    if length == 1:
        return str(start + 1)
    return f"{start + 1 if length else start},{length}"
