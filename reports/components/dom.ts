/**
 * Small DOM builders for the pages (Framework's implicit `html` would be fetched from a CDN,
 * so the pages build their few elements here).
 */

type Child = Node | string | number | null | undefined | false | Child[];

/** `el("div", {class: "card"}, "text", child)`. */
export function el(tag: string, attrs: Record<string, string | number | undefined> = {}, ...children: Child[]): HTMLElement {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) node.setAttribute(k, String(v));
  append(node, children);
  return node;
}

function append(node: HTMLElement, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else node.append(c instanceof Node ? c : String(c));
  }
}

/** The notice a page shows when the store has nothing for it yet: what is missing and what to run. */
export function emptyNotice(notice: { title: string; detail: string; commands: string[] }, store: { label: string }): HTMLElement {
  // The page's section headings would stand over nothing: hide them (see style.css).
  document.getElementById("observablehq-main")?.classList.add("store-empty");
  return el(
    "div",
    { class: "notice", "data-empty": "true" },
    el("h3", {}, notice.title),
    el("p", {}, notice.detail, ` (store: ${store.label})`),
    el("p", {}, "Fill the store, then rebuild the report with ", el("code", {}, "npm run report:build"), ":"),
    el("pre", {}, notice.commands.join("\n")),
  );
}

/** A big-number card: title, value, an optional sub-line, and a state colour. */
export function kpi(title: string, value: string, sub?: string | Node, state: "ok" | "warn" | "bad" | "none" = "none"): HTMLElement {
  // Long values (dates) get a smaller font so the card keeps one line.
  return el(
    "div",
    { class: `card kpi kpi-${state}`, "data-kpi": title },
    el("h2", {}, title),
    el("span", { class: value.length > 12 ? "big long" : "big" }, value),
    sub ? el("div", { class: "sub" }, sub) : null,
  );
}

/** A status pill: "passed" / "failed" etc. */
export function pill(text: string, state: "ok" | "warn" | "bad" | "none"): HTMLElement {
  return el("span", { class: `pill pill-${state}` }, text);
}

/**
 * An inline SVG sparkline of `values` (nulls leave gaps), with the last point marked. Plain SVG:
 * one per table row, so it must be cheap.
 */
export function sparkline(
  values: Array<number | null>,
  { width = 120, height = 22, max }: { width?: number; height?: number; max?: number } = {},
): SVGSVGElement {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("width", String(width));
  svg.setAttribute("height", String(height));
  svg.setAttribute("class", "sparkline");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return svg;
  const hi = max ?? Math.max(...finite);
  const x = (i: number) => (values.length === 1 ? width / 2 : 2 + (i * (width - 4)) / (values.length - 1));
  const y = (v: number) => height - 2 - (hi > 0 ? (Math.min(v, hi) / hi) * (height - 4) : 0);
  let d = "";
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? "L" : "M"}${x(i).toFixed(1)},${y(v).toFixed(1)}`;
    pen = true;
  });
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "1.5");
  svg.append(path);
  const lastIndex = values.length - 1 - [...values].reverse().findIndex((v) => v !== null && Number.isFinite(v));
  const dot = document.createElementNS(ns, "circle");
  dot.setAttribute("cx", x(lastIndex).toFixed(1));
  dot.setAttribute("cy", y(values[lastIndex] as number).toFixed(1));
  dot.setAttribute("r", "2");
  dot.setAttribute("fill", "currentColor");
  svg.append(dot);
  return svg;
}

/** A file the page links for download: its URL in the build and the name it is saved under. */
export interface DownloadFile {
  /** The format, as the link reads (`CSV`). */
  label: string;
  href: string;
  /** File name for the browser's save dialog (the built file's name carries a content hash). */
  file: string;
}

/**
 * A visible line of download links (`CSV · Parquet`), one per format of the same table. The
 * pages write `FileAttachment("data/x.csv").href` literally: Framework copies into the build only
 * files a page names, and reading `.href` right on the call keeps it from bundling a CSV or
 * parquet parser from the npm CDN the build cannot reach (nothing here parses the files).
 */
export function downloads(name: string, text: string, files: DownloadFile[]): HTMLElement {
  const links = files.flatMap(({ label, href, file }, i) => [i ? " · " : "", el("a", { href, download: file, "data-format": label.toLowerCase() }, label)]);
  return el("p", { class: "downloads", "data-downloads": name }, `${text} `, ...links);
}
