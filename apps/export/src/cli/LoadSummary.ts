/**
 * What `spotpipe load` prints: a table of the tables loaded (table, rows, seconds, file; columns aligned, counts
 * with thousands separators, as the export summary has them; a file `append` skipped as already appended says
 * `skipped`) and a footer with the totals, the target and the run, then a line for each table `--evolve` changed
 * (the columns it added, and the ones left NULL in the new rows); or one JSON object with `--log-format json`
 * (`--json`: on stdout, also for a failed load).
 * When a folder was given and other runs wrote files into it that its latest run does not list,
 * {@link otherRunsWarning} says what was left and how to load it.
 */
import type { TableLoad } from "../load/Load.ts"
import type { LoadReport } from "../load/LoadStep.ts"
import { formatTable } from "./Summary.ts"
import { formatCount, inert, jsonLine, plural } from "./TerminalText.ts"

/** The load summary as text (no trailing newline). */
export const formatLoadSummary = (report: LoadReport): string => {
  const rows = report.tables.reduce((n, t) => n + t.rows, 0)
  const skipped = report.tables.filter((t) => t.skipped !== undefined).length
  const table = formatTable(
    ["table", "rows", "seconds", "file"],
    report.tables.map((t) =>
      t.skipped === undefined
        ? [t.table, formatCount(t.rows), t.seconds.toFixed(2), t.file]
        : [t.table, "skipped", "-", t.file]
    ),
    [false, true, true, false]
  )
  // A retried append: the files it had appended already are counted apart (each is named on stderr).
  const skips =
    skipped === 0
      ? ""
      : `; skipped ${plural(skipped, "file", "files")} already appended to ${skipped === 1 ? "its table" : "their tables"} by an earlier load`
  const loaded = report.tables.length - skipped
  // Only a table loaded is recorded in spotpipe_loads.
  const recorded = loaded === 0 ? "" : ", recorded in spotpipe_loads"
  const footer = `loaded ${plural(loaded, "table", "tables")}, ${plural(rows, "row", "rows")} into ${report.target} from run ${report.runId} (manifest SHA-256 ${report.fingerprint.slice(0, 12)}…${recorded})${skips}`
  return `${table}${inert([footer, ...report.tables.flatMap(evolved)].join("\n"))}`
}

const quoted = (names: ReadonlyArray<string>) => names.map((n) => JSON.stringify(n)).join(", ")

/** What `--evolve` changed in a table, as a line of the summary (none when it changed nothing). */
const evolved = (t: TableLoad): ReadonlyArray<string> => {
  const added = t.addedColumns.map((c) => `${JSON.stringify(c.name)} ${c.type}`).join(", ")
  const parts = [
    ...(t.addedColumns.length === 0
      ? []
      : [`added ${t.addedColumns.length === 1 ? "column" : "columns"} ${added} (NULL in the rows before)`]),
    ...(t.nullColumns.length === 0
      ? []
      : [
          `${quoted(t.nullColumns)} ${t.nullColumns.length === 1 ? "is" : "are"} not in ${t.file}: NULL (or the column's default) in its ${plural(t.rows, "row", "rows")}`
        ])
  ]
  return parts.length === 0 ? [] : [`${t.table}: ${parts.join("; ")}`]
}

/** The load summary as one line of JSON (numbers plain, seconds to the millisecond). */
export const loadSummaryJson = (report: LoadReport): string =>
  jsonLine({ load: { status: "succeeded", ...loadJson(report) } })

/** A failed load's report as one line of JSON: `{"load":{"status":"failed","error"}}`, as run's `load` says it. */
export const loadFailureJson = (error: string): string => jsonLine({ load: { status: "failed", error } })

/** The `load` object of {@link loadSummaryJson} (also the `load` of `spotpipe run --json` for a job that loads). */
export const loadJson = (report: LoadReport) => ({
  manifest: report.manifest,
  run_id: report.runId,
  fingerprint: report.fingerprint,
  target: report.target,
  tables: report.tables.map(({ addedColumns, nullColumns, ...table }) => ({
    ...table,
    added_columns: addedColumns,
    null_columns: nullColumns
  })),
  rows: report.tables.reduce((n, t) => n + t.rows, 0),
  other_runs: report.otherRuns.map((r) => ({ manifest: r.manifest, run_id: r.runId, files: r.files }))
})

/**
 * The warning for the files of the folder's other runs that the load left (a folder loads its latest run): which,
 * and the manifests that load them; `undefined` when there are none.
 */
export const otherRunsWarning = (report: LoadReport): string | undefined => {
  const runs = report.otherRuns
  if (runs.length === 0) return undefined
  const files = runs.flatMap((r) => r.files)
  const shown = files.slice(0, 4).join(", ") + (files.length > 4 ? `, … (${formatCount(files.length - 4)} more)` : "")
  const how =
    runs.length === 1
      ? `to load ${files.length === 1 ? "it" : "them"}, give that run's own manifest: spotpipe load ${runs[0]!.manifest} --into …`
      : `to load them, give each run's own manifest: spotpipe load MANIFEST --into … (${runs
          .slice(0, 3)
          .map((r) => r.manifest)
          .join(", ")}${runs.length > 3 ? ", …" : ""})`
  return `loaded the folder's latest run (${report.runId}, its manifest.json) only: ${plural(runs.length, "other run", "other runs")} there wrote ${plural(files.length, "file", "files")} it does not list, left unloaded: ${shown}; ${how}`
}
