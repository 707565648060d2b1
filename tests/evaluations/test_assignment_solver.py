"""The assignment solver on arrays (no database): exact panel sizes, loads, forbidden pairs,
optimality against brute force on small instances, the fairness mode, determinism and what it
says when a panel cannot be filled."""

import itertools

import numpy as np
import pytest

from evaluations.services.assignment_solver import solve


def brute_force(affinity, allowed, need, capacity):
    """(best total, best weakest proposal) over every assignment that keeps the rules (None: none)."""
    n_e, n_p = affinity.shape
    options = [list(itertools.combinations([e for e in range(n_e) if allowed[e, p]], need[p])) for p in range(n_p)]
    best = None
    for choice in itertools.product(*options):
        load = np.zeros(n_e, dtype=int)
        for panel in choice:
            load[list(panel)] += 1
        if (load > capacity).any():
            continue
        total = sum(affinity[e, p] for p, panel in enumerate(choice) for e in panel)
        weakest = min(sum(affinity[e, p] for e in panel) for p, panel in enumerate(choice))
        best = (total, weakest) if best is None else (max(best[0], total), max(best[1], weakest))
    return best


def check_rules(solution, allowed, need, capacity):
    load = np.zeros(allowed.shape[0], dtype=int)
    for p, panel in enumerate(solution.panels):
        assert len(panel) == len(set(panel)) == need[p]
        assert all(allowed[e, p] for e in panel)
        load[panel] += 1
    assert (load <= capacity).all()


@pytest.mark.parametrize("seed", range(12))
def test_both_modes_are_optimal_on_small_instances_checked_by_brute_force(seed):
    rng = np.random.default_rng(seed)
    affinity = np.round(rng.random((6, 3)), 3)
    allowed = rng.random((6, 3)) > 0.2
    need, capacity = np.array([2, 2, 2]), np.full(6, 1 + seed % 2)
    best = brute_force(affinity, allowed, need, capacity)
    default, fair = solve(affinity, allowed, need, capacity), solve(affinity, allowed, need, capacity, mode="fair")
    if best is None:
        assert (default.feasible, fair.feasible) == (False, False)
        assert default.panels == [[], [], []]
        return
    check_rules(default, allowed, need, capacity)
    check_rules(fair, allowed, need, capacity)
    assert default.total == pytest.approx(best[0])
    assert fair.weakest == pytest.approx(best[1])
    assert fair.weakest >= default.weakest - 1e-9


def test_the_optimum_gives_the_versatile_expert_to_the_proposal_only_they_fit():
    # Expert 0 fits both proposals, expert 1 only the first: taking proposals in order would
    # give expert 0 to the first and leave the second with a stranger.
    affinity = np.array([[0.6, 0.9], [0.5, 0.0]])
    solution = solve(affinity, np.ones((2, 2), dtype=bool), [1, 1], [1, 1])
    assert solution.panels == [[1], [0]]
    assert solution.total == pytest.approx(1.4)


def test_the_fairness_mode_lifts_the_weakest_proposal_at_some_cost_to_the_total():
    # Expert 0 is the best for both; expert 1 fits only the second, expert 2 a little the first.
    affinity = np.array([[1.0, 0.5], [0.0, 0.4], [0.45, 0.0]])
    allowed = np.ones((3, 2), dtype=bool)
    default = solve(affinity, allowed, [1, 1], [1, 1, 1])
    fair = solve(affinity, allowed, [1, 1], [1, 1, 1], mode="fair")
    assert (default.panels, round(default.total, 3), round(default.weakest, 3)) == ([[0], [1]], 1.4, 0.4)
    assert (fair.panels, round(fair.total, 3), round(fair.weakest, 3)) == ([[2], [0]], 0.95, 0.45)


def test_the_fairness_mode_counts_the_existing_panel():
    # The second proposal already has a strong member: the fair plan need not lift it.
    affinity = np.array([[0.9, 0.8], [0.2, 0.1]])
    fair = solve(affinity, np.ones((2, 2), dtype=bool), [1, 1], [1, 1], mode="fair", base=[0.0, 5.0])
    assert fair.panels == [[0], [1]]


def test_a_forbidden_pair_is_never_chosen_whatever_its_affinity():
    affinity = np.array([[1.0, 1.0], [0.1, 0.1], [0.2, 0.2]])
    allowed = np.array([[False, True], [True, True], [True, True]])
    solution = solve(affinity, allowed, [2, 1], [2, 2, 2])
    assert solution.panels == [[2, 1], [0]]


def test_equal_affinities_spread_the_load_and_the_same_input_gives_the_same_plan():
    affinity = np.zeros((10, 4))
    allowed = np.ones((10, 4), dtype=bool)
    first = solve(affinity, allowed, [3] * 4, [2] * 10)
    loads = np.bincount([e for panel in first.panels for e in panel], minlength=10)
    assert sorted(loads.tolist()) == [1] * 8 + [2] * 2
    for mode in ("total", "fair"):
        assert solve(affinity, allowed, [3] * 4, [2] * 10, mode=mode).panels == first.panels


def test_too_few_allowed_experts_assigns_nothing_and_names_the_proposal():
    allowed = np.array([[True, False], [True, True], [True, True]])
    solution = solve(np.ones((3, 2)), allowed, [3, 3], [2, 2, 2])
    assert (solution.feasible, solution.panels) == (False, [[], []])
    assert [(s.proposal, s.available, s.needed, s.at_load_limit) for s in solution.shortages] == [(1, 2, 3, False)]


def test_loads_too_low_for_the_panels_name_the_proposals_left_short():
    solution = solve(np.ones((3, 2)), np.ones((3, 2), dtype=bool), [2, 2], [1, 1, 1])
    assert not solution.feasible
    assert [s.at_load_limit for s in solution.shortages] == [True]


def test_pruning_to_the_best_candidates_widens_when_it_leaves_a_panel_short():
    # Every proposal's best two experts are the same two people (load 1): the third and fourth
    # proposals need experts outside their top two.
    affinity = np.array([[0.9] * 4, [0.8] * 4, [0.1] * 4, [0.1] * 4])
    solution = solve(affinity, np.ones((4, 4), dtype=bool), [1] * 4, [1] * 4, top_k=2)
    assert solution.feasible
    assert sorted(e for panel in solution.panels for e in panel) == [0, 1, 2, 3]
