/**
 * What `energy-forecast doctor` found and did, as data (`--json`) and as text. A finding is a
 * problem (the store is not healthy: exit 1), a warning (worth a look, not broken) or a note.
 */

/** Severity of a finding: only problems make the store unhealthy. */
export type Severity = "problem" | "warning" | "note";

/** The part of the store a finding is about. */
export type Area = "features" | "outputs" | "runs" | "history" | "monitoring" | "lock";

/** One thing doctor found. */
export interface Finding {
  area: Area;
  severity: Severity;
  /** The object or prefix concerned, store-relative. */
  subject: string;
  message: string;
  /** What `doctor --repair` does about it; absent when it cannot do anything. */
  repair?: string;
}

/** One thing `doctor --repair` did. */
export interface RepairAction {
  area: Area;
  action: "rebuilt" | "set aside" | "restored" | "filled in" | "dropped";
  /** The object concerned, store-relative. */
  subject: string;
  /** Where it went (for "set aside": its key under `damaged/`). */
  to?: string;
  detail: string;
}

/** The store's lock as doctor saw it. */
export interface LockState {
  state: "free" | "held" | "expired" | "invalid";
  key: string;
  owner?: string;
  host?: string;
  acquiredAt?: string;
  expiresAt?: string;
  /** Claims to take over an expired lock that are still lying around. */
  claims: number;
  /** The holder is this doctor run (repairing). */
  self?: true;
}

/** How much doctor looked at. */
export interface Checked {
  featureGroups: number;
  partitions: number;
  outputs: number;
  runFolders: number;
  runFiles: number;
  /** Forecast rows: in the origin partitions (a partitioned store) or the single-file history. */
  historyRows: number;
  /** Origin partition files of the forecast history (`forecasts/origin=<day>/`); 0 for a store not yet partitioned. */
  forecastPartitions: number;
  /** Monitoring's state and day files (`monitoring/`). */
  monitoringFiles: number;
}

/** The outcome of one examination of a store. */
export interface Examination {
  store: string;
  at: string;
  healthy: boolean;
  problems: number;
  warnings: number;
  findings: Finding[];
  lock: LockState;
  checked: Checked;
}

/** What `energy-forecast doctor` prints (`--json`): the examination, and with `--repair` what it did and the store after. */
export interface DoctorReport extends Examination {
  repair?: { actions: RepairAction[]; after: Examination };
}

const AREA_ORDER: Area[] = ["features", "outputs", "runs", "history", "monitoring", "lock"];
const SEVERITY_ORDER: Severity[] = ["problem", "warning", "note"];

/** Builds an examination from its findings, ordered by area then severity. */
export function examination(store: string, at: Date, findings: Finding[], lock: LockState, checked: Checked): Examination {
  const sorted = [...findings].sort(
    (a, b) => AREA_ORDER.indexOf(a.area) - AREA_ORDER.indexOf(b.area) || SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity),
  );
  const problems = findings.filter((f) => f.severity === "problem").length;
  const warnings = findings.filter((f) => f.severity === "warning").length;
  return { store, at: at.toISOString(), healthy: problems === 0, problems, warnings, findings: sorted, lock, checked };
}

function summary(e: Examination): string {
  return e.healthy ? `healthy (${e.warnings} warning(s))` : `${e.problems} problem(s), ${e.warnings} warning(s)`;
}

function findingLines(e: Examination): string[] {
  const lines: string[] = [];
  for (const f of e.findings) {
    lines.push(`  ${f.severity.padEnd(8)} ${f.area.padEnd(9)} ${f.subject}: ${f.message}`);
    if (f.repair) lines.push(`  ${"".padEnd(8)} ${"".padEnd(9)} --repair: ${f.repair}`);
  }
  return lines;
}

function lockLine(lock: LockState): string {
  const claims = lock.claims > 0 ? `; ${lock.claims} takeover claim(s) under locks/` : "";
  switch (lock.state) {
    case "free":
      return `lock ${lock.key}: free${claims}`;
    case "invalid":
      return `lock ${lock.key}: not a valid lock object${claims}`;
    default:
      return `lock ${lock.key}: ${lock.state === "held" ? "held" : "EXPIRED, held"} by ${lock.owner}${lock.self ? " (this doctor run, to repair)" : ""}${lock.host ? ` on ${lock.host}` : ""} since ${lock.acquiredAt}, expires ${lock.expiresAt}${claims}`;
  }
}

function checkedLine(c: Checked): string {
  return (
    `checked ${c.featureGroups} feature group(s) (${c.partitions} partition file(s)), ${c.outputs} output file(s), ` +
    `${c.runFolders} run folder(s) (${c.runFiles} file(s)), forecast history of ${c.historyRows} row(s)` +
    (c.forecastPartitions > 0 ? ` in ${c.forecastPartitions} origin partition(s)` : "") +
    (c.monitoringFiles > 0 ? `, ${c.monitoringFiles} monitoring file(s)` : "")
  );
}

/** The report as text for a terminal. */
export function formatDoctorReport(r: DoctorReport): string {
  const lines = [`doctor ${r.store}: ${summary(r)}`, ...findingLines(r), `  ${lockLine(r.lock)}`, `  ${checkedLine(r.checked)}`];
  if (r.repair) {
    lines.push(r.repair.actions.length === 0 ? "repair: nothing to do" : "repair:");
    for (const a of r.repair.actions) {
      lines.push(`  ${a.action.padEnd(9)} ${a.subject}${a.to ? ` -> ${a.to}` : ""}: ${a.detail}`);
    }
    lines.push(`after repair: ${summary(r.repair.after)}`, ...findingLines(r.repair.after));
  } else if (r.findings.some((f) => f.repair)) {
    lines.push("run energy-forecast doctor --repair to repair what can be repaired (it takes the store's lock)");
  }
  return lines.join("\n") + "\n";
}
