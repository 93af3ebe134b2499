/**
 * Post-hoc diagnostic for issue 13 (not a choice, not a benchmark of record): `npx tsx
 * bench/auto/meters.ts` backtests variants of gbm-auto's members on the second dataset's origin
 * sets (bench/reference/meters.ts), our engine only; compare with the scikit-learn reference
 * MAPEs that `REFERENCE_DATA=meters npm run bench -- reference` prints.
 */
import { runBacktest } from "../../src/pipeline/backtest/engine.js";
import { DEFAULT_FEATURE_SPEC, historyNeeded } from "../../src/pipeline/features/spec.js";
import { AutoBlendForecaster } from "../../src/pipeline/models/auto-blend.js";
import { BlendForecaster } from "../../src/pipeline/models/blend.js";
import { AUTO_BLEND_SETTINGS, defaultGbmOptions } from "../../src/pipeline/models/catalog.js";
import type { Forecaster } from "../../src/pipeline/models/forecaster.js";
import { GbmForecaster } from "../../src/pipeline/models/gbm-forecaster.js";
import { LevelNaive } from "../../src/pipeline/models/level-naive.js";
import { SeasonalNaive } from "../../src/pipeline/models/seasonal-naive.js";
import { METERS_COPENHAGEN, metersPanel } from "../reference/meters.js";
import { originSets } from "../reference/sets.js";

const level = () => new GbmForecaster(defaultGbmOptions("gbm"));
const change = () => new GbmForecaster({ ...defaultGbmOptions("gbm-change-168"), features: { ...DEFAULT_FEATURE_SPEC, baseLag: 168 } });
const naives = () => [new LevelNaive(168, 24), new SeasonalNaive(168)];
const VARIANTS: Record<string, { members: () => Forecaster[]; shrink?: number }> = {
  "pair+naives": { members: () => [new BlendForecaster("gbm-pair", [level(), change()], [0.5, 0.5]), ...naives()] },
  "level+naives": { members: () => [level(), ...naives()] },
  "pair+naives shrink 0.5": { members: () => [new BlendForecaster("gbm-pair", [level(), change()], [0.5, 0.5]), ...naives()], shrink: 0.5 },
};
const { panel, holidays } = await metersPanel(METERS_COPENHAGEN);
const sets = originSets(panel, 24, historyNeeded(DEFAULT_FEATURE_SPEC) + 25, holidays);
for (const [name, v] of Object.entries(VARIANTS)) {
  for (const s of sets) {
    const settings = { ...AUTO_BLEND_SETTINGS, shrink: v.shrink ?? AUTO_BLEND_SETTINGS.shrink };
    const m = runBacktest(panel, [{ name, create: () => new AutoBlendForecaster(name, v.members(), settings, v.members) }], {
      from: s.origins[0],
      to: s.origins[s.origins.length - 1],
      every: 24,
      horizon: 24,
    }).models[0];
    console.log(
      `${name}\t${s.name}\t${(m.mape * 100).toFixed(2)}%\tcover80 ${(m.coverage80 * 100).toFixed(1)}%\t${m.byOrigin.map((o) => (o.mape * 100).toFixed(1)).join(" ")}`,
    );
  }
}
