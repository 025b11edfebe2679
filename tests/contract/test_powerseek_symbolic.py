"""Contract of powerseek.symbolic_power and symbolic_optimality_probability: any MDP, state and
action gives a finite SymPy expression in gamma (finite at gamma in (0, 1)) or a refusal naming
the parameter. Fig. 1's star (about 6 s) is left to tests/powerseek/test_symbolic_general.py; the
MDPs here reach the general decomposition (wait, detour: four distinguishing rewards) and its
limits (nine distinguishing rewards, too many lassos) in well under a second."""

from __future__ import annotations

from contract_support import check
from hypothesis import given, settings
from hypothesis import strategies as st

PARAMS = ["mdp", "state"]
MDPS = ["ps.examples.turner_fig1()", "ps.examples.detour()", "ps.examples.wait()", "ps.MDP.gridworld(1, 2)",
        "ps.MDP.gridworld(2, 2, slip=0.2)",
        "ps.MDP.from_successors({str(i): [str(j) for j in range(8)] for i in range(8)})",
        "ps.MDP.from_successors({'s': [str(i) for i in range(9)], **{str(i): [str(i)] for i in range(9)}})",
        "ps.MDP.from_successors({'a': ['b'], 'b': ['a']})", "None", "'fig1'"]
STATES = ["'l_sw'", "'l'", "'r'", "'s1'", "'s3'", "'start'", "'s'", "'0,0'", "'a'", "0", "-1", "99", "None", "1.5"]
ACTIONS = ["successor='s2'", "successor='wait'", "successor='l_sw'", "successor='a'", "successor='nowhere'",
           "successor=None", "action=0", "action=1", "action=7", "action='wait'", "action=None",
           "successor='s3', action=0", "successor=1.5"]
EVAL = ("g = sympy.Symbol('gamma', positive=True)\n"
        "result = [float(e.subs(g, x)) for x in (1e-6, 0.3, 0.5, 0.9, 1 - 1e-6)]")


@settings(max_examples=8)
@given(mdp=st.sampled_from(MDPS), state=st.sampled_from(STATES))
def test_symbolic_power(mdp, state):
    check("import sympy\ne = ps.symbolic_power(" + mdp + ", " + state + ")\n" + EVAL, PARAMS, timeout=60)


@settings(max_examples=8)
@given(mdp=st.sampled_from(MDPS), state=st.sampled_from(STATES), action=st.sampled_from(ACTIONS))
def test_symbolic_optimality_probability(mdp, state, action):
    out = check("import sympy\ne = ps.symbolic_optimality_probability(" + mdp + ", " + state + ", " + action + ")\n"
                + EVAL, PARAMS + ["successor", "action"], timeout=60)
    if out.get("result") is not None:
        assert all(-1e-12 <= p <= 1 + 1e-12 for p in out["result"]), out["result"]
