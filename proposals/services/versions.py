"""Frozen copies of a proposal and the comparison of two of them."""

import difflib

from django.utils.html import escape
from django.utils.safestring import mark_safe

from ..models import Proposal
from ..selectors import prefetched

TEXT_FIELDS = ["title_ko", "title_en", "summary", "problem", "vision", "goals"]


def snapshot(proposal: Proposal) -> dict:
    """Everything a reviewer needs to read the plan later, as plain JSON."""
    return {
        "revision": proposal.revision,
        "cooperation_type": proposal.cooperation_type,
        "industry": proposal.industry.name_ko if proposal.industry_id else "",
        "industry_en": proposal.industry.name_en if proposal.industry_id else "",
        **{name: getattr(proposal, name) for name in TEXT_FIELDS},
        "regions": [
            {"code": p.region.code, "name": p.region.name_ko, "name_en": p.region.name_en, "lead": p.is_lead}
            for p in prefetched(proposal, "participations", "region")
        ],
        "kpis": [
            {"name": k.name, "unit": k.unit, "baseline": str(k.baseline), "targets": k.targets,
             "counts_outcome": k.counts_outcome}
            for k in proposal.kpis.all()
        ],
        "stages": [
            {"order": s.order, "kind": s.kind, "years": s.years, "goals": s.goals, "deliverables": s.deliverables}
            for s in proposal.stages.all()
        ],
        "budget": [
            {"region": b.region.code, "region_name": b.region.name_ko, "year": b.year,
             "national": b.national_won, "local": b.local_won, "other": b.other_won}
            for b in prefetched(proposal, "budget_lines", "region")
        ],
        "links": [{"name": link.name, "ministry": link.ministry, "connection": link.connection}
                  for link in proposal.linked_projects.all()],
        "organisations": [
            {"region": o.region.code, "region_name": o.region.name_ko, "name": o.name, "kind": o.kind, "role": o.role}
            for o in prefetched(proposal, "organisations", "region")
        ],
        "attachments": [{"name": a.original_name, "size": a.size} for a in proposal.attachments.all()],
    }


def _mark(words: list[str], ops, side: str) -> str:
    out = []
    for tag, i1, i2, j1, j2 in ops:
        chunk = words[i1:i2] if side == "a" else words[j1:j2]
        text = escape("".join(chunk))
        if not text:
            continue
        if tag == "equal":
            out.append(text)
        elif side == "a":
            out.append(f"<del>{text}</del>")
        else:
            out.append(f"<ins>{text}</ins>")
    return "".join(out)


def text_diff(a: str, b: str) -> tuple[str, str, bool]:
    """Word-level side-by-side diff, HTML-escaped; returns (left, right, changed)."""
    import re

    wa, wb = re.findall(r"\S+|\s+", a or ""), re.findall(r"\S+|\s+", b or "")
    ops = difflib.SequenceMatcher(a=wa, b=wb, autojunk=False).get_opcodes()
    return mark_safe(_mark(wa, ops, "a")), mark_safe(_mark(wb, ops, "b")), (a or "") != (b or "")  # noqa: S308


def compare(a: dict, b: dict) -> dict:
    """Side-by-side comparison of two snapshots: text, roadmap and budget."""
    texts = []
    for name in TEXT_FIELDS:
        left, right, changed = text_diff(a.get(name, ""), b.get(name, ""))
        texts.append({"name": name, "left": left, "right": right, "changed": changed})

    def stage_rows(snap):
        return {s["order"]: s for s in snap.get("stages", [])}

    sa, sb = stage_rows(a), stage_rows(b)
    stages = [
        {"order": n, "left": sa.get(n), "right": sb.get(n), "changed": sa.get(n) != sb.get(n)}
        for n in sorted(set(sa) | set(sb))
    ]

    def budget_rows(snap):
        return {(line["year"], line["region"]): line for line in snap.get("budget", [])}

    ba, bb = budget_rows(a), budget_rows(b)
    budget = []
    for key in sorted(set(ba) | set(bb)):
        left, right = ba.get(key), bb.get(key)
        cells = {}
        for f in ("national", "local", "other"):
            cells[f] = {
                "left": left[f] if left else None, "right": right[f] if right else None,
                "changed": (left or {}).get(f) != (right or {}).get(f),
            }
        budget.append({"year": key[0], "region": (right or left)["region_name"], "cells": cells,
                       "changed": any(c["changed"] for c in cells.values())})
    return {"texts": texts, "stages": stages, "budget": budget}
