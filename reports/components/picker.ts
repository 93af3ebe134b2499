/**
 * A series picker for any dataset: one select per key column, labelled with the column's own name
 * and cascading (each lists only the values that exist under the choices before it), values shown
 * as the loaders titled them (`parts`). Works with Framework's `view()`: `value` is the
 * chosen series and an "input" event announces every change.
 */

/** A key column as the loaders ship it. */
export interface PickerKey {
  name: string;
}

/** What the picker needs of a series: its key values and how each reads (its title). */
export interface Pickable {
  key: Array<string | number>;
  parts: string[];
}

/** The picker element: a form whose `value` is the chosen series. */
export type SeriesPicker<S> = HTMLFormElement & { value: S | undefined };

/**
 * `series` in the order the selects list them; `value` the series chosen first (default the first);
 * `suffix` adds text to the last select's options (e.g. the series' MAPE).
 */
export function seriesPicker<S extends Pickable>(
  series: S[],
  keys: PickerKey[],
  { value, suffix }: { value?: S; suffix?: (s: S) => string } = {},
): SeriesPicker<S> {
  const form = document.createElement("form") as SeriesPicker<S>;
  form.className = "series-picker";
  form.addEventListener("submit", (e) => e.preventDefault());
  const chosen: Array<string | number | undefined> = keys.map((_, k) => (value ?? series[0])?.key[k]);
  const selects = keys.map((key, k) => {
    const select = document.createElement("select");
    select.name = key.name;
    select.dataset.key = key.name;
    select.id = `series-picker-${k}`;
    const label = document.createElement("label");
    label.htmlFor = select.id;
    label.textContent = key.name;
    const row = document.createElement("div");
    row.className = "series-picker-row";
    row.append(label, select);
    form.append(row);
    return select;
  });
  let current: S | undefined;
  const matching = (k: number) => series.filter((s) => chosen.slice(0, k).every((v, j) => s.key[j] === v));

  /** Rebuilds the selects from `from` on, keeping each choice while it still exists. */
  function refresh(from: number): void {
    for (let k = from; k < keys.length; k++) {
      const candidates = matching(k);
      const values: Array<string | number> = [];
      const owners: S[] = [];
      for (const s of candidates) {
        if (!values.includes(s.key[k])) {
          values.push(s.key[k]);
          owners.push(s);
        }
      }
      if (!values.includes(chosen[k] as string | number)) chosen[k] = values[0];
      const select = selects[k];
      select.replaceChildren(
        ...values.map((v, i) => {
          const option = document.createElement("option");
          option.value = String(i);
          const title = owners[i].parts[k];
          option.textContent = k === keys.length - 1 && suffix ? title + suffix(owners[i]) : title;
          option.selected = v === chosen[k];
          return option;
        }),
      );
      select.onchange = () => {
        chosen[k] = values[Number(select.value)];
        refresh(k + 1);
        form.dispatchEvent(new Event("input", { bubbles: true }));
      };
    }
    current = series.find((s) => s.key.every((v, j) => v === chosen[j]));
  }

  refresh(0);
  Object.defineProperty(form, "value", { get: () => current });
  return form;
}
