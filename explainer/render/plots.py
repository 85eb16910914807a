"""The training examples' pictures (matplotlib, Agg backend: no display needed).

Each function takes plain numbers/arrays, writes one file (format from the suffix) and returns its
path. SVG keeps its text as text (svg.fonttype = none), so labels can be searched and tested.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from ..i18n import CJK_FONTS, N_, _, language

AXIS_WORDS = (N_("step"), N_("epoch"))  # the x axes the examples pass to loss_curve, translated there


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams["svg.fonttype"] = "none"
    plt.rcParams["svg.hashsalt"] = "explainer"  # stable ids: the same run writes the same file
    # Chinese titles (--lang zh): DejaVu Sans for Latin text and maths, then a CJK font glyph by
    # glyph (matplotlib falls back along a list of concrete families); the SVG names them too
    plt.rcParams["font.family"] = ["sans-serif"] if language() == "en" else ["DejaVu Sans", *_cjk_fonts()]
    return plt


@lru_cache(maxsize=1)
def _cjk_fonts() -> tuple[str, ...]:
    """The CJK families matplotlib can find here (the Makefile installs Noto Sans CJK)."""
    from matplotlib import font_manager

    have = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FONTS if name in have)


def _save(fig, path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, bbox_inches="tight", metadata={"Date": None} if path.suffix == ".svg" else None)
    import matplotlib.pyplot as plt

    plt.close(fig)
    return path


def loss_curve(losses, path, title: str = N_("loss"), log: bool = False, label: str = N_("step"),
               curves: dict | None = None) -> Path:
    """The loss against the step; `curves` adds more named series on the same axes."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    series = {_("loss"): losses} if curves is None else curves
    for name, values in series.items():
        # a few points get markers: one epoch is one point, which a bare line would not show
        ax.plot(np.arange(1, len(values) + 1), values, label=name, marker="o" if len(values) <= 30 else None)
    if log and all(v > 0 for values in series.values() for v in values):
        ax.set_yscale("log")
    ax.set(xlabel=_(label), ylabel=_("loss"), title=_(title))
    if len(series) > 1:
        ax.legend()
    return _save(fig, path)


def linear_fit(x, y, w: float, b: float, path, title: str = N_("linear fit")) -> Path:
    """The data as red dots and the fitted line ŷ = wx + b through them, as in the tutorial."""
    plt = _pyplot()
    x, y = np.ravel(x), np.ravel(y)
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.scatter(x, y, c="r", label=_("data"))
    grid = np.linspace(x.min(), x.max(), 2)
    ax.plot(grid, w * grid + b, label=f"ŷ = {w:.4f}x + {b:.4f}")
    ax.set(xlabel="x", ylabel="y", title=_(title))
    ax.legend()
    return _save(fig, path)


def optimizer_paths(surface, extent, trajectories: dict, losses: dict, path, start=None, minimum=None,
                    title: str = N_("seven optimisers on one loss surface")) -> Path:
    """Contours of `surface(W, B)` over extent (w0, w1, b0, b1) with each method's (w, b) path,
    and beside them each method's loss against the step."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5))
    w = np.linspace(extent[0], extent[1], 200)
    b = np.linspace(extent[2], extent[3], 200)
    W, B = np.meshgrid(w, b)
    Z = surface(W, B)
    left.contour(W, B, Z, levels=np.geomspace(max(Z.min(), 1e-3), Z.max(), 18), cmap="viridis", linewidths=0.8, alpha=0.6)
    for name, points in trajectories.items():
        points = np.asarray(points)
        left.plot(points[:, 0], points[:, 1], marker=".", markersize=2, linewidth=1.2, label=name)
    if start is not None:
        left.plot(*start, "ks", label=_("start"))
    if minimum is not None:
        left.plot(*minimum, "r*", markersize=12, label=_("minimum"))
    left.set(xlabel="w", ylabel="b", title=_(title), xlim=extent[:2], ylim=extent[2:])
    left.legend(fontsize=8, loc="upper right")
    for name, values in losses.items():
        right.plot(np.arange(len(values)), values, label=name)
    right.set_yscale("log")
    right.set(xlabel=_("step"), ylabel=_("loss on all 50 points"), title=_("loss against step"))
    right.legend(fontsize=8)
    return _save(fig, path)


def digit_grid(images, labels, predictions, path, columns: int = 8, title: str = N_("test digits")) -> Path:
    """MNIST test digits with 'predicted (true)' above each; wrong ones in red.

    One mosaic image and one axes (not a subplot per digit): ten times faster to draw."""
    plt = _pyplot()
    images = np.asarray(images, dtype=np.float32).reshape(len(images), 28, 28)
    rows = (len(images) + columns - 1) // columns
    cell_w, cell_h = 32, 44  # 28 px digit + margins, room for the label above it
    mosaic = np.full((rows * cell_h, columns * cell_w), np.nan, dtype=np.float32)
    fig, ax = plt.subplots(figsize=(columns * 1.0, rows * 1.35))
    for index, image in enumerate(images):
        top, left = (index // columns) * cell_h + 14, (index % columns) * cell_w + 2
        mosaic[top:top + 28, left:left + 28] = image
        right = int(predictions[index]) == int(labels[index])
        ax.text(left + 14, top - 3, f"{int(predictions[index])} ({int(labels[index])})", ha="center",
                va="bottom", fontsize=9, color="black" if right else "red")
    ax.imshow(mosaic, cmap="gray_r", interpolation="nearest")
    ax.axis("off")
    ax.set_title(_("{title}: predicted (true)").format(title=_(title)))
    return _save(fig, path)


def sequence_prediction(clean, noisy, predicted, path, title: str = N_("one step ahead")) -> Path:
    """A noisy series, the clean curve under it, and the model's prediction of each next sample
    (drawn at the sample it predicts, so a perfect forecast would sit on the clean curve)."""
    plt = _pyplot()
    steps = np.arange(len(noisy))
    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(steps, clean, color="0.6", linewidth=1, label=_("sin(t), no noise"))
    ax.plot(steps, noisy, ".", color="tab:blue", markersize=4, label=_("input: sin(t) + noise"))
    ax.plot(steps[1:], predicted, color="tab:red", linewidth=1.5, label=_("predicted next sample"))
    ax.set(xlabel=_("time step"), ylabel=_("value"), title=_(title))
    ax.legend(fontsize=8, loc="upper center", bbox_to_anchor=(0.5, -0.17), ncol=3, frameon=False)
    return _save(fig, path)


def image_grid(images, path, columns: int = 8, padding: int = 2) -> Path:
    """Images [N, C, H, W] in 0..1 as one PNG mosaic, `columns` to a row with `padding` pixels
    between them — torchvision's save_image layout, written without torchvision."""
    plt = _pyplot()
    images = np.clip(np.asarray(images, dtype=np.float32), 0.0, 1.0)
    count, channels, height, width = images.shape
    rows = (count + columns - 1) // columns
    grid = np.zeros((rows * (height + padding) + padding, columns * (width + padding) + padding, 3), np.float32)
    for index, image in enumerate(images):
        top = padding + (index // columns) * (height + padding)
        left = padding + (index % columns) * (width + padding)
        grid[top:top + height, left:left + width] = np.repeat(image, 3 // channels, axis=0).transpose(1, 2, 0)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plt.imsave(path, grid)
    return path
