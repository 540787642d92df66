import math

import numpy as np
import pytest

from valleymaps.errors import ClassificationError
from valleymaps.render.classify import classify_values, resolve_scheme


@pytest.mark.parametrize(
    ("name", "expected"),
    [("quantiles", "Quantiles"), ("Natural Breaks", "FisherJenks"), ("natural_breaks", "FisherJenks"),
     ("jenks", "FisherJenks"), ("EQUAL-INTERVAL", "EqualInterval"), ("user_defined", "UserDefined")],
)
def test_scheme_names_are_forgiving(name, expected):
    assert resolve_scheme(name) == expected


def test_unknown_scheme_lists_valid_ones():
    with pytest.raises(ClassificationError, match="quantiles, natural_breaks, equal_interval, user_defined"):
        resolve_scheme("headtail")


def test_equal_interval_breaks_and_classes():
    c = classify_values([0, 10, 20, 30, 40], scheme="equal_interval", k=4)
    assert c.breaks == pytest.approx((10, 20, 30, 40))
    assert c.class_of([0, 10, 11, 40, math.nan]).tolist() == [0, 0, 1, 3, -1]
    assert c.labels(lambda v: f"{v:.0f}") == ["0 – 10", "10 – 20", "20 – 30", "30 – 40"]


def test_user_defined_breaks_extend_to_the_maximum():
    c = classify_values([1, 5, 50, 500], scheme="user_defined", breaks=[10, 100])
    assert c.breaks == (10, 100, 500)
    assert c.class_of([5, 50, 500]).tolist() == [0, 1, 2]


def test_user_defined_without_breaks_is_an_error():
    with pytest.raises(ClassificationError, match="needs breaks"):
        classify_values([1, 2, 3], scheme="user_defined")


def test_fewer_distinct_values_than_classes_does_not_fail():
    c = classify_values([2, 2, 2, 3], scheme="quantiles", k=5)
    assert len(c.breaks) <= 2


def test_many_ties_give_fewer_quantile_classes_without_a_warning():
    # tract leakage rates: most tracts have none; quantiles cannot make 4 classes of these
    rates = [0.0, 0.0, 0.0, 0.0, 0.0, 0.4, 1.0]
    c = classify_values(rates, scheme="quantiles", k=5)  # filterwarnings = error
    assert c.breaks == (0.0, 1.0)
    assert c.class_of(np.array(rates)).tolist() == [0, 0, 0, 0, 0, 1, 1]


def test_diverging_palette_is_centred_on_one_for_lq():
    values = [0.3, 0.6, 0.9, 1.1, 1.8, 2.5, 4.0]
    c = classify_values(values, scheme="quantiles", k=5, center=1.0)
    assert 1.0 in c.breaks  # a class boundary exactly at LQ = 1
    below = [col for col, b in zip(c.colors, c.breaks, strict=True) if b <= 1.0]
    above = [col for col, b in zip(c.colors, c.breaks, strict=True) if b > 1.0]
    assert below and above and not set(below) & set(above)
    # classes below 1 and above 1 get different hues (PuOr: purples vs oranges)
    def red_minus_blue(hex_color):
        return int(hex_color[1:3], 16) - int(hex_color[5:7], 16)

    assert all(red_minus_blue(col) < 0 for col in below)
    assert all(red_minus_blue(col) > 0 for col in above)


def test_all_missing_gives_a_no_data_class_only():
    c = classify_values([np.nan, np.nan])
    assert c.class_of([np.nan]).tolist() == [-1]


def test_values_all_at_the_centre_make_one_class():
    c = classify_values([0.0, 0.0, 0.0], center=0.0)
    assert c.class_of([0.0]).tolist() == [0]
    assert len(c.labels(str)) == len(c.colors) == 1


@pytest.mark.parametrize("name", ["natural_breaks", "jenks", "Natural Breaks"])
def test_natural_breaks_are_the_same_on_every_run(name):
    # 760 skewed tract values: k-means NaturalBreaks gave 12 different sets of breaks in 30 runs
    values = np.random.default_rng(7).lognormal(3, 1.2, 760)
    first = classify_values(values, scheme=name, k=5).breaks
    assert all(classify_values(values, scheme=name, k=5).breaks == first for _ in range(30))


def test_natural_breaks_are_the_exact_fisher_jenks_optimum():
    # three obvious groups: the optimal breaks end each group
    values = [1, 2, 3, 10, 11, 12, 30, 31, 32]
    assert classify_values(values, scheme="natural_breaks", k=3).breaks == (3.0, 12.0, 32.0)


def test_fisher_jenks_breaks_match_mapclassify():
    import warnings

    import mapclassify

    from valleymaps.render.classify import fisher_jenks_breaks

    values = np.round(np.random.default_rng(3).lognormal(3, 1.0, 120), 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Numba not installed": the slow exact version
        expected = [float(b) for b in mapclassify.FisherJenks(values, k=5).bins]
    assert fisher_jenks_breaks(values, k=5) == pytest.approx(expected)


@pytest.mark.parametrize("scheme", ["Quantiles", "EqualInterval"])
def test_quantile_and_equal_interval_breaks_are_mapclassifys_to_the_bit(scheme):
    # the build no longer imports mapclassify (seconds of scipy.stats and scikit-learn):
    # its own breaks must be the ones a map classified by mapclassify had
    import warnings

    import mapclassify

    from valleymaps.render.classify import equal_interval_breaks, quantile_breaks

    ours = {"Quantiles": quantile_breaks, "EqualInterval": equal_interval_breaks}[scheme]
    rng = np.random.default_rng(11)
    cases = [
        rng.lognormal(3, 1.2, 500),  # skewed, like jobs
        np.round(rng.normal(1.0, 0.4, 57), 3),  # location quotients
        rng.integers(0, 4, 40).astype(float),  # many ties: fewer classes than asked
        np.array([0.0, 0.0, 0.0, 0.0, 12.5]),
        rng.normal(0, 1e6, 9),  # negative changes
        np.arange(1000.0),
        np.array([3.3, 3.3, 7.1]),
    ]
    for values in cases:
        for k in (2, 3, 5, 7):
            k_used = max(1, min(k, len(np.unique(values))))
            if k_used == 1:
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "Not enough unique values"
                expected = sorted({float(b) for b in getattr(mapclassify, scheme)(values, k=k_used).bins})
            assert ours(values, k=k_used) == expected, (scheme, k_used, values[:5])


def test_classifying_for_a_map_does_not_import_mapclassify():
    import subprocess
    import sys

    code = (
        "import sys; from valleymaps.render.classify import classify_values\n"
        "for s in ('quantiles', 'equal_interval', 'natural_breaks'):\n"
        "    classify_values([1, 2, 3, 5, 8, 13, 21], scheme=s, k=3)\n"
        "print('mapclassify' in sys.modules, 'sklearn' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_class_colours_are_matplotlibs_and_each_colour_map_is_built_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from matplotlib import colormaps
    from matplotlib.colors import to_hex

    from valleymaps.render import classify

    positions = [0.0, 0.125, 0.5, 0.875, 1.0]
    for name in ("YlGnBu", "RdBu", "viridis"):
        assert classify._sample(name, positions) == [to_hex(colormaps[name](p)) for p in positions]
    classify._colour_map.cache_clear()
    classify._colour_at.cache_clear()
    built: list[str] = []
    real = colormaps.__class__.__getitem__

    def counting(self: object, name: str) -> object:
        built.append(name)
        return real(self, name)  # type: ignore[arg-type]

    monkeypatch.setattr(colormaps.__class__, "__getitem__", counting)
    for k in range(3, 8):  # pages classify dozens of metrics with the same scheme
        classify._sample("YlGnBu", np.linspace(0.1, 0.9, k))
    assert built == ["YlGnBu"]
