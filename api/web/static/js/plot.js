// A grouped bar chart drawn as SVG in the page itself: no library, no network.
//
// barChart(svg, { categories, series }) fills an <svg> element that the page already has
// (its namespace comes from that element). Each bar is a <rect> carrying data-series,
// data-category and data-value, with a <title> that says what it shows.

const WIDTH = 640;
const HEIGHT = 260;
const MARGIN = { top: 34, right: 12, bottom: 30, left: 40 };
const MAX_LABELS = 14;

/** The smallest "round" top for the axis (1, 2, 5 x 10^n) not below ``value``. */
export function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

function make(svg, tag, attributes = {}, text = null) {
  const node = document.createElementNS(svg.namespaceURI, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== null) node.textContent = text;
  return node;
}

function axis(svg, top, plotHeight, plotWidth) {
  // Whole-number steps: counts are whole numbers (top is 1, 2 or 5 x 10^n).
  const ticks = top <= 5 ? top : 5;
  const group = make(svg, "g", { class: "axis", "aria-hidden": "true" });
  for (let i = 0; i <= ticks; i += 1) {
    const value = (top / ticks) * i;
    const y = MARGIN.top + plotHeight - (plotHeight * i) / ticks;
    group.append(
      make(svg, "line", {
        x1: MARGIN.left,
        x2: MARGIN.left + plotWidth,
        y1: y,
        y2: y,
        stroke: i === 0 ? "#50565e" : "#c9ced6",
        "stroke-width": 1,
      }),
      make(
        svg,
        "text",
        { x: MARGIN.left - 6, y: y + 4, "text-anchor": "end", "font-size": 12, fill: "#50565e" },
        String(Math.round(value)),
      ),
    );
  }
  return group;
}

function legend(svg, series) {
  const group = make(svg, "g", { class: "legend", "aria-hidden": "true" });
  let x = MARGIN.left;
  for (const { name, colour } of series) {
    group.append(
      make(svg, "rect", { x, y: 8, width: 12, height: 12, fill: colour }),
      make(svg, "text", { x: x + 16, y: 18, "font-size": 13, fill: "#1a1c1f" }, name),
    );
    x += 28 + name.length * 7;
  }
  return group;
}

/**
 * Draw ``series`` ([{ key, name, colour, values }]) over ``categories`` ([{ key, label }]).
 * ``describe`` is the chart's text alternative.
 */
export function barChart(svg, { categories, series, describe = "" }) {
  svg.replaceChildren();
  svg.setAttribute("viewBox", `0 0 ${WIDTH} ${HEIGHT}`);
  svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const highest = Math.max(0, ...series.flatMap((s) => s.values));
  const top = niceMax(highest);
  svg.append(make(svg, "desc", {}, describe));
  svg.append(axis(svg, top, plotHeight, plotWidth), legend(svg, series));

  const band = plotWidth / Math.max(1, categories.length);
  const barWidth = (band * 0.8) / Math.max(1, series.length);
  const every = Math.ceil(categories.length / MAX_LABELS);
  const bars = make(svg, "g", { class: "bars" });
  categories.forEach((category, index) => {
    const left = MARGIN.left + band * index + band * 0.1;
    series.forEach((s, which) => {
      const value = Number(s.values[index] ?? 0);
      const height = (plotHeight * value) / top;
      const bar = make(svg, "rect", {
        x: (left + barWidth * which).toFixed(2),
        y: (MARGIN.top + plotHeight - height).toFixed(2),
        width: Math.max(1, barWidth - 2).toFixed(2),
        height: height.toFixed(2),
        fill: s.colour,
        "data-series": s.key,
        "data-category": category.key,
        "data-value": value,
      });
      bar.append(make(svg, "title", {}, `${category.label}: ${s.name} ${value}`));
      bars.append(bar);
    });
    if (index % every === 0) {
      bars.append(
        make(
          svg,
          "text",
          {
            x: (left + band * 0.4).toFixed(2),
            y: HEIGHT - MARGIN.bottom + 16,
            "text-anchor": "middle",
            "font-size": 12,
            fill: "#50565e",
            "aria-hidden": "true",
          },
          category.label,
        ),
      );
    }
  });
  svg.append(bars);
}
