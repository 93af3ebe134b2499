/**
 * Renders vega-lite specs to SVG with vega-embed (vega 5.33.1 / vega-lite 5.23.0). The library
 * is bundled from node_modules by the `vendor/vega-embed.js` loader (see there why) and loaded
 * once, from this site: nothing is fetched from elsewhere. SVG, not canvas, so the browser test
 * can count the marks.
 */
import { FileAttachment, resize } from "observablehq:stdlib";
import type { EmbedOptions, Result, VisualizationSpec } from "vega-embed";

type Embed = (el: HTMLElement, spec: VisualizationSpec, options?: EmbedOptions) => Promise<Result>;
type Spec = Record<string, unknown>;

/** Shared look: the page's font, quiet axes. */
const CONFIG = {
  font: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", gridColor: "#eee", domainColor: "#999", tickColor: "#999" },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: "normal", orient: "top" },
  header: { labelFontSize: 11, titleFontSize: 12 },
  title: { fontSize: 13, fontWeight: "normal", anchor: "start" },
};

let embedding: Promise<Embed> | undefined;

/** The bundled vega-embed, imported on first use. */
function loadEmbed(): Promise<Embed> {
  embedding ??= FileAttachment("../vendor/vega-embed.js")
    .url()
    .then((url: string) => import(/* webpackIgnore: true */ url))
    .then((m: { default: Embed }) => m.default);
  return embedding;
}

/**
 * Embeds `spec` into a new element and resolves to it once drawn. `name` goes into
 * `data-chart` so tests and readers can find the chart.
 */
export async function vl(spec: Spec, name: string): Promise<HTMLElement> {
  const div = document.createElement("div");
  div.className = "chart";
  div.dataset.chart = name;
  const full = { $schema: "https://vega.github.io/schema/vega-lite/v5.json", config: CONFIG, ...withoutEmptyLayers(spec) } as VisualizationSpec;
  const embed = await loadEmbed();
  await embed(div, full, { actions: false, renderer: "svg", tooltip: { theme: "light" } });
  div.dataset.rendered = "true";
  return div;
}

/** Drops layers whose inline data is empty (vega warns about their infinite extents). */
function withoutEmptyLayers(spec: Spec): Spec {
  if (!Array.isArray(spec.layer)) return spec;
  const layer = (spec.layer as Spec[]).filter((l) => {
    const values = (l.data as { values?: unknown[] } | undefined)?.values;
    return !Array.isArray(values) || values.length > 0;
  });
  return { ...spec, layer };
}

/**
 * A chart that fits its container's width and redraws when it changes. Single views fit their
 * whole width (axes included); facets get the width to divide among their cells.
 */
export function chart(name: string, spec: (width: number) => Spec): HTMLElement {
  return resize((width: number) => {
    const s = spec(width);
    const composite = "facet" in s || "hconcat" in s || "vconcat" in s || "concat" in s;
    return vl(composite ? s : { autosize: { type: "fit-x", contains: "padding" }, width, ...s }, name);
  });
}

/** A temporal encoding on a UTC scale (vega-lite then formats the axis with utcFormat). */
export function utcTime(field: string, title = "Time (UTC)", axis: Spec = {}): Spec {
  return { field, type: "temporal", scale: { type: "utc" }, axis: { title, format: "%b %d %H:%M", labelOverlap: true, ...axis } };
}

/** A tooltip entry showing a time field in UTC. */
export function utcTooltip(field: string, title = "Time (UTC)"): Spec {
  return { field, type: "temporal", timeUnit: "utcyearmonthdatehoursminutes", title };
}
