"""Figures of powerseek.aup: how often AUP agents and power-averse agents take each action, against
the penalty weight lam, on Turner et al.'s Fig. 1 MDP (with a no-op) and the Pac-Man shutdown grid.

Registry: ``FIGURES = {name: fn(out_dir, rng, quick) -> list[Path]}`` (merged by powerseek.figures).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tailpower._common import as_generator, save_figure

from . import examples
from .aup import aup_action_frequencies, power_averse_frequencies
from .model import MDP

GAMMA = 0.9
AUP = "Turner, Hadfield-Menell & Tadepalli, 'Conservative Agency via Attainable Utility Preservation', AIES 2020"
POWER = "Turner et al., 'Optimal Policies Tend to Seek Power', NeurIPS 2021, Fig. 1 and section 6.3"


def fig1_with_noop() -> MDP:
    """Turner et al.'s Fig. 1 MDP with a self-loop (a no-op) added at every state that lacks one."""
    base = examples.turner_fig1()
    succ = {s: list(base.actions[i]) for i, s in enumerate(base.states)}
    for s, nxt in succ.items():
        if s not in nxt:
            nxt.append(s)
    return MDP.from_successors(succ)


def _cases():
    return (("Fig. 1 MDP (no-op added), state star", fig1_with_noop(), "star"),
            ("Pac-Man shutdown 3x3, start cell", examples.pacman_shutdown(), "0,0"))


def _draw(name: str, title: str, runs, lams, source: str):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 4.4))
    record: dict = {"gamma": GAMMA, "lam": lams, "source": source}
    for ax, (label, res) in zip(axes, runs):
        for j, a in enumerate(res.actions):
            f, e = res.frequency[:, j], res.stderr[:, j]
            line, = ax.plot(lams, f, "o-", ms=3, label=f"{a} (successor POWER {res.successor_power[j]:.3f})")
            ax.fill_between(lams, f - 2 * e, f + 2 * e, color=line.get_color(), alpha=0.2, lw=0)
        ax.set_xscale("symlog", linthresh=0.1)
        ax.set_xlabel("penalty weight lam")
        ax.set_ylabel("fraction of rewards R ~ iid U(0,1)")
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(label, fontsize=9)
        ax.legend(fontsize=7, title="action at the state", title_fontsize=7)
        record[label] = {"actions": list(res.actions), "frequency": res.frequency, "stderr": res.stderr,
                         "successor_power": res.successor_power, "samples": res.samples}
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig, record


def aup(out_dir, rng, quick: bool) -> list[Path]:
    """AUP agents: as lam grows they take the no-op, and keep away from both the POWER-seeking and
    the POWER-losing options (shutdown included): they avoid changing attainable utility at all."""
    gen = as_generator(rng)
    lams = np.array([0.0, 0.1, 0.3, 1.0, 3.0, 10.0]) if quick else np.array([0, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20.0])
    samples = 400 if quick else 2000
    runs = [(label, aup_action_frequencies(mdp, state, lams, GAMMA, samples=samples, rng=gen, noop="self",
                                           power_samples=4000 if quick else 20_000))
            for label, mdp, state in _cases()]
    fig, record = _draw("powerseek_aup", f"AUP agents (5 random auxiliary rewards, no-op = self-loop, gamma = {GAMMA}): "
                        "lam = 0 is the optimal agent", runs, lams, AUP)
    return save_figure(fig, out_dir, "powerseek_aup", record)


def power_averse(out_dir, rng, quick: bool) -> list[Path]:
    """Agents optimal for R - lam POWER: they give up the POWER-seeking options and, on the
    Pac-Man grid, choose shutdown once lam is a few times the reward scale."""
    gen = as_generator(rng)
    lams = np.array([0.0, 0.5, 1.0, 2.0, 5.0, 10.0]) if quick else np.array([0, 0.25, 0.5, 1, 1.5, 2, 3, 5, 10, 20.0])
    samples = 400 if quick else 2000
    runs = [(label, power_averse_frequencies(mdp, state, lams, GAMMA, samples=samples, rng=gen,
                                             power_samples=4000 if quick else 20_000))
            for label, mdp, state in _cases()]
    fig, record = _draw("powerseek_power_averse", f"Power-averse rewards R - lam POWER(s) (gamma = {GAMMA}): "
                        "lam = 0 is the optimal agent", runs, lams, POWER)
    return save_figure(fig, out_dir, "powerseek_power_averse", record)


FIGURES = {"powerseek_aup": aup, "powerseek_power_averse": power_averse}
