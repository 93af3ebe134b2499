"""Reference forecaster for `npm run bench -- reference` (bench/reference.ts runs it).

The seed Python system's global model, rebuilt with scikit-learn's HistGradientBoostingRegressor
(the LightGBM algorithm) as ../shared/REFERENCE.md section 3 describes its best row: lags 1..72
and 167/168/169, rolling means over the last 24/48/72 h and sample standard deviations over the
last 24/48 h (windows ending at t-1), hour of day and day of week (UTC, as the seed), area,
consumer type, and a Danish holiday flag of the hour's local date; each series divided by its
mean over the week up to the origin. At every origin it is refitted on the history up to and
including the origin and forecasts the next `horizon` hours recursively (each step's prediction
becomes the next steps' lag 1).

Usage: python3 hgb.py <data.csv> <origins.json> <out.json>
  data.csv      series_id, datetime_utc (ISO, UTC), the key columns as numbers (area,
                consumer_type), energy_consumption; one row per (series, hour) on one hourly grid
  origins.json  {"origins": ["2023-01-13T22:00:00.000Z", ...], "horizon": 24, "seed": 0,
                "calendar": {"zone": "Europe/Copenhagen", "holidays": "DK"}} (the dataset's:
                the holiday flag is of the local date in that zone, all zero for "none")
  out.json      {"series": [...], "origins": [{"origin", "fitSeconds", "predictSeconds",
                "trainRows", "point": [[step 1..horizon] per series]}]}
"""

import json
import sys
import time
from datetime import date, timedelta

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingRegressor

LAGS = list(range(1, 73)) + [167, 168, 169]
MEANS = [24, 48, 72]
STDS = [24, 48]
SCALE_WINDOW = 168
NEED = max(max(LAGS), max(MEANS), max(STDS), SCALE_WINDOW)
# The settings of the reference points in REFERENCE.md section 3.
PARAMS = dict(max_iter=600, learning_rate=0.05, max_leaf_nodes=31, early_stopping=False)


def easter(year):
    """Gregorian Easter Sunday (anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * l) // 433
    month = (h + l - 7 * m + 90) // 25
    return date(year, month, (h + l - 7 * m + 33 * month + 19) % 32)


def danish_holidays(years):
    """Public holidays and the customary days off (Dec 24, Dec 31) the reference flagged."""
    out = set()
    for y in years:
        e = easter(y)
        out |= {date(y, 1, 1), date(y, 6, 5), date(y, 12, 24), date(y, 12, 25), date(y, 12, 26), date(y, 12, 31)}
        # Maundy Thursday, Good Friday, Easter Monday, Ascension, Whit Monday (Great Prayer Day until 2023).
        out |= {e + timedelta(days=d) for d in (-3, -2, 1, 39, 50)}
        if y <= 2023:
            out.add(e + timedelta(days=26))
    return out


def load(path):
    df = pd.read_csv(path, parse_dates=["datetime_utc"])
    df["datetime_utc"] = pd.to_datetime(df["datetime_utc"], utc=True)
    wide = df.pivot(index="series_id", columns="datetime_utc", values="energy_consumption").sort_index()
    times = pd.DatetimeIndex(wide.columns)
    # Every other column is a key column (area, consumer_type for DE35): numeric identity features.
    keys = [c for c in df.columns if c not in ("series_id", "datetime_utc", "energy_consumption")]
    ident = df.drop_duplicates("series_id").set_index("series_id").sort_index()[keys]
    return wide.to_numpy(dtype=np.float64), times, ident.to_numpy(dtype=np.float64), list(ident.index)


def calendar(times, horizon, zone="Europe/Copenhagen", holidays="DK"):
    """Hour, weekday and holiday flag per grid hour, extended `horizon` hours past the data."""
    grid = pd.date_range(times[0], periods=len(times) + horizon, freq="h", tz="UTC")
    local = grid.tz_convert(zone)
    hol = danish_holidays(sorted(set(local.year))) if holidays == "DK" else set()
    flag = np.array([d in hol for d in local.date], dtype=np.float64)
    return np.stack([grid.hour.to_numpy(np.float64), grid.dayofweek.to_numpy(np.float64), flag], axis=1)


def features(buf, ts, scale, cal, ident):
    """Rows for every series (outer) x time index in `ts` (inner), from the history in `buf`."""
    n_series, n_t = buf.shape[0], len(ts)
    cols = []
    for k in LAGS:
        cols.append(buf[:, ts - k] / scale)
    for w, stat in [(w, "mean") for w in MEANS] + [(w, "std") for w in STDS]:
        win = buf[:, ts[:, None] - np.arange(1, w + 1)[None, :]]  # series x t x w
        cols.append((win.mean(axis=2) if stat == "mean" else win.std(axis=2, ddof=1)) / scale)
    for c in range(cal.shape[1]):
        cols.append(np.broadcast_to(cal[ts, c][None, :], (n_series, n_t)))
    for c in range(ident.shape[1]):
        cols.append(np.broadcast_to(ident[:, c][:, None], (n_series, n_t)))
    return np.stack([c.reshape(-1) for c in cols], axis=1)


def run_origin(values, cal, ident, o, horizon, seed):
    hist = values[:, : o + 1]
    scale = hist[:, -SCALE_WINDOW:].mean(axis=1)[:, None]
    # Timed from the feature building on, as our engine's fit time includes building its rows.
    t0 = time.perf_counter()
    ts = np.arange(NEED, o + 1)
    X = features(hist, ts, scale, cal, ident)
    y = (hist[:, ts] / scale).reshape(-1)
    ok = np.isfinite(y) & np.isfinite(X[:, : len(LAGS)]).all(axis=1)
    model = HistGradientBoostingRegressor(random_state=seed, **PARAMS).fit(X[ok], y[ok])
    fit_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    buf = np.concatenate([hist, np.full((hist.shape[0], horizon), np.nan)], axis=1)
    for step in range(1, horizon + 1):
        t = o + step
        pred = model.predict(features(buf, np.array([t]), scale, cal, ident))
        buf[:, t] = np.maximum(0.0, pred * scale[:, 0])
    return {"fitSeconds": fit_s, "predictSeconds": time.perf_counter() - t0, "trainRows": int(ok.sum()), "point": buf[:, o + 1 :].tolist()}


def main():
    data_path, origins_path, out_path = sys.argv[1:4]
    spec = json.load(open(origins_path))
    horizon, seed = spec["horizon"], spec.get("seed", 0)
    values, times, ident, series = load(data_path)
    cal = calendar(times, horizon, **spec.get("calendar", {}))
    out = {"series": series, "origins": []}
    for iso in spec["origins"]:
        o = int(times.get_loc(pd.Timestamp(iso)))
        if o < NEED:
            raise SystemExit(f"origin {iso} has fewer than {NEED} hours of history before it")
        r = run_origin(values, cal, ident, o, horizon, seed)
        print(f"reference {iso}: fit {r['fitSeconds']:.1f} s on {r['trainRows']} rows", file=sys.stderr, flush=True)
        out["origins"].append({"origin": iso, **r})
    json.dump(out, open(out_path, "w"))


if __name__ == "__main__":
    main()
