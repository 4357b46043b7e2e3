"""Plain-text tables (GitHub-flavoured Markdown, so the output pastes straight into the docs)."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["rate", "ratio", "render"]


def render(title: str, columns: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table under a ``### title`` line, first column left-aligned, the rest right-aligned."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(columns, *rows)]

    def line(cells: Sequence[str]) -> str:
        parts = [str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(parts) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ("-" if i == 0 else ":")) for i, w in enumerate(widths)) + "|"
    return "\n".join([f"### {title}", "", line(columns), rule, *(line(r) for r in rows), ""])


def rate(per_second: float) -> str:
    """Messages per second with a thousands separator (``1,234,567``)."""
    return f"{per_second:,.0f}"


def ratio(value: float) -> str:
    """A speed ratio: ``312×`` for large values, ``0.87×`` for small ones."""
    if value >= 100:
        return f"{value:,.0f}×"
    if value >= 10:
        return f"{value:.1f}×"
    return f"{value:.2f}×"
