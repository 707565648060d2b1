"""Assignment benchmark (issue 16): the optimal plan (evaluations/services/assignment_solver.py)
against the greedy plan it replaced, on generated calls — no database.

For each size (300 proposals × 500 experts, and × 20,000 experts: a national candidate
pool), panels of 5: experts and proposals with generated Korean fields and keywords, home
regions and participating regions (an expert never judges a proposal of their home region)
and a few other exclusions; the affinity computed by `affinity_from_texts` (timed on its
own); then the greedy plan, the default mode and the fairness mode, each timed. Compared:
total affinity, the weakest proposal's affinity (the sum over its panel), the load spread
(the most and fewest evaluations of an expert who may take any) and seconds.

Targets: default total ≥ greedy's; fairness weakest ≥ greedy's; each mode ≤ 10 s at
20,000 × 300 × 5 (2 cores). `compare()` is also run small by tests/evaluations/
test_assignment_bench.py to check the targets' logic (untimed).

    DEBUG=true .venv/bin/python bench/assignment.py     (or `make bench-assign`; `make bench` runs it too)
Prints a table and writes bench/results/assignment.json.
"""

import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SIZES = ((300, 500), (300, 20_000))  # (proposals, experts)
PANEL = 5
TARGET_SECONDS = 10.0

INDUSTRIES = {  # a strategic industry and the words of its field
    "이차전지": ["이차전지", "양극재", "음극재", "전고체", "폐배터리", "재활용", "전해질", "셀 공정"],
    "인공지능": ["인공지능", "딥러닝", "뉴로모픽", "반도체", "컴퓨터 비전", "자연어", "데이터 플랫폼", "엣지 컴퓨팅"],
    "수소": ["수소", "연료전지", "수전해", "수소 저장", "충전소", "그린수소", "배관", "안전 기준"],
    "바이오": ["바이오", "의약품", "임상", "세포치료", "백신", "유전체", "진단기기", "바이오 소재"],
    "모빌리티": ["자율주행", "전기차", "도심항공", "모빌리티", "센서 융합", "차량 통신", "경량 소재", "충전 인프라"],
    "우주항공": ["우주", "위성", "발사체", "항공 부품", "탑재체", "궤도", "지상국", "복합재"],
    "반도체": ["반도체", "전력반도체", "패키징", "웨이퍼", "공정 장비", "설계 자산", "화합물", "테스트"],
    "에너지": ["태양광", "풍력", "해상풍력", "에너지 저장", "스마트 그리드", "원전 해체", "송배전", "탄소 포집"],
    "디지털헬스": ["디지털헬스", "원격 의료", "의료 데이터", "웨어러블", "헬스케어", "의료 영상", "재활", "돌봄 로봇"],
    "스마트제조": ["스마트공장", "디지털 트윈", "로봇", "공정 자동화", "금형", "뿌리 산업", "품질 예측", "산업 데이터"],
    "해양수산": ["해양", "수산", "양식", "선박", "항만", "해양 바이오", "친환경 선박", "수산 가공"],
    "문화콘텐츠": ["콘텐츠", "게임", "실감 미디어", "메타버스", "영상", "웹툰", "공연 기술", "관광"],
}
GENERIC = ["실증", "고도화", "기반 구축", "사업화", "인력 양성", "지역 혁신", "기술 개발", "플랫폼", "생태계", "거점"]
REGIONS = 17


def _setup_django() -> None:
    """The solver and the affinity live in the evaluations package (imported through Django's app
    registry); nothing here touches the database."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "megaproject.settings")
    import django

    django.setup()


def generate(n_proposals: int, n_experts: int, seed: int = 16):
    """(expert texts, proposal texts, allowed mask, industry match mask) of a generated call."""
    from evaluations.services.affinity import ExpertText, ProposalText

    rng = np.random.default_rng(seed)
    names = list(INDUSTRIES)
    triples = [(i, name, name) for i, name in enumerate(names)]
    experts, expert_fields, homes = [], [], rng.integers(0, REGIONS, n_experts)
    for _e in range(n_experts):
        fields = sorted(set(rng.choice(len(names), size=rng.integers(1, 3), replace=True).tolist()))
        words = [w for f in fields for w in INDUSTRIES[names[f]]]
        keywords = tuple(rng.choice(words, size=min(len(words), int(rng.integers(2, 6))), replace=False).tolist())
        experts.append(ExpertText(keywords=keywords, industries=tuple(triples[f] for f in fields)))
        expert_fields.append(fields)
    proposals, proposal_field, proposal_regions = [], [], []
    for _p in range(n_proposals):
        f = int(rng.integers(len(names)))
        words = INDUSTRIES[names[f]]
        title = " ".join([*rng.choice(words, size=2, replace=False).tolist(), rng.choice(GENERIC)])
        summary = " ".join(rng.choice(words + GENERIC, size=8).tolist())
        goals = " ".join(rng.choice(words, size=3).tolist())
        suggested = (triples[int(rng.integers(len(names)))],) if rng.random() < 0.2 else ()
        proposals.append(ProposalText(title=title, summary=summary, goals=goals, industry=triples[f],
                                      suggested_industries=suggested))
        proposal_field.append(f)
        proposal_regions.append(set(rng.choice(REGIONS, size=int(rng.integers(1, 4)), replace=False).tolist()))
    region_of = np.zeros((REGIONS, n_proposals), dtype=bool)
    for p, regions in enumerate(proposal_regions):
        region_of[list(regions), p] = True
    allowed = ~region_of[homes]  # home region takes part → conflict
    allowed &= rng.random((n_experts, n_proposals)) > 0.01  # institutions, coaching, applicants' lists
    has = np.zeros((n_experts, len(names)), dtype=bool)
    for e, fields in enumerate(expert_fields):
        has[e, fields] = True
    matches = has[:, proposal_field]
    return experts, proposals, allowed, matches


def greedy(allowed: np.ndarray, matches: np.ndarray, need: int) -> list[list[int]]:
    """The plan before issue 16 (evaluations/services/panels.py until 2026-12), kept here only as
    the comparison baseline: proposals in order; for each, the least-loaded allowed experts,
    those whose field matches the industry first, then the lower index."""
    n_e, n_p = allowed.shape
    load = np.zeros(n_e, dtype=int)
    index = np.arange(n_e)
    panels = []
    for p in range(n_p):
        rows = np.flatnonzero(allowed[:, p])
        order = np.lexsort((index[rows], ~matches[rows, p], load[rows]))  # load, then match, then index
        chosen = rows[order[:need]].tolist()
        load[chosen] += 1
        panels.append(chosen)
    return panels


def measure(panels: list[list[int]], affinity: np.ndarray, allowed: np.ndarray, seconds: float) -> dict:
    per = [float(affinity[panel, p].sum()) for p, panel in enumerate(panels)]
    load = np.bincount([e for panel in panels for e in panel], minlength=affinity.shape[0])
    may = allowed.any(axis=1)
    return {"total": round(sum(per), 3), "weakest": round(min(per), 3), "max_load": int(load[may].max()),
            "min_load": int(load[may].min()), "seconds": round(seconds, 3),
            "complete": all(len(panel) == PANEL for panel in panels)}


def compare(n_proposals: int, n_experts: int, *, seed: int = 16) -> dict:
    """One generated call: the affinity's time, then greedy / default / fairness."""
    import sklearn.feature_extraction.text  # noqa: F401  (imported before the clock starts)

    from evaluations.services.affinity import affinity_from_texts
    from evaluations.services.assignment_solver import solve

    experts, proposals, allowed, matches = generate(n_proposals, n_experts, seed)
    started = time.perf_counter()
    cpu = time.process_time()
    aff = affinity_from_texts(list(range(n_experts)), experts, list(range(n_proposals)), proposals)
    out = {"proposals": n_proposals, "experts": n_experts, "panel": PANEL,
           "affinity_seconds": round(time.perf_counter() - started, 3),
           "affinity_cpu_seconds": round(time.process_time() - cpu, 3)}
    matrix = aff.matrix
    need = np.full(n_proposals, PANEL)
    eligible = int(allowed.any(axis=1).sum())
    load = -(-n_proposals * PANEL // eligible)
    out["load"] = load
    started, cpu = time.perf_counter(), time.process_time()
    out["greedy"] = measure(greedy(allowed, matches, PANEL), matrix, allowed, time.perf_counter() - started)
    out["greedy"]["cpu_seconds"] = round(time.process_time() - cpu, 3)
    for mode in ("total", "fair"):
        started, cpu = time.perf_counter(), time.process_time()
        solution = solve(matrix, allowed, need, np.full(n_experts, load), mode=mode)
        if not solution.feasible:
            out[mode] = {"error": "infeasible at the balanced load"}
            continue
        out[mode] = measure(solution.panels, matrix, allowed, time.perf_counter() - started)
        out[mode]["cpu_seconds"] = round(time.process_time() - cpu, 3)
    out["checks"] = checks(out)
    return out


def checks(result: dict) -> dict:
    g, d, f = result["greedy"], result["total"], result["fair"]
    ok = "error" not in d and "error" not in f
    return {
        "default_total_ge_greedy": ok and d["total"] >= g["total"],
        "fair_weakest_ge_greedy": ok and f["weakest"] >= g["weakest"],
        "fair_weakest_ge_default": ok and f["weakest"] >= d["weakest"],
        "complete_panels": ok and d["complete"] and f["complete"],
        # The process's own CPU seconds (threads included): what other work on a shared machine does
        # barely changes them, unlike the wall clock (both are printed).
        "within_time": ok and d["cpu_seconds"] <= TARGET_SECONDS and f["cpu_seconds"] <= TARGET_SECONDS,
    }


def table(results: list[dict]) -> str:
    lines = [f"Expert assignment (bench/assignment.py): generated calls, panels of {PANEL}; targets: default total ≥ "
             f"greedy, fairness weakest ≥ greedy, each mode ≤ {TARGET_SECONDS:g} CPU s (wall seconds shown too)", ""]
    head = f"{'call':24} {'plan':9} {'total':>9} {'weakest':>8} {'loads':>7} {'seconds':>8} {'cpu s':>7}"
    lines += [head, "-" * len(head)]
    for r in results:
        name = f"{r['proposals']} × {r['experts']:,}"
        lines.append(f"{name:24} {'affinity':9} {'':>9} {'':>8} {'':>7} {r['affinity_seconds']:8.2f} "
                     f"{r['affinity_cpu_seconds']:7.2f}")
        for key, label in (("greedy", "greedy"), ("total", "default"), ("fair", "fairness")):
            m = r[key]
            if "error" in m:
                lines.append(f"{'':24} {label:9} {m['error']}")
                continue
            lines.append(f"{'':24} {label:9} {m['total']:9.2f} {m['weakest']:8.3f} "
                         f"{m['min_load']:>3}–{m['max_load']:<3} {m['seconds']:8.2f} {m['cpu_seconds']:7.2f}")
        failed = [k for k, ok in r["checks"].items() if not ok]
        lines.append(f"{'':24} {'verdict':9} {'PASS' if not failed else 'MISS ' + ', '.join(failed)}")
    return "\n".join(lines)


def main() -> None:
    _setup_django()
    sizes = SIZES
    if os.environ.get("BENCH_ASSIGN_SIZES"):  # e.g. "40x200,300x500"
        sizes = [tuple(int(n) for n in s.split("x")) for s in os.environ["BENCH_ASSIGN_SIZES"].split(",")]
    results = [compare(p, e) for p, e in sizes]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "assignment.json").write_text(json.dumps({"sizes": results}, indent=2, ensure_ascii=False))
    print(table(results))


if __name__ == "__main__":
    main()
