/**
 * The table a batch run prints when it ends: one line per export with its status, files, rows and bytes, and
 * how resume treated it, so that a nightly log shows at a glance what was written, skipped or failed. Export
 * names and errors are made inert for the terminal; counts have thousands separators. The files the run removed
 * (a `tml` export's, of objects gone from the cluster) follow, worded as a single command's summary words them. A
 * `--resume` run that found every export complete says so, and how to export anew.
 * With `--log-format json` it is one JSON object instead ({@link batchSummaryJson}), with the run's warnings and
 * each output's, as the `--json` report carries them.
 */

import { isDocumentFormat, type Manifest } from "../output/Manifest.ts"
import { alreadyComplete, removedText } from "./Summary.ts"
import { formatCount, inert, jsonLine, plural } from "./TerminalText.ts"

/** The files the run removed, every export's (see `ExportStatus.removed`). */
const removedOf = (manifest: Manifest) => manifest.exports.flatMap((e) => e.removed ?? [])

const perExport = (manifest: Manifest) =>
  manifest.exports.map((status) => {
    const outputs = manifest.outputs.filter((o) => o.export === status.export)
    return {
      status,
      files: outputs.length,
      /** TML documents: files without rows. */
      documents: outputs.filter((o) => isDocumentFormat(o.format)).length,
      rows: outputs.reduce((n, o) => n + o.rows_written, 0),
      bytes: outputs.reduce((n, o) => n + o.bytes, 0),
      resume: [...new Set(outputs.map((o) => o.resume))]
    }
  })

/** The line for a run {@link alreadyComplete}: that it was, and how to export anew. */
export const alreadyCompleteLine =
  "the run was already complete: --resume found every export written and verified, so nothing was exported anew; to export anew, run with --force instead of --resume, or with a new --job-run"

/** Summary text of a batch manifest. */
export const formatBatchSummary = (manifest: Manifest): string => {
  const lines: Array<string> = []
  for (const { status, files, documents, rows, bytes, resume } of perExport(manifest)) {
    const how = resume.join("+")
    // An export of TML documents (no rows) counts them as documents, as a single command's summary does.
    const written =
      files > 0 && documents === files
        ? plural(documents, "document", "documents")
        : `${plural(files, "file", "files")}, ${plural(rows, "row", "rows")}`
    lines.push(
      inert(
        status.status === "succeeded"
          ? `ok      ${status.export}: ${written}, ${plural(bytes, "byte", "bytes")}${how === "written" || how === "" ? "" : ` (${how})`}`
          : `FAILED  ${status.export}: ${status.error ?? "failed"}`
      )
    )
  }
  const failed = manifest.exports.filter((e) => e.status === "failed").length
  const shard = manifest.shard === null ? "" : ` (shard ${manifest.shard.index}/${manifest.shard.count})`
  lines.push(
    `${formatCount(manifest.exports.length - failed)} of ${formatCount(manifest.exports.length)} exports succeeded${shard}`
  )
  if (alreadyComplete(manifest)) lines.push(alreadyCompleteLine)
  return `${lines.join("\n")}\n${removedText(removedOf(manifest), "removed")}`
}

/**
 * The batch summary as one line of JSON (numbers as plain digits): each export's outcome, the run's own warnings
 * (`warnings`) and each output's (`outputs[].warnings`, with its file and export), as the manifest lists them and
 * the `--json` report carries them, so a scheduler that reads this line sees them too.
 */
export const batchSummaryJson = (manifest: Manifest): string =>
  jsonLine({
    summary: {
      exports: perExport(manifest).map(({ status, files, rows, bytes, resume }) => ({
        export: status.export,
        status: status.status,
        error: status.error,
        files,
        rows,
        bytes,
        resume
      })),
      succeeded: manifest.exports.filter((e) => e.status === "succeeded").length,
      failed: manifest.exports.filter((e) => e.status === "failed").length,
      already_complete: alreadyComplete(manifest),
      shard: manifest.shard,
      removed: removedOf(manifest),
      warnings: manifest.warnings,
      outputs: manifest.outputs.map((o) => ({ file: o.file, export: o.export, warnings: o.warnings }))
    }
  })

/**
 * What a merged run's JSON report (`merge --json`) says of its exports, as its manifest records them: `status`
 * (`"failed"` when an export failed in the shards' latest runs, which makes the merged run one `load` refuses) and
 * `failures`, each failed export with its error, so a scheduler need not read the warning on stderr.
 */
export const mergeOutcomeJson = (
  manifest: Manifest
): {
  readonly status: "succeeded" | "failed"
  readonly failures: ReadonlyArray<{ readonly export: string; readonly error: string | null }>
} => {
  const failures = manifest.exports
    .filter((e) => e.status !== "succeeded")
    .map((e) => ({ export: e.export, error: e.error }))
  return { status: failures.length === 0 ? "succeeded" : "failed", failures }
}
