import { NotFoundError, PipelineError } from "../core/errors.js";
import { MODEL_METADATA_KEY, modelAliasKey, modelArtifactKey, modelMetadataKey, MODELS_PREFIX, modelVersionsPrefix } from "../storage/layout.js";
import type { Storage } from "../storage/storage.js";
import { ModelNotRegisteredError } from "./errors.js";
import type { ModelMetadata } from "./metadata.js";

/** A model version as loaded from the registry. */
export interface LoadedModel {
  metadata: ModelMetadata;
  /** The parsed artifact JSON; the caller's loader checks its format. */
  artifact: unknown;
}

/** `latest`, an alias such as `production`, `v3` or `3`. */
export type ModelRef = string | number;

/**
 * Versioned model artifacts in a {@link Storage}:
 *
 *     models/<name>/v<N>/model.json       the fitted model (its own versioned format)
 *     models/<name>/v<N>/metadata.json    written last: a version exists once this exists
 *     models/<name>/aliases/<alias>.json  e.g. production -> version N
 *
 * Missing, corrupt or incompatible artifacts are errors that say which and what to do, never a
 * silent fallback to another version.
 */
export class ModelRegistry {
  constructor(private readonly storage: Storage) {}

  /** Version numbers of `name`, ascending (only complete versions, i.e. with metadata). */
  async versions(name: string): Promise<number[]> {
    checkName(name);
    const found = new Set<number>();
    for (const key of await this.storage.list(modelVersionsPrefix(name))) {
      const m = MODEL_METADATA_KEY.exec(key);
      if (m && m[1] === name) found.add(Number(m[2]));
    }
    return Array.from(found).sort((a, b) => a - b);
  }

  /** Registered model names. */
  async names(): Promise<string[]> {
    const names = new Set<string>();
    for (const key of await this.storage.list(MODELS_PREFIX)) {
      const m = MODEL_METADATA_KEY.exec(key);
      if (m) names.add(m[1]);
    }
    return Array.from(names).sort();
  }

  /**
   * Stores a new version (the next number) and returns its metadata. The artifact is written
   * first and the metadata last, so a crash in between leaves no visible half version.
   */
  async register(name: string, artifact: unknown, metadata: Omit<ModelMetadata, "format" | "formatVersion" | "name" | "version">): Promise<ModelMetadata> {
    checkName(name);
    const existing = await this.versions(name);
    const version = (existing[existing.length - 1] ?? 0) + 1;
    const full: ModelMetadata = { format: "energy-forecast/model-metadata", formatVersion: 1, name, version, ...metadata };
    await this.storage.write(modelArtifactKey(name, version), JSON.stringify(artifact), { contentType: "application/json" });
    await this.storage.write(modelMetadataKey(name, version), JSON.stringify(full, null, 1), { contentType: "application/json" });
    return full;
  }

  /** Points `alias` (e.g. `production`) at an existing version. */
  async setAlias(name: string, alias: string, version: number): Promise<void> {
    checkName(name);
    if (!/^[a-z][a-z0-9_-]*$/.test(alias) || alias === "latest") {
      throw new PipelineError("registry", `alias "${alias}" is not allowed; use lower-case letters, digits, - and _ (and not "latest")`);
    }
    await this.metadata(name, version);
    await this.storage.write(modelAliasKey(name, alias), JSON.stringify({ alias, version }), { contentType: "application/json" });
  }

  /** The version a reference points at. */
  async resolve(name: string, ref: ModelRef): Promise<number> {
    checkName(name);
    const text = String(ref);
    if (/^v?\d+$/.test(text)) return Number(text.replace(/^v/, ""));
    if (text === "latest") {
      const versions = await this.versions(name);
      if (versions.length === 0)
        throw new ModelNotRegisteredError(name, text, `no versions of model "${name}" in ${this.storage.uri}; run energy-forecast train first`);
      return versions[versions.length - 1];
    }
    let raw: Uint8Array;
    try {
      raw = await this.storage.read(modelAliasKey(name, text));
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new ModelNotRegisteredError(
          name,
          text,
          `model "${name}" has no alias "${text}" in ${this.storage.uri}; use latest, a version (v1...), or run energy-forecast train to set it`,
        );
      }
      throw error;
    }
    const parsed = parseJson(raw, modelAliasKey(name, text)) as { version?: unknown };
    if (!Number.isInteger(parsed.version))
      throw new PipelineError("registry", `alias file ${modelAliasKey(name, text)} is corrupt (no version); set the alias again with energy-forecast train`);
    return parsed.version as number;
  }

  /** Metadata of one version. */
  async metadata(name: string, ref: ModelRef): Promise<ModelMetadata> {
    const version = await this.resolve(name, ref);
    const key = modelMetadataKey(name, version);
    let raw: Uint8Array;
    try {
      raw = await this.storage.read(key);
    } catch (error) {
      if (error instanceof NotFoundError) {
        const versions = await this.versions(name);
        throw new PipelineError(
          "registry",
          `model "${name}" has no version ${version} in ${this.storage.uri}; available: ${versions.length ? versions.map((v) => `v${v}`).join(", ") : "none (run energy-forecast train)"}`,
        );
      }
      throw error;
    }
    const m = parseJson(raw, key) as Partial<ModelMetadata>;
    if (m.format !== "energy-forecast/model-metadata" || m.formatVersion !== 1 || m.version !== version || m.name !== name) {
      throw new PipelineError(
        "registry",
        `${key} is not valid metadata for ${name} v${version} (format ${String(m.format)} ${String(m.formatVersion)}); re-register the model with energy-forecast train`,
      );
    }
    return m as ModelMetadata;
  }

  /** Metadata and artifact of one version. */
  async load(name: string, ref: ModelRef): Promise<LoadedModel> {
    const metadata = await this.metadata(name, ref);
    const key = modelArtifactKey(name, metadata.version);
    let raw: Uint8Array;
    try {
      raw = await this.storage.read(key);
    } catch (error) {
      if (error instanceof NotFoundError) {
        throw new PipelineError(
          "registry",
          `artifact ${key} is missing although its metadata exists; the store was altered by hand, re-register the model with energy-forecast train`,
        );
      }
      throw error;
    }
    return { metadata, artifact: parseJson(raw, key) };
  }
}

function parseJson(raw: Uint8Array, key: string): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(raw));
  } catch (cause) {
    throw new PipelineError("registry", `${key} is corrupt (not valid JSON, ${raw.byteLength} bytes); re-register the model with energy-forecast train`, {
      cause,
    });
  }
}

function checkName(name: string): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new PipelineError("registry", `model name "${name}" is not allowed; use lower-case letters, digits and -`);
  }
}
