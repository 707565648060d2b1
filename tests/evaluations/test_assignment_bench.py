"""The assignment benchmark's logic, small and untimed (`make bench-assign` runs it at scale):
on a generated call the optimal plan's total is at least the old greedy plan's, the fairness
mode's weakest proposal at least the greedy's and the default's, every panel complete."""

import numpy as np

from bench import assignment


def test_the_optimal_plan_meets_the_benchmarks_targets_against_the_greedy_on_a_small_generated_call():
    result = assignment.compare(40, 120)
    checks = result["checks"]
    assert {k: v for k, v in checks.items() if k != "within_time"} == {
        "default_total_ge_greedy": True, "fair_weakest_ge_greedy": True, "fair_weakest_ge_default": True,
        "complete_panels": True}
    assert result["total"]["max_load"] <= result["load"]
    assert "greedy" in assignment.table([result])


def test_the_greedy_baseline_is_the_old_rule_least_loaded_then_matching_then_lower_index():
    allowed = np.ones((4, 2), dtype=bool)
    matches = np.array([[False, False], [True, True], [False, False], [True, False]])
    assert assignment.greedy(allowed, matches, 2) == [[1, 3], [0, 2]]


def test_the_generated_call_keeps_experts_off_their_home_regions_proposals():
    experts, proposals, allowed, matches = assignment.generate(30, 80, seed=1)
    assert (len(experts), len(proposals), allowed.shape, matches.shape) == (80, 30, (80, 30), (80, 30))
    assert 0 < allowed.mean() < 1
