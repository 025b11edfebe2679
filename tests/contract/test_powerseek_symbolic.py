"""Contract of powerseek.symbolic_power: any MDP and state gives a finite SymPy expression in gamma
(finite at gamma in (0, 1)) or a refusal naming the parameter."""

from __future__ import annotations

from contract_support import call_code, check
from hypothesis import given
from hypothesis import strategies as st

PARAMS = ["mdp", "state"]
MDPS = ["ps.examples.turner_fig1()", "ps.examples.detour()", "ps.MDP.gridworld(1, 2)", "ps.MDP.gridworld(2, 2, slip=0.2)",
        "ps.MDP.from_successors({str(i): [str(j) for j in range(8)] for i in range(8)})",
        "ps.MDP.from_successors({'a': ['b'], 'b': ['a']})", "None", "'fig1'"]
STATES = ["'l_sw'", "'l'", "'r'", "'star'", "'s3'", "'0,0'", "'a'", "0", "-1", "99", "None", "1.5"]


@given(mdp=st.sampled_from(MDPS), state=st.sampled_from(STATES))
def test_symbolic_power(mdp, state):
    check("import sympy\ne = ps.symbolic_power(" + mdp + ", " + state + ")\n"
          "g = sympy.Symbol('gamma', positive=True)\n"
          "result = [float(e.subs(g, x)) for x in (1e-6, 0.3, 0.5, 0.9, 1 - 1e-6)]", PARAMS, timeout=60)
