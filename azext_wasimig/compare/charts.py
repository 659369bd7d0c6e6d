"""The report's pictures as small self-contained SVG files (pure text, no dependency, no script).

Why SVG files next to the report and not Mermaid: a Markdown image of a relative ``.svg`` renders wherever the
report is read (GitHub, Azure DevOps repos and wikis, VS Code, a browser, an attachment), while Mermaid's charts
with axes (``xychart-beta``) are a beta that Azure DevOps' Mermaid does not have and no plain viewer draws; the
files are also exact text, so tests can read their numbers back.
"""

from xml.sax.saxutils import escape

WIDTH, HEIGHT, MARGIN = 640, 320, 56
COLOURS = {"old": "#8c564b", "new": "#1f77b4"}


def _svg(body, title, height=HEIGHT):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" font-family="sans-serif" font-size="12">\n'
            f'<title>{escape(title)}</title>\n<rect width="100%" height="100%" fill="white"/>\n'
            f'<text x="{WIDTH / 2}" y="18" text-anchor="middle" font-size="14">{escape(title)}</text>\n'
            + "".join(body) + "</svg>\n")


def _fmt(value):
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def latency_distribution(series, title="Latency distribution per side (ms by percentile)"):
    """Lines of latency (y, ms) by percentile (x, 0..100) per side; ``series``: {side: [(pct, ms)]}."""
    top = max([ms for points in series.values() for _, ms in points] + [1e-9])
    plot_w, plot_h = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN

    def xy(pct, ms):
        return MARGIN + plot_w * pct / 100.0, HEIGHT - MARGIN - plot_h * ms / top
    body = _axes("percentile", f"ms (max {_fmt(top)})", HEIGHT)
    for index, (side, points) in enumerate(sorted(series.items(), key=lambda kv: kv[0] != "old")):
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in (xy(p, ms) for p, ms in points))
        body.append(f'<polyline fill="none" stroke="{COLOURS.get(side, "#555")}" stroke-width="2" '
                    f'points="{coords}"><title>{escape(side)}</title></polyline>\n')
        body.append(_legend(side, index))
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{COLOURS.get(side, "#555")}">'
                 f'<title>{escape(side)} p{p}: {_fmt(ms)} ms</title></circle>\n'
                 for (p, ms), (x, y) in ((pm, xy(*pm)) for pm in points)]
    return _svg(body, title)


def startup_bars(rows, title="Start-up per side: creation to Ready (s; bar median, tick p95)"):
    """Horizontal bars: ``rows`` [(label, side, median, p95)] in order."""
    height = MARGIN + 28 * max(len(rows), 1) + 24
    top = max([v for _, _, m, p in rows for v in (m, p) if v is not None] + [1e-9])
    left, plot_w = 220, WIDTH - 220 - 24
    body = []
    for index, (label, side, med, p95) in enumerate(rows):
        y = MARGIN + 28 * index
        colour = COLOURS.get(side, "#555")
        body.append(f'<text x="{left - 6}" y="{y + 14}" text-anchor="end">{escape(label)} ({escape(side)})</text>\n')
        if med is not None:
            body.append(f'<rect x="{left}" y="{y}" width="{plot_w * med / top:.1f}" height="18" fill="{colour}">'
                        f'<title>{escape(side)} median {_fmt(med)} s</title></rect>\n')
        if p95 is not None:
            x = left + plot_w * p95 / top
            body.append(f'<line x1="{x:.1f}" y1="{y - 3}" x2="{x:.1f}" y2="{y + 21}" stroke="black" '
                        f'stroke-width="2"><title>{escape(side)} p95 {_fmt(p95)} s</title></line>\n')
        text = "no Ready pod" if med is None else f"{_fmt(med)} s / p95 {_fmt(p95)} s"
        body.append(f'<text x="{WIDTH - 20}" y="{y + 14}" text-anchor="end" font-size="10">{escape(text)}</text>\n')
    return _svg(body, title, height)


def _axes(x_label, y_label, height):
    bottom, right = height - MARGIN, WIDTH - MARGIN
    return [f'<line x1="{MARGIN}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="black"/>\n',
            f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{bottom}" stroke="black"/>\n',
            f'<text x="{WIDTH / 2}" y="{height - 16}" text-anchor="middle">{escape(x_label)}</text>\n',
            f'<text x="14" y="{height / 2}" transform="rotate(-90 14 {height / 2})" text-anchor="middle">'
            f'{escape(y_label)}</text>\n']


def _legend(side, index):
    x = WIDTH - MARGIN - 90
    y = MARGIN + 16 * index
    return (f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{COLOURS.get(side, "#555")}"/>'
            f'<text x="{x + 14}" y="{y}">{escape(side)}</text>\n')
