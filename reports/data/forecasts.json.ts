/**
 * Forecasts page data, the small part: the dataset, the hourly grid of the week shown, the latest
 * run and the earlier runs drawn, the latest run's stale and new series, and how the page is cut
 * down for large stores (lib/forecast-page.ts). The series and what is drawn of them are Arrow
 * files: forecast-series.arrow (every series) and forecast-detail.arrow (the totals and the
 * detailed series).
 */
import { BASELINE_MODEL } from "../../src/pipeline/index.js";
import { emit, emptyNotice, runLoader } from "./lib/context.js";
import { MAX_DETAIL, RECENT_DAYS, WORST, forecastPage } from "./lib/forecast-page.js";

runLoader("forecasts", async (ctx) => {
  const page = await forecastPage(ctx);
  if (!page) {
    emit(ctx, { empty: emptyNotice("No observations yet", "The feature store is empty, so there is nothing to plot") });
    return;
  }
  emit(ctx, {
    data: {
      dataset: page.dataset,
      grid: page.grid,
      latest: page.latest,
      baselineModel: BASELINE_MODEL,
      notes: page.notes,
      origins: page.origins,
      totalSeries: page.series.length,
      /** Detail rows: the first `totals` are sums, the rest `detailed` series (all, or the worst `worst`). */
      totals: page.totals,
      detailed: page.detail.length - page.totals,
      detailAll: page.detailAll,
      maxDetail: MAX_DETAIL,
      worst: WORST,
      latestAll: page.latestAll,
      recent: { days: RECENT_DAYS, from: page.recentFrom },
    },
  });
});
