"""How the benchmark's table shows a figure measured over several runs."""

from bench import report


def test_a_spread_gives_the_median_and_the_range_of_the_runs():
    assert report.spread([9.3, 9.6, 9.5], "cards/s") == "9.5 cards/s (9.3-9.6, 3 runs)"


def test_a_spread_reaching_below_zero_says_to_instead_of_a_dash():
    shown = report.spread([0.06, -0.02, 0.24], "s", 2)

    assert shown == "0.06 s (-0.02 to 0.24, 3 runs)"


def test_a_single_run_is_shown_alone():
    assert report.spread([0.8], "cards/s") == "0.8 cards/s (1 run)"
