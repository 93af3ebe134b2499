/**
 * Readable summaries of a registered model: its configuration (members, weights, learner
 * settings) from the artifact, and its input features grouped into ranges. The artifact format
 * belongs to the models; this reads it defensively and shows what it recognises.
 */

/** One component of a model, as the Model page lists it. */
export interface ComponentSummary {
  name: string;
  kind: string;
  weight: number | null;
  /** Learner settings (gbm) or the model's own scalar settings. */
  settings: Record<string, string | number | boolean | null>;
  /** e.g. "200 trees". */
  size: string | null;
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Members of a blend (with weights) or the model itself. */
export function summariseArtifact(artifact: unknown): ComponentSummary[] {
  if (!isObject(artifact)) return [];
  if (Array.isArray(artifact.members)) {
    const weights = Array.isArray(artifact.weights) ? artifact.weights : [];
    // A member that is itself a blend: its members' weights within the whole model.
    return artifact.members.flatMap((m, i) =>
      summariseArtifact(m).map((c) => ({ ...c, weight: typeof weights[i] === "number" ? (weights[i] as number) * (c.weight ?? 1) : null })),
    );
  }
  const learner = isObject(artifact.learner) ? artifact.learner : undefined;
  const settings: ComponentSummary["settings"] = {};
  const source = learner && isObject(learner.params) ? learner.params : artifact;
  for (const [k, v] of Object.entries(source)) {
    if (["format", "version", "kind", "name"].includes(k)) continue;
    if (v === null || ["string", "number", "boolean"].includes(typeof v)) settings[k] = v as string | number | boolean | null;
  }
  const trees = learner && Array.isArray(learner.trees) ? learner.trees.length : null;
  return [{ name: String(artifact.name ?? artifact.kind ?? "model"), kind: String(artifact.kind ?? "unknown"), weight: null, settings, size: trees === null ? null : `${trees} trees` }];
}

/** Feature names grouped: `lag_1..lag_72, lag_167..lag_169` -> "lags 1-72, 167-169". */
export function summariseFeatures(names: string[]): Array<{ group: string; items: string }> {
  const numbered = new Map<string, number[]>();
  const other: string[] = [];
  for (const n of names) {
    const m = /^([a-z]+)_(\d+)$/.exec(n);
    if (m) {
      const list = numbered.get(m[1]) ?? [];
      list.push(Number(m[2]));
      numbered.set(m[1], list);
    } else {
      other.push(n);
    }
  }
  const label: Record<string, string> = { lag: "lagged values (hours back)", mean: "rolling means (hours)", std: "rolling standard deviations (hours)" };
  const out = Array.from(numbered, ([prefix, nums]) => ({ group: label[prefix] ?? `${prefix}_N`, items: ranges(nums.sort((a, b) => a - b)) }));
  if (other.length) out.push({ group: "calendar and series", items: other.join(", ") });
  return out;
}

function ranges(nums: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < nums.length; ) {
    let j = i;
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++;
    parts.push(j > i + 1 ? `${nums[i]}–${nums[j]}` : j === i + 1 ? `${nums[i]}, ${nums[j]}` : String(nums[i]));
    i = j + 1;
  }
  return parts.join(", ");
}
