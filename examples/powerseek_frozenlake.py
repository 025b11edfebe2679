"""POWER over Gymnasium's FrozenLake 8x8 map, drawn as a heatmap.

The environment's own transition table (``env.unwrapped.P``, slippery: every move goes to the
intended cell or one of the two perpendicular ones with probability 1/3 each) becomes a powerseek
MDP with the same state numbering (cell row * 8 + col); the holes and the goal end the episode,
so they become absorbing states. POWER (Turner et al. 2021, Def. 5.2) under iid U(0, 1) rewards
on cells is computed at gamma = 0.9 (policy iteration) and gamma = 1 (the best long-run average
reward reachable: multichain policy iteration), on common reward samples.

What to expect: an absorbing cell only ever sees its own reward, so POWER there is E[R] = 1/2;
open cells can still reach many cells to settle in, so their POWER is close to E[max of all the
reachable rewards]; cells boxed in by holes (where slipping is likely to end the episode) have
less.

    pip install 'tailpower[interop]'          # gymnasium
    python examples/powerseek_frozenlake.py [OUT_DIR]   # writes OUT_DIR/powerseek_frozenlake.png
"""

from __future__ import annotations

import sys

import numpy as np

import powerseek as ps
from tailpower._common import save_figure

try:
    import gymnasium as gym
except ImportError:
    raise SystemExit("this example needs gymnasium: pip install 'tailpower[interop]'") from None


def main(out_dir: str = ".", samples: int = 2000) -> None:
    env = gym.make("FrozenLake-v1", map_name="8x8")
    desc = np.asarray(env.unwrapped.desc).astype(str)  # 'S', 'F', 'H', 'G'
    mdp = ps.MDP.from_gymnasium(env)
    res = {g: ps.power(mdp, g, samples=samples, rng=0) for g in (0.9, 1.0)}

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10.5, 4.8), constrained_layout=True)
    for ax, (g, r) in zip(axes, res.items()):
        grid = r.value.reshape(desc.shape)
        im = ax.imshow(grid, cmap="viridis", vmin=0.5, vmax=1.0)
        for (i, j), v in np.ndenumerate(grid):
            label = desc[i, j] if desc[i, j] != "F" else ""
            ax.text(j, i, f"{label}\n{v:.2f}" if label else f"{v:.2f}", ha="center", va="center", fontsize=7,
                    color="white" if v < 0.8 else "black")
        ax.set_title(f"POWER, gamma = {g:g} ({r.method}, {r.samples} samples)")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.colorbar(im, ax=axes, shrink=0.8, label="POWER (iid U(0, 1) rewards)")
    fig.suptitle("FrozenLake 8x8 (slippery): S start, H holes and G goal are absorbing")
    paths = save_figure(fig, out_dir, "powerseek_frozenlake", {
        "environment": "FrozenLake-v1, map_name='8x8', is_slippery=True",
        "rewards": "iid U(0, 1) on states", "samples": samples, "seed": 0,
        "source": "Turner et al. 2021, Def. 5.2 (POWER) on Gymnasium's FrozenLake",
        "power": {str(g): r.value.tolist() for g, r in res.items()},
        "stderr": {str(g): r.stderr.tolist() for g, r in res.items()},
    })
    holes = np.flatnonzero(desc.ravel() == "H")
    for g, r in res.items():
        print(f"gamma = {g:g} ({r.method}): start {r.value[0]:.3f} +- {r.stderr[0]:.3f}, holes "
              f"{r.value[holes].mean():.3f} (an absorbing cell: 1/2), highest {r.value.max():.3f} at cell "
              f"{int(np.argmax(r.value))}")
    print("wrote", *map(str, paths))


if __name__ == "__main__":
    main(*(sys.argv[1:2] or ["."]))
