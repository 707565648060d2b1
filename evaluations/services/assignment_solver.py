"""The optimal expert assignment, as a pure function of arrays (no Django: the plan in
services.panels and the benchmark in bench/assignment.py both call it).

Input: an affinity matrix A (experts × proposals, ≥ 0), a mask of the pairs allowed (no
conflict, exclusion, unsuitability or coaching bar), how many experts each proposal still
needs and how many more assignments each expert may take.

Default mode ("total"): maximise the total affinity of the assigned pairs, as a min-cost
flow (OR-Tools SimpleMinCostFlow): source → expert (one unit arc per seat of the expert's
load, each seat costing a little more than the last, so equal affinities spread the load)
→ proposal (capacity 1 per allowed pair, cost −affinity; among equal affinities the
lower expert index) → sink (capacity: the seats the
proposal needs). Every proposal gets exactly its seats or nothing is assigned.

Fairness mode ("fair", after OpenReview's FairFlow): first maximise the weakest proposal's
affinity (the sum over its panel, existing members included) with CP-SAT on the candidate
pairs, started from the flow's solution; then, with that minimum held, raise the total by
min-cost flows in which a proposal the flow would leave below the minimum keeps its CP-SAT
panel (`_hold_minimum`). The flow's solution is kept whenever this does not lift the
weakest proposal, so the fairness mode's minimum is never below the default's (and its plan
is the default's when it cannot do better).

Scale: only the `top_k` best allowed experts of each proposal are candidates (the whole
row again if that leaves a proposal or the loads short). Deterministic: the same arrays
give the same assignment (integer costs, fixed arc order, one CP-SAT worker, a
deterministic time limit).
"""

from dataclasses import dataclass, field

import numpy as np

# Integer costs, in order of weight: affinity (1e-4 of affinity = one SEAT_COST), then spreading
# the load (a further seat of one expert), then the lower expert index among equals (< RANKS).
SCALE = 10_000_000
SEAT_COST = 1_000
RANKS = 1_000
FAIR_EXTRA = 5  # the fairness model's candidates per proposal: the panel size and this many more (and the flow's)
CP_SCALE = 1_000  # affinity → CP-SAT coefficient
MODES = ("total", "fair")


@dataclass
class Shortage:
    proposal: int  # column index
    available: int  # allowed experts with room left
    needed: int
    at_load_limit: bool  # enough allowed experts, but the loads do not leave them room


@dataclass
class Solution:
    panels: list[list[int]]  # per proposal, the chosen expert (row) indices, best affinity first
    total: float = 0.0
    weakest: float = 0.0  # the lowest proposal affinity (base + chosen), over the proposals that needed seats
    shortages: list[Shortage] = field(default_factory=list)

    @property
    def feasible(self) -> bool:
        return not self.shortages


def candidates(affinity: np.ndarray, allowed: np.ndarray, need: np.ndarray, capacity: np.ndarray,
               top_k: int | None) -> list[np.ndarray]:
    """Per proposal, the allowed experts with room, best affinity first (ties: lower index),
    cut to `top_k` (None: all)."""
    n_e, n_p = affinity.shape
    open_ = allowed & (capacity > 0)[:, None]
    scores = np.where(open_, affinity, -np.inf)
    if top_k is not None and top_k < n_e:  # one partial sort of the whole matrix, then each column's few
        picked = np.argpartition(-scores, top_k - 1, axis=0)[:top_k]
    else:
        picked = np.broadcast_to(np.arange(n_e)[:, None], (n_e, n_p))
    out = []
    for p in range(n_p):
        if need[p] <= 0:
            out.append(np.zeros(0, dtype=int))
            continue
        rows = picked[:, p]
        rows = rows[open_[rows, p]]
        order = np.lexsort((rows, -affinity[rows, p]))  # affinity descending, then index
        out.append(rows[order].astype(int))
    return out


def _flow(affinity, cands, need, capacity):
    """Min-cost flow over the candidate arcs: ({proposal: [experts]}, feasible)."""
    from ortools.graph.python import min_cost_flow

    n_e, n_p = affinity.shape
    all_rows = np.concatenate([c for c in cands if len(c)] or [np.zeros(0, dtype=int)]).astype(int)
    used, arcs_of = np.unique(all_rows, return_counts=True)
    node = {int(e): 2 + i for i, e in enumerate(used)}  # 0 source, 1 sink, then experts, then proposals
    first_p = 2 + len(used)
    tails, heads, caps, costs = [], [], [], []
    for e, n_arcs in zip(used, arcs_of, strict=True):
        for seat in range(int(min(capacity[e], n_arcs))):  # never more seats than the expert has proposals
            tails.append(0)
            heads.append(node[int(e)])
            caps.append(1)
            costs.append(seat * SEAT_COST)  # each further seat of one expert costs a little: spreads equal choices
    pair_start = len(tails)
    pairs = []
    for p, rows in enumerate(cands):
        for e in rows:
            tails.append(node[int(e)])
            heads.append(first_p + p)
            caps.append(1)
            costs.append(-int(round(float(affinity[e, p]) * SCALE)) + (int(e) * RANKS) // n_e)  # ties: lower index
            pairs.append((int(e), p))
    for p in range(n_p):
        if need[p] > 0:
            tails.append(first_p + p)
            heads.append(1)
            caps.append(int(need[p]))
            costs.append(0)
    flow = min_cost_flow.SimpleMinCostFlow()
    flow.add_arcs_with_capacity_and_unit_cost(np.array(tails, dtype=np.int32), np.array(heads, dtype=np.int32),
                                              np.array(caps, dtype=np.int64), np.array(costs, dtype=np.int64))
    seats = int(need[need > 0].sum())
    flow.set_node_supply(0, seats)
    flow.set_node_supply(1, -seats)
    for n in range(2, first_p + n_p):
        flow.set_node_supply(n, 0)
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        return {}, False
    flows = flow.flows(np.arange(pair_start, pair_start + len(pairs), dtype=np.int32))
    chosen: dict[int, list[int]] = {}
    for (e, p), f in zip(pairs, flows, strict=True):
        if f:
            chosen.setdefault(p, []).append(e)
    return chosen, flow.maximum_flow() == seats


def _shortages(allowed, need, capacity, chosen) -> list[Shortage]:
    room = capacity > 0
    out = []
    for p in range(allowed.shape[1]):
        if need[p] > 0 and len(chosen.get(p, [])) < need[p]:
            available = int((allowed[:, p] & room).sum())
            out.append(Shortage(proposal=p, available=available, needed=int(need[p]),
                                at_load_limit=available >= need[p]))
    return out


def _fair(affinity, cands, need, capacity, base, start, *, seconds: float):
    """The panels that maximise the weakest proposal's affinity (CP-SAT over the candidate pairs,
    hinted with `start`; `start` itself when CP-SAT finds nothing)."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    x = {(int(e), p): model.new_bool_var(f"x{e}_{p}") for p, rows in enumerate(cands) for e in rows}
    by_expert: dict[int, list] = {}
    top = int(max((float(affinity[:, p].max(initial=0)) * need[p] + base[p] for p in range(len(need))),
                  default=0) * CP_SCALE) + 1
    weakest = model.new_int_var(0, top, "weakest")
    open_ = [p for p in range(len(need)) if need[p] > 0]
    for p in open_:
        rows = [int(e) for e in cands[p]]
        model.add(sum(x[e, p] for e in rows) == int(need[p]))
        model.add(weakest <= sum(int(round(float(affinity[e, p]) * CP_SCALE)) * x[e, p] for e in rows)
                  + int(round(float(base[p]) * CP_SCALE)))
        for e in rows:
            by_expert.setdefault(e, []).append(x[e, p])
    for e, vars_ in by_expert.items():
        if len(vars_) > capacity[e]:
            model.add(sum(vars_) <= int(capacity[e]))
    chosen = {(e, p) for p, es in start.items() for e in es}
    for key, var in x.items():
        model.add_hint(var, key in chosen)
    model.maximize(weakest)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1  # one worker and a deterministic limit: the same answer every time
    solver.parameters.random_seed = 0
    solver.parameters.max_deterministic_time = seconds
    if solver.solve(model) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return start
    return {p: [e for e in map(int, cands[p]) if solver.value(x[e, p])] for p in open_}


def _hold_minimum(affinity, cands, need, capacity, base, first: dict) -> dict:
    """The fairness mode's second step: the highest total that keeps `first`'s weakest proposal.
    A min-cost flow over every proposal; a proposal it leaves below that minimum keeps its panel
    from `first` (those experts' seats taken), and the flow runs again for the rest — until none
    falls below (at worst `first` itself). Not always the exact optimum of this step, but fast and
    never below the minimum."""
    floor = _measure(affinity, need, base, first)[1] - 1e-9
    fixed: set[int] = set()
    while True:
        cap = capacity.copy()
        for p in fixed:
            cap[first[p]] -= 1
        rest = need.copy()
        rest[list(fixed)] = 0
        chosen, feasible = _flow(affinity, cands, rest, cap)
        if not feasible:
            return first
        low = {p for p in range(len(need)) if rest[p] > 0
               and float(base[p]) + sum(float(affinity[e, p]) for e in chosen.get(p, [])) < floor}
        if not low:
            return {**chosen, **{p: first[p] for p in fixed}}
        fixed |= low


def _measure(affinity, need, base, chosen) -> tuple[float, float]:
    total = sum(float(affinity[e, p]) for p, es in chosen.items() for e in es)
    per = [float(base[p]) + sum(float(affinity[e, p]) for e in chosen.get(p, [])) for p in range(len(need))
           if need[p] > 0]
    return total, (min(per) if per else 0.0)


def solve(affinity: np.ndarray, allowed: np.ndarray, need, capacity, *, mode: str = "total",
          base=None, top_k: int | None = 40, fair_seconds: float = 1.0) -> Solution:
    """The optimal assignment (see the module's doc). `need[p]`: seats proposal p still
    needs; `capacity[e]`: assignments expert e may still take; `base[p]`: the affinity of
    p's existing panel (counts towards its weakest-proposal affinity)."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    affinity = np.asarray(affinity, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    need = np.asarray(need, dtype=int)
    capacity = np.maximum(np.asarray(capacity, dtype=int), 0)
    base = np.zeros(affinity.shape[1]) if base is None else np.asarray(base, dtype=float)
    n_p = affinity.shape[1]
    empty = Solution(panels=[[] for _p in range(n_p)])
    if not (need > 0).any():
        return empty
    k = top_k
    while True:
        cands = candidates(affinity, allowed, need, capacity, k)
        chosen, feasible = _flow(affinity, cands, need, capacity)
        if feasible or k is None:
            break
        k = None if k * 4 >= affinity.shape[0] else k * 4  # pruned too hard: widen, at last to every expert
    if not feasible:
        empty.shortages = _shortages(allowed, need, capacity, chosen)
        return empty
    if mode == "fair":
        # The fairness model needs room to trade: a few more candidates than the panel, plus the flow's own.
        fair_cands = candidates(affinity, allowed, need, capacity, None if k is None else int(need.max()) + FAIR_EXTRA)
        fair_cands = [np.union1d(fair_cands[p], chosen.get(p, [])).astype(int) for p in range(n_p)]
        fair = _fair(affinity, fair_cands, need, capacity, base, chosen, seconds=fair_seconds)
        if fair is not chosen:
            fair = _hold_minimum(affinity, fair_cands, need, capacity, base, fair)
        if _measure(affinity, need, base, fair)[1] > _measure(affinity, need, base, chosen)[1] + 1e-9:
            chosen = fair  # only when it lifts the weakest proposal: otherwise the default's plan stands
    total, weakest = _measure(affinity, need, base, chosen)
    panels = [sorted(chosen.get(p, []), key=lambda e, p=p: (-affinity[e, p], e)) for p in range(n_p)]
    return Solution(panels=panels, total=total, weakest=weakest)
