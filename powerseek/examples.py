"""The MDPs of the power-seeking sources (Turner et al. 2021, "Optimal Policies Tend to Seek Power";
Turner's LessWrong explainers; Russell & Norvig's 4x3 world).

Every builder returns a :class:`powerseek.MDP`; unless said otherwise rewards are iid U(0, 1)
on states. Deterministic examples have one action per successor, named by the successor.
"""

from __future__ import annotations

from .model import MDP
from .rewards import RewardLaw, iid

__all__ = [
    "turner_fig1",
    "detour",
    "wait",
    "negative_skew",
    "negative_skew_rewards",
    "aima_4x3",
    "pacman_shutdown",
]


def turner_fig1() -> MDP:
    """Turner et al. 2021, Figure 1: star -> {empty, l, r}; empty terminal; l -> {l_nw, l_sw};
    l_nw -> {l_sw}; l_sw -> {l_sw, l_nw}; r -> {r_ne, r_se}; r_ne -> {r_ne, r_se};
    r_se -> {r_se, r_ne}. Stated (Fig. 3): POWER(empty) = 1/2, POWER(l_sw) = (2/3 + g/2)/(1 + g),
    POWER(r_se) = 2/3.

    Returns
    -------
    MDP
        Deterministic, 8 states, each action named by its successor.

    Raises
    ------
    Nothing: it takes no arguments.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.turner_fig1()
    >>> mdp.states
    ('star', 'empty', 'l', 'l_nw', 'l_sw', 'r', 'r_ne', 'r_se')
    >>> mdp.actions[mdp.index("star")]
    ('empty', 'l', 'r')
    """
    return MDP.from_successors(
        {
            "star": ["empty", "l", "r"],
            "empty": ["empty"],
            "l": ["l_nw", "l_sw"],
            "l_nw": ["l_sw"],
            "l_sw": ["l_sw", "l_nw"],
            "r": ["r_ne", "r_se"],
            "r_ne": ["r_ne", "r_se"],
            "r_se": ["r_se", "r_ne"],
        }
    )


def detour() -> MDP:
    """Detour example (Turner et al. 2021, Prop. B.1, Fig. 10; the graph reconstructed from the
    figure): s1 -> {s2 (N), s3 (NE)}; s2 -> {s2, s3}; s3 -> {t4, t5}; t4, t5 terminal.
    Stated: POWER(s2, 1) = 3/4 > 2/3 = POWER(s3, 1) but P(s1, N, 1) = 1/3 < 2/3 = P(s1, NE, 1).

    Returns
    -------
    MDP
        Deterministic, 5 states; at s1 the action to s2 is N, the one to s3 is NE.

    Raises
    ------
    Nothing: it takes no arguments.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.detour()
    >>> mdp.actions[mdp.index("s1")], mdp.actions[mdp.index("s3")]
    (('s2', 's3'), ('t4', 't5'))
    """
    return MDP.from_successors(
        {"s1": ["s2", "s3"], "s2": ["s2", "s3"], "s3": ["t4", "t5"], "t4": ["t4"], "t5": ["t5"]}
    )


def wait() -> MDP:
    """Wait MDP (Turner, LessWrong explainer 2019): start -> {candy, wait}; wait -> {chocolate,
    hug}; candy, chocolate, hug terminal. Stated: POWER(start) = 2/3 at gamma -> 0, 3/4 at gamma = 1;
    P(wait optimal) goes from 1/2 to 2/3.

    Returns
    -------
    MDP
        Deterministic, 5 states.

    Raises
    ------
    Nothing: it takes no arguments.

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.wait()
    >>> mdp.states, mdp.actions[0]
    (('start', 'candy', 'wait', 'chocolate', 'hug'), ('candy', 'wait'))
    """
    return MDP.from_successors(
        {
            "start": ["candy", "wait"],
            "candy": ["candy"],
            "wait": ["chocolate", "hug"],
            "chocolate": ["chocolate"],
            "hug": ["hug"],
        }
    )


def negative_skew() -> MDP:
    """Negative-skew example (explainer, from paper v6 App. B.3): 1 -> {2 (up), 3 (right)};
    2 -> {2}; 3 -> {4}; 4 -> {5, 6}; 5, 6 terminal. Use with :func:`negative_skew_rewards`
    (CDF x^2 on [0, 1]) and gamma = 0.12.

    Returns
    -------
    MDP
        Deterministic, 6 states named "1" to "6".

    Raises
    ------
    Nothing: it takes no arguments.

    Examples
    --------
    >>> import powerseek as ps
    >>> ps.examples.negative_skew().actions[:2]  # 1 -> {2 (up), 3 (right)}; 2 -> {2}
    (('2', '3'), ('2',))
    """
    return MDP.from_successors({"1": ["2", "3"], "2": ["2"], "3": ["4"], "4": ["5", "6"], "5": ["5"], "6": ["6"]})


def negative_skew_rewards() -> RewardLaw:
    """iid rewards with CDF F(x) = x^2 on [0, 1], i.e. Beta(2, 1): negatively skewed (mean 2/3),
    the law of the negative-skew example (Turner et al. 2021, v6 App. B.3).

    Returns
    -------
    RewardLaw
        iid Beta(2, 1) on every state.

    Raises
    ------
    Nothing: it takes no arguments.

    Examples
    --------
    >>> import powerseek as ps
    >>> law = ps.examples.negative_skew_rewards()
    >>> law.kind, float(law.dist.cdf(0.5)), round(float(law.dist.mean()), 12)
    ('iid', 0.25, 0.666666666667)
    """
    from scipy import stats

    return iid(stats.beta(2, 1))


def aima_4x3(slip: float = 0.0) -> MDP:
    """AIMA's 4x3 gridworld as the shutdown example of the explainer: 11 cells (wall at AIMA
    (2, 2)), every cell has a self-loop, and one cell is inescapable: the "off" state is AIMA's
    (4, 2) cell. Cells are named "row,col" with row 0 at the top: start (AIMA (1, 1)) is "2,0",
    off is "1,3". Stated: the off state has a 1/11 chance of being best (average-optimal).

    Parameters
    ----------
    slip : float in [0, 1), default 0
        With ``slip`` > 0 a move goes astray with probability ``slip`` (AIMA's 0.8/0.1/0.1 is
        slip = 0.2); see :meth:`powerseek.MDP.gridworld`.

    Returns
    -------
    MDP
        11 states; deterministic when ``slip`` = 0.

    Raises
    ------
    TypeError
        If ``slip`` is not a real number.
    ValueError
        If ``slip`` is not in [0, 1).

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.aima_4x3()
    >>> mdp.n_states, mdp.actions[mdp.index("1,3")], mdp.actions[mdp.index("2,0")]  # off: stay forever
    (11, ('stay',), ('N', 'E', 'stay'))
    """
    return MDP.gridworld(3, 4, walls=[(1, 1)], terminal=[(1, 3)], slip=slip, stay=True)


def pacman_shutdown(rows: int = 3, cols: int = 3) -> MDP:
    """A Pac-Man-like shutdown gridworld (Turner et al. 2021, section 6.3, Cor. 6.14): a
    ``rows x cols`` maze where every cell has a self-loop (Pac-Man may stay), and the start cell
    "0,0" has one extra action "off" into an absorbing off state (game over). With
    rows * cols >= 2 self-loops besides off, average-optimal policies tend to avoid off:
    P(off is optimal at start, gamma = 1) = 1/(rows*cols + 1) under iid rewards.

    Parameters
    ----------
    rows, cols : int >= 1
        The size of the maze.

    Returns
    -------
    MDP
        Deterministic, rows * cols + 1 states (the cells and "off").

    Raises
    ------
    TypeError
        If ``rows`` or ``cols`` is not a number, or is a bool.
    ValueError
        If ``rows`` or ``cols`` is not a whole number >= 1.
    tailpower.BudgetError
        If the maze would exceed the memory budget (about 1 KB per cell).

    Examples
    --------
    >>> import powerseek as ps
    >>> mdp = ps.examples.pacman_shutdown()
    >>> mdp.n_states, mdp.actions[mdp.index("0,0")]
    (10, ('1,0', '0,1', '0,0', 'off'))
    """
    from tailpower._common import check_int, check_memory

    rows, cols = check_int("rows", rows), check_int("cols", cols)
    # the successor lists below hold about 1 KB of Python objects per cell
    check_memory("rows", 1000.0 * rows * cols, f"a {rows} x {cols} Pac-Man grid built from successor lists")
    grid = MDP.gridworld(rows, cols, stay=True)
    succ = {}
    for s, name in enumerate(grid.states):
        succ[name] = list(dict.fromkeys(grid.states[t] for t in grid.successor_table[s]))
    succ["0,0"].append("off")
    succ["off"] = ["off"]
    return MDP.from_successors(succ)
