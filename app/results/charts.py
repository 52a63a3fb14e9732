"""Server-rendered SVG charts. Every chart has a data table next to it as its text alternative."""
from markupsafe import Markup, escape

from app.core.i18n import money

FUNDED, NOT_FUNDED, LINE = "#1b6e3a", "#9aa5b1", "#a3111d"


def votes_and_cost(rows: list[dict], budget: int, *, labels: dict) -> Markup:
    """One row per project: votes bar (left) and cost bar placed on the cumulative funded
    spending (right), with the budget as a vertical line.

    ``rows``: dicts with title, votes, cost, funded, in the order to show."""
    height = 34 * len(rows) + 60
    width, left, mid = 900, 260, 520
    max_votes = max([r["votes"] for r in rows] + [1])
    scale_cost = (width - mid - 20) / max(budget, sum(r["cost"] for r in rows if r["funded"]) or 1, 1)
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="chart-title" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="13" font-family="sans-serif">',
             f'<title id="chart-title">{escape(labels["title"])}</title>',
             f'<text x="{left}" y="18" font-weight="bold">{escape(labels["votes"])}</text>',
             f'<text x="{mid}" y="18" font-weight="bold">{escape(labels["cost"])}</text>']
    spent = 0
    for i, row in enumerate(rows):
        y = 34 + 34 * i
        colour = FUNDED if row["funded"] else NOT_FUNDED
        title = row["title"] if len(row["title"]) <= 34 else row["title"][:33] + "…"
        bar = (mid - left - 60) * row["votes"] / max_votes
        start = spent if row["funded"] else 0
        parts += [
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end">{escape(title)}</text>',
            f'<rect x="{left}" y="{y}" width="{bar:.1f}" height="20" fill="{colour}"/>',
            f'<text x="{left + bar + 4:.1f}" y="{y + 15}">{row["votes"]}</text>',
            f'<rect x="{mid + start * scale_cost:.1f}" y="{y}" width="{max(row["cost"] * scale_cost, 1):.1f}" '
            f'height="20" fill="{colour}" opacity="{1 if row["funded"] else 0.6}"/>',
        ]
        if row["funded"]:
            spent += row["cost"]
    line_x = mid + budget * scale_cost
    parts += [f'<line x1="{line_x:.1f}" y1="26" x2="{line_x:.1f}" y2="{height - 20}" stroke="{LINE}" '
              f'stroke-width="2" stroke-dasharray="6 3"/>',
              f'<text x="{min(line_x, width - 4):.1f}" y="{height - 6}" text-anchor="end" fill="{LINE}">'
              f'{escape(labels["budget"])}: {escape(money(budget))}</text>',
              "</svg>"]
    return Markup("".join(parts))


def bars(items: list[tuple[str, int]], *, title: str) -> Markup:
    """A simple horizontal bar chart of (label, value) pairs."""
    height = 28 * len(items) + 40
    width, left = 600, 180
    top = max([v for _, v in items] + [1])
    parts = [f'<svg class="chart chart--small" viewBox="0 0 {width} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="13" font-family="sans-serif">',
             f"<title>{escape(title)}</title>"]
    for i, (label, value) in enumerate(items):
        y = 20 + 28 * i
        w = (width - left - 60) * value / top
        parts += [f'<text x="{left - 8}" y="{y + 14}" text-anchor="end">{escape(label)}</text>',
                  f'<rect x="{left}" y="{y}" width="{w:.1f}" height="18" fill="#00587a"/>',
                  f'<text x="{left + w + 4:.1f}" y="{y + 14}">{value}</text>']
    parts.append("</svg>")
    return Markup("".join(parts))


def spent_vs_allocated(rows: list[tuple[str, int, int]], *, title: str, labels: dict) -> Markup:
    """Per project, the allocated amount (light) with the amount spent (dark) over it, and the
    totals as the last row. ``rows``: (label, allocated, spent)."""
    items = [*rows, (labels["total"], sum(r[1] for r in rows), sum(r[2] for r in rows))] if rows else []
    height = 30 * len(items) + 50
    # Room on the left for a 28-character label and on the right for "spent / allocated" in
    # full; narrower margins cut both off at the chart's edges.
    width, left = 760, 250
    top = max([max(a, s) for _, a, s in items] + [1])
    scale = (width - left - 215) / top
    parts = [f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
             f'xmlns="http://www.w3.org/2000/svg" font-size="13" font-family="sans-serif">',
             f"<title>{escape(title)}</title>",
             f'<rect x="{left}" y="6" width="12" height="12" fill="#c9d3de"/><text x="{left + 16}" y="17">'
             f'{escape(labels["allocated"])}</text>',
             f'<rect x="{left + 160}" y="6" width="12" height="12" fill="#1b6e3a"/><text x="{left + 176}" y="17">'
             f'{escape(labels["spent"])}</text>']
    for i, (label, allocated, spent) in enumerate(items):
        y = 30 + 30 * i
        short = label if len(label) <= 28 else label[:27] + "…"
        weight = ' font-weight="bold"' if i == len(items) - 1 else ""
        parts += [f'<text x="{left - 8}" y="{y + 14}" text-anchor="end"{weight}>{escape(short)}</text>',
                  f'<rect x="{left}" y="{y}" width="{allocated * scale:.1f}" height="18" fill="#c9d3de"/>',
                  f'<rect x="{left}" y="{y + 4}" width="{spent * scale:.1f}" height="10" fill="#1b6e3a"/>',
                  f'<text x="{left + max(allocated, spent) * scale + 4:.1f}" y="{y + 14}">'
                  f'{escape(money(spent))} / {escape(money(allocated))}</text>']
    parts.append("</svg>")
    return Markup("".join(parts))
