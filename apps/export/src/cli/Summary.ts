/**
 * The summary printed at the end of a run: object, rows, file, bytes, seconds — one line per output, columns
 * padded to their widest cell so it reads well in a terminal and in CI logs alike — and a footer with the
 * number of files, the rows of each result counted once (the demo writes every result twice, as CSV and NDJSON)
 * and the folder the files went to. Server-controlled text is made inert; counts have thousands separators.
 * With `--log-format json` it is one JSON object instead ({@link summaryJson}), with the run's warnings and each
 * output's as the `--json` report has them. `--json` prints the run's report instead ({@link runReportJson}: the
 * manifest's essentials), and `--dry-run` the plan ({@link formatDryRun},
 * {@link dryRunJson}). {@link formatTable} aligns any such table (`spotpipe ls` too).
 */
import { type DryRunPlan, failureText } from "../engine/DryRun.ts"
import type { RunResult } from "../engine/Engine.ts"
import { isDocumentFormat, type Manifest, type ResumeOutcome } from "../output/Manifest.ts"
import type { LockRefusal } from "../output/OutputLock.ts"
import { formatCount, inert, jsonLine, plural } from "./TerminalText.ts"

/** One line of the summary. */
export interface SummaryLine {
  readonly object: string
  /** Rows written; absent for a document (a TML file), which has none. */
  readonly rows?: number
  readonly file: string
  readonly bytes: number
  readonly seconds: number
  /**
   * Which result the file holds (files of one result, e.g. its CSV and NDJSON, share it and their rows count
   * once); each line is its own result when absent.
   */
  readonly result?: number
  /** How `--resume` treated the file (its manifest entry's `resume`); absent: written. */
  readonly resume?: ResumeOutcome
}

/** A file of an earlier run the run removed (a TML document of an object gone from the cluster). */
export interface RemovedLine {
  readonly file: string
  readonly detail: string
}

/** Where the files went: the absolute folder, or absent for stdout; the files removed. */
export interface SummaryOptions {
  readonly folder?: string
  readonly removed?: ReadonlyArray<RemovedLine>
}

/** A line of the JSON summary: a summary line with its output's warnings (its manifest entry's `warnings`). */
export interface SummaryJsonLine extends SummaryLine {
  readonly warnings: ReadonlyArray<string>
}

/**
 * The files a run removed (or would remove), one line each after a count; nothing when none. A batch run's summary
 * lists them the same way (BatchSummary.ts).
 */
export const removedText = (removed: ReadonlyArray<RemovedLine>, verb: string): string =>
  removed.length === 0
    ? ""
    : [
        `${verb} ${plural(removed.length, "file", "files")} of objects gone from the cluster or renamed:`,
        ...removed.map((r) => `  ${inert(r.file)}: ${inert(r.detail)}`)
      ]
        .map((line) => `${line}\n`)
        .join("")

/** The files of a run's manifest removed (see `ExportStatus.removed`). */
export const removedOf = (result: RunResult): ReadonlyArray<RemovedLine> =>
  result.manifest?.exports.flatMap((e) => e.removed ?? []) ?? []

const headers = ["object", "rows", "file", "bytes", "seconds"] as const
const numeric = [false, true, false, true, true] as const

/** Results and their rows, each result counted once, and the documents (files without rows). */
const totals = (lines: ReadonlyArray<SummaryLine>) => {
  const seen = new Set<number>()
  let results = 0
  let rows = 0
  let documents = 0
  for (const line of lines) {
    if (line.rows === undefined) documents++
    if (line.result !== undefined) {
      if (seen.has(line.result)) continue
      seen.add(line.result)
    }
    results++
    rows += line.rows ?? 0
  }
  return { results, rows, documents }
}

/** The footer's counts: files (and results, when files share them), rows unless every file is a document. */
const footer = (lines: ReadonlyArray<SummaryLine>): string => {
  const { results, rows, documents } = totals(lines)
  const files = plural(lines.length, "file", "files")
  if (documents === lines.length) return `${plural(documents, "document", "documents")}`
  const counted = results === lines.length ? files : `${files} (${plural(results, "result", "results")})`
  const withDocuments = documents === 0 ? "" : ` and ${plural(documents, "document", "documents")}`
  return `${counted}, ${plural(rows, "row", "rows")}${withDocuments}`
}

/** What `--resume` did with a file, after its name in the table: nothing for a file written. */
const resumeNotes: Record<ResumeOutcome, string> = {
  written: "",
  skipped: " (kept: complete and verified)",
  published: " (published: complete in the resume state)",
  continued: " (continued)"
}

/**
 * The line after the footer when `--resume` kept files: every one (nothing exported anew, and how to export anew), or
 * how many; nothing when it kept none.
 */
const keptLine = (lines: ReadonlyArray<SummaryLine>): string => {
  const kept = lines.filter((line) => line.resume === "skipped").length
  if (kept === 0) return ""
  if (kept === lines.length) {
    return `${kept === 1 ? "the file was" : "every file was"} already complete: --resume found ${kept === 1 ? "it" : "them"} written and verified and kept ${kept === 1 ? "it" : "them"}, so nothing was exported anew; to export anew, run with --force instead of --resume\n`
  }
  return `${plural(kept, "file was", "files were")} already complete and verified, and kept (--resume)\n`
}

/** The summary table as text (ending with a newline). */
export const formatSummary = (lines: ReadonlyArray<SummaryLine>, options: SummaryOptions = {}): string => {
  const cells = lines.map((line) => [
    inert(line.object),
    line.rows === undefined ? "-" : formatCount(line.rows),
    inert(line.file) + resumeNotes[line.resume ?? "written"],
    formatCount(line.bytes),
    line.seconds.toFixed(2)
  ])
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => [...(row[i] ?? "")].length)))
  const pad = (text: string, i: number) => {
    const fill = " ".repeat(Math.max(0, (widths[i] ?? 0) - [...text].length))
    return numeric[i] ? fill + text : text + fill
  }
  const render = (row: ReadonlyArray<string>) =>
    row
      .map((cell, i) => pad(cell, i))
      .join("  ")
      .trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  const where = options.folder === undefined ? "" : ` in ${inert(options.folder)}`
  // Nothing written (a `--modified-since last` run with nothing new): the footer alone, not an empty table.
  const table = lines.length === 0 ? [] : [render(headers), rule, ...cells.map(render), rule]
  return (
    [...table, `${footer(lines)}${where}`].map((line) => `${line}\n`).join("") +
    keptLine(lines) +
    removedText(options.removed ?? [], "removed")
  )
}

/**
 * The summary as one line of JSON (numbers as plain digits), e.g. for `--log-format json`: with the run's own
 * warnings (`options.warnings`, the run result's) and each output's (its manifest entry's), as the `--json` report
 * carries them, so a scheduler that reads this line sees them too. Both are required: left out, they would read as
 * none.
 */
export const summaryJson = (
  lines: ReadonlyArray<SummaryJsonLine>,
  options: SummaryOptions & { readonly warnings: ReadonlyArray<string> }
): string => {
  const { results, rows, documents } = totals(lines)
  return jsonLine({
    summary: {
      files: lines.length,
      results,
      rows,
      documents,
      folder: options.folder ?? null,
      removed: options.removed ?? [],
      warnings: options.warnings,
      outputs: lines.map((line) => ({
        object: line.object,
        rows: line.rows ?? null,
        file: line.file,
        bytes: line.bytes,
        seconds: line.seconds,
        warnings: line.warnings
      }))
    }
  })
}

/**
 * Rows under `headers`, each column padded to its widest cell (`numeric` columns right-aligned), with a rule
 * under the header; every cell made inert. Ends with a newline.
 */
export const formatTable = (
  headers: ReadonlyArray<string>,
  rows: ReadonlyArray<ReadonlyArray<string>>,
  numericColumns: ReadonlyArray<boolean> = []
): string => {
  const cells = rows.map((row) => row.map(inert))
  const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => [...(row[i] ?? "")].length)))
  const render = (row: ReadonlyArray<string>) =>
    row
      .map((cell, i) => {
        const fill = " ".repeat(Math.max(0, (widths[i] ?? 0) - [...cell].length))
        return numericColumns[i] === true ? fill + cell : cell + fill
      })
      .join("  ")
      .trimEnd()
  const rule = widths.map((w) => "-".repeat(w)).join("  ")
  return [render(headers), rule, ...cells.map(render)].map((line) => `${line}\n`).join("")
}

/**
 * Whether a `--resume` run found every export complete: each succeeded with all its files skipped (written and
 * verified by an earlier run), so no data was exported anew — a schedule that always resumes would otherwise never
 * read new data without a word. The batch summary and the `--json` report say so.
 */
export const alreadyComplete = (manifest: Manifest): boolean =>
  manifest.exports.length > 0 &&
  manifest.exports.every((status) => {
    const files = manifest.outputs.filter((o) => o.export === status.export)
    return status.status === "succeeded" && files.length > 0 && files.every((o) => o.resume === "skipped")
  })

/** The exports a run could not write (or plan), for the JSON reports: key (null when unnamed), what, message. */
const failureEntries = (failures: RunResult["failures"]) =>
  failures.map((f) => ({ export: f.export.key ?? null, what: f.export.what, error: f.error.message }))

/**
 * `--json`: the run's report as one line of JSON — each output's file, export, format, source, rows written and
 * the source's count, columns, bytes, SHA-256, status (`written`, `continued`, `published`, `skipped`) and
 * warnings; every export's status (from the manifest, `null` when none was written); the failures; the run's
 * warnings (also when it wrote no manifest); whether `--resume` found every export complete (`already_complete`);
 * totals; the folder and the run's own manifest (absolute paths); with `--ddl`, the DDL files written or why none were,
 * and for a job that loads, the load's outcome.
 */
export const runReportJson = (
  command: string,
  result: RunResult,
  folder: string | null,
  steps: { readonly load?: RunLoadJson; readonly ddl?: RunStepJson } = {}
): string => {
  const { load, ddl } = steps
  const outputs = result.outputs.map(({ output }) => ({
    file: output.file,
    export: output.export,
    format: output.format,
    source: output.source,
    rows: output.rows_written,
    available_rows: output.available_data_row_count,
    columns: output.columns,
    bytes: output.bytes,
    sha256: output.sha256,
    status: output.resume,
    warnings: output.warnings
  }))
  const manifestName = result.manifestPath?.split(/[\\/]/).pop()
  const unrecorded = result.unrecorded
  return jsonLine({
    dry_run: false,
    command,
    status:
      result.failures.length === 0 && unrecorded === undefined && load?.status !== "failed" && ddl?.status !== "failed"
        ? "succeeded"
        : "failed",
    folder,
    manifest: folder === null || manifestName === undefined ? null : `${folder}/${manifestName}`,
    // Why no manifest was written (a full disk): each export's outcome is still below.
    ...(unrecorded === undefined ? {} : { manifest_error: unrecorded.error.message }),
    outputs,
    exports:
      (result.manifest ?? unrecorded?.manifest)?.exports.map((e) => ({
        export: e.export,
        status: e.status,
        error: e.error,
        files: e.files,
        ...(e.removed === undefined ? {} : { removed: e.removed })
      })) ?? null,
    // Files of earlier runs removed: TML documents of objects gone from the cluster or renamed (each export's too).
    removed: removedOf(result),
    failures: failureEntries(result.failures),
    // The run's own (the cluster's time zone not used, inactive Orgs skipped, TML files kept), as its manifest lists
    // them, also when it wrote none.
    warnings: result.warnings,
    // Every output kept by --resume: nothing was exported anew (the totals count the files kept too).
    already_complete: result.manifest !== undefined && alreadyComplete(result.manifest),
    totals: {
      files: outputs.length,
      rows: outputs.reduce((n, o) => n + o.rows, 0),
      bytes: outputs.reduce((n, o) => n + o.bytes, 0),
      failed: result.failures.length
    },
    ...(ddl === undefined ? {} : { ddl }),
    ...(load === undefined ? {} : { load })
  })
}

/**
 * `--json` of a run another run's lock refused before it wrote anything: a report of the run's shape with `status`
 * `"refused"` and `refused` saying who holds the folder (`reason` `"locked"`, the lock file, the holder's pid, host,
 * start and command, `null` when the lock does not say), so a scheduler tells "another run holds it" from "the data
 * failed" (both exit 1).
 */
export const refusedReportJson = (command: string, folder: string, refusal: LockRefusal, error: string): string =>
  jsonLine({
    dry_run: false,
    command,
    status: "refused",
    folder,
    manifest: null,
    refused: { reason: "locked", ...refusal, error },
    outputs: [],
    exports: null,
    removed: [],
    failures: [],
    warnings: [],
    totals: { files: 0, rows: 0, bytes: 0, failed: 0 }
  })

/**
 * A step after the exports (`--ddl`'s files): what it wrote, or why it failed (which makes the run's `status`
 * "failed", as its exit code says).
 */
export type RunStepJson =
  | { readonly status: "succeeded"; readonly files: ReadonlyArray<string> }
  | { readonly status: "failed"; readonly error: string }

/**
 * The `load` of a job that loads what it exported, in `spotpipe run --json`: the load's report, or why it failed
 * (which makes the run's `status` "failed", as its exit code says).
 */
export type RunLoadJson =
  | ({ readonly status: "succeeded" } & Readonly<Record<string, unknown>>)
  | { readonly status: "failed"; readonly error: string }

/** What a file of rows without a count before it is read is, by its source's type (`PRINCIPALS`: `principals table`). */
const uncountedKinds: Record<string, readonly [string, string]> = {
  METADATA: ["metadata listing", "metadata listings"],
  SECURITY_AUDIT: ["audit log", "audit logs"],
  PRINCIPALS: ["principals table", "principals tables"],
  PERMISSIONS: ["permissions table", "permissions tables"]
}

/** `a`, `a and b`, `a, b and c`. */
const listed = (items: ReadonlyArray<string>): string =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`

/**
 * What the plan counts: the rows it knows of; the files of rows that have no count before they are read whole
 * (by kind, in plan order); documents (TML), which hold no rows; the files that exist already.
 */
const planTotals = (plan: DryRunPlan) => {
  // A file --resume keeps is not written: counted apart.
  const kept = plan.outputs.filter((o) => o.resume?._tag === "Keep")
  const outputs = plan.outputs.filter((o) => o.resume?._tag !== "Keep")
  const documents = outputs.filter((o) => isDocumentFormat(o.format)).length
  const uncounted = new Map<string, number>()
  for (const o of outputs) {
    if (o.rows !== null || isDocumentFormat(o.format)) continue
    uncounted.set(o.source.type, (uncounted.get(o.source.type) ?? 0) + 1)
  }
  return {
    files: outputs.length,
    rows: outputs.reduce((n, o) => n + (o.rows ?? 0), 0),
    counted: outputs.filter((o) => o.rows !== null).length,
    unknown: [...uncounted.values()].reduce((n, k) => n + k, 0),
    uncounted: [...uncounted].map(([type, n]) => {
      const [one, many] = uncountedKinds[type] ?? ["file", "files"]
      return plural(n, one, many)
    }),
    documents,
    existing: plan.outputs.filter((o) => o.exists).length,
    kept: kept.length,
    // Files there that --resume keeps only if a run verifies them (the dry run could not check them).
    unchecked: plan.outputs.filter((o) => o.exists && o.resume?._tag === "Unchecked").length
  }
}

/** How the plan's line shows a file: marked when it exists, and with --resume by what the run would do with it. */
const fileCell = (o: DryRunPlan["outputs"][number], existing: DryRunPlan["existing"]): string => {
  switch (o.resume?._tag) {
    case "Keep":
      return `${o.file} (kept: complete and verified)`
    case "Publish":
      return `${o.file} (published: complete in the resume state)`
    case "Continue":
      return `${o.file} (continued after row ${formatCount(o.resume.rows)})`
    case "Restart":
      return `${o.file} (${o.exists ? "exists: " : ""}written anew)`
    case "Unchecked":
      return o.exists ? `${o.file} (exists: kept if complete and verified)` : o.file
  }
  return o.exists ? `${o.file} (exists${existing === "replace" ? ": replaced" : ""})` : o.file
}

/** The footer's account of what the files hold: rows counted, files counted as they are read, documents. */
const planContents = (totals: ReturnType<typeof planTotals>): string => {
  const uncounted = listed(totals.uncounted)
  const rows =
    totals.counted > 0 || (totals.unknown === 0 && totals.documents === 0)
      ? `${plural(totals.rows, "row", "rows")}${totals.unknown > 0 ? ` (besides ${uncounted}, whose rows are counted as they are read)` : ""}`
      : totals.unknown > 0
        ? `the rows of ${uncounted} (counted as they are read)`
        : ""
  const documents = totals.documents === 0 ? "" : plural(totals.documents, "TML document", "TML documents")
  return rows === "" ? documents : documents === "" ? rows : `${rows} and ${documents}`
}

/**
 * `--dry-run`'s plan as text: one line per file with its object, expected rows (`?` where the source gives no
 * count before it is read whole, `-` for a document) and columns, the files that exist already marked, the exports
 * that cannot be planned, and a last line saying that nothing was written.
 */
export const formatDryRun = (plan: DryRunPlan, folder: string | null): string => {
  const table = formatTable(
    ["object", "file", "rows", "columns"],
    plan.outputs.map((o) => [
      o.label,
      fileCell(o, plan.existing),
      isDocumentFormat(o.format) ? "-" : o.rows === null ? "?" : formatCount(o.rows),
      isDocumentFormat(o.format) ? "-" : `${o.columns.length}: ${o.columns.map((c) => c.name).join(", ")}`
    ]),
    [false, false, true, false]
  )
  const totals = planTotals(plan)
  // A failed export, then each document of it a run would not write (a `tml` export's failed items).
  const failed = plan.failures.flatMap((f) => [
    inert(`FAILED  ${failureText(f)}`),
    ...(f.failedItems ?? []).map((item) => `  ${inert(item.file)}: ${inert(item.error)}`)
  ])
  const where = folder === null ? " to stdout" : ` in ${inert(folder)}`
  const existing =
    totals.existing === 0 || plan.existing === "resume"
      ? ""
      : plan.existing === "replace"
        ? `; ${plural(totals.existing, "file exists", "files exist")} already and would be replaced (--force)`
        : `; ${plural(totals.existing, "file exists", "files exist")} already (the run needs --force or --resume)`
  const kept =
    (totals.kept === 0
      ? ""
      : `; ${plural(totals.kept, "file", "files")} complete and verified would be kept (--resume)`) +
    (totals.unchecked === 0
      ? ""
      : `; ${plural(totals.unchecked, "file", "files")} would be kept if complete and verified`)
  const removals = plan.removals ?? []
  const removing = removals.length === 0 ? "" : `, ${plural(removals.length, "file", "files")} removed`
  const before = `${table}${failed.map((line) => `${line}\n`).join("")}${removedText(removals, "would remove")}`
  // Every file kept: the run would export nothing anew, as `run --resume` says of a complete run.
  if (totals.files === 0 && totals.kept > 0 && removals.length === 0 && plan.failures.length === 0) {
    return `${before}dry run: the run is complete: --resume would keep its ${plural(totals.kept, "file", "files")} (complete and verified)${where} and export nothing anew; nothing was written\n`
  }
  return `${before}dry run: ${plural(totals.files, "file", "files")}, ${planContents(totals)} would be written${removing}${where}${kept}${existing}; nothing was written\n`
}

/** A file's `resume` in the JSON plan: what a `--resume` run would do with it (`null` without `--resume`). */
const resumeJson = (resume: DryRunPlan["outputs"][number]["resume"]) => {
  switch (resume?._tag) {
    case undefined:
      return null
    case "Keep":
      return { action: "keep", rows: resume.rows }
    case "Publish":
      return { action: "publish", rows: resume.rows }
    case "Continue":
      return { action: "continue", rows: resume.rows }
    case "Restart":
      return { action: "restart", reason: resume.reason }
    case "Fresh":
      return { action: "write" }
    case "Unchecked":
      return { action: "unchecked" }
  }
}

/**
 * `--dry-run --json`: the plan as one line of JSON — each file with its export, object, format, source, expected
 * rows (`null`: no count before it is read whole, or a document), columns, whether it exists already and what the
 * run would warn of as it writes it; the
 * exports that cannot be planned or would fail (with the documents of a `tml` export a run would not write); the
 * files a run would remove; the plan's warnings; totals (`rows_unknown`: files of rows without a count).
 */
export const dryRunJson = (command: string, plan: DryRunPlan, folder: string | null): string => {
  const totals = planTotals(plan)
  return jsonLine({
    dry_run: true,
    command,
    folder,
    outputs: plan.outputs.map((o) => ({
      file: o.file,
      export: o.export,
      object: o.label,
      format: o.format,
      source: o.source,
      rows: o.rows,
      columns: o.columns,
      exists: o.exists,
      warnings: o.warnings,
      resume: resumeJson(o.resume)
    })),
    failures: failureEntries(plan.failures).map((entry, i) => {
      const items = plan.failures[i]!.failedItems
      return items === undefined ? entry : { ...entry, failed_items: items }
    }),
    // Files of earlier runs a run would remove: TML documents of objects gone from the cluster or renamed.
    removed: (plan.removals ?? []).map((r) => ({ file: r.file, export: r.export, reason: r.reason, detail: r.detail })),
    warnings: plan.warnings,
    totals: {
      files: totals.files,
      rows: totals.rows,
      rows_unknown: totals.unknown,
      documents: totals.documents,
      existing: totals.existing,
      kept: totals.kept
    }
  })
}
