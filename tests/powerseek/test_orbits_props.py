"""Hypothesis properties of orbits and retargetable decision-makers (Turner & Tadepalli 2022)."""

import itertools
import math
from collections import Counter

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import powerseek as ps
from powerseek import decisions as D
from powerseek.strategies import copy_environments, eu_decisions, orbit_parameters


@given(st.lists(st.integers(0, 3), min_size=1, max_size=7))
def test_orbit_size_is_the_multinomial(v):
    size = math.factorial(len(v))
    for m in Counter(v).values():
        size //= math.factorial(m)
    assert ps.orbit_size(v) == size == len(set(itertools.permutations(v))) == len(ps.orbit_array(v))


@settings(max_examples=150)
@given(copy_environments(), eu_decisions(), st.data())
def test_n_copies_bound_for_eu_rules_and_mixtures(env, dec, data):
    """B contains n copies of A by construction => #more >= n #less on the orbit, hence
    more + equal >= n/(n+1), for every EU-determined rule and mixture (2022, Lemma B.3)."""
    A, B, n = env
    th = data.draw(orbit_parameters(A.shape[1]))
    t = ps.orbit_tendency(dec, A, B, th, method="exact" if ps.orbit_size(th) <= 40_000 else "sampled",
                          samples=20_000, rng=0)
    assert t.satisfies(n), (dec.name, t.counts, n)
    if t.method == "exact":
        assert t.value >= n / (n + 1) - 1e-15


@settings(max_examples=40)
@given(copy_environments())
def test_find_copies_certifies_the_constructed_copies(env):
    A, B, n = env
    c = ps.find_copies(A, B)
    assert c.n >= n and c.verify(A, B)


@given(st.lists(st.integers(0, 4), min_size=2, max_size=6), st.floats(0.005, 0.2))
def test_boltzmann_tends_to_frac_optimal(u, T):
    """|Boltzmann_T(X) - FracOptimal(X)| <= (m - 1) exp(-gap/T): the non-optimal options carry at
    most that mass, and tied optima share the rest equally. Integer utilities: gap >= 1."""
    u = np.asarray(u, dtype=float)
    m = len(u)
    C = np.eye(m)
    bz, fo = D.boltzmann(T), D.frac_optimal()
    bound = (m - 1) * math.exp(-1.0 / T)
    for i in range(m):
        assert abs(bz(C[[i]], C, u) - fo(C[[i]], C, u)) <= bound + 1e-12


@given(st.lists(st.integers(0, 3), min_size=2, max_size=6), st.integers(1, 40))
def test_best_of_k_tends_to_frac_optimal_and_k1_uniform(u, k):
    u = np.asarray(u, dtype=float)
    m = len(u)
    C = np.eye(m)
    bk, fo = D.best_of_k(k), D.frac_optimal()
    n_opt = int((u == u.max()).sum())
    for i in range(m):
        # the best level is hit unless all k draws miss it: |difference| <= (1 - n_opt/m)^k
        assert abs(bk(C[[i]], C, u) - fo(C[[i]], C, u)) <= (1 - n_opt / m) ** k + 1e-12
        assert abs(D.best_of_k(1)(C[[i]], C, u) - 1 / m) <= 1e-15
