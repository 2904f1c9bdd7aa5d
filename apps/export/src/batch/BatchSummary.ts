/**
 * The table a batch run prints when it ends: one line per export with its status, files, rows and bytes, and
 * how resume treated it, so that a nightly log shows at a glance what was written, skipped or failed.
 */
import type { BatchManifest } from "./BatchManifest.ts"

/** Summary text of a batch manifest. */
export const formatBatchSummary = (manifest: BatchManifest): string => {
  const lines: Array<string> = []
  for (const status of manifest.exports) {
    const outputs = manifest.outputs.filter((o) => o.export === status.export)
    const rows = outputs.reduce((n, o) => n + o.rows_written, 0)
    const bytes = outputs.reduce((n, o) => n + o.bytes, 0)
    const how = [...new Set(outputs.map((o) => o.resume))].join("+")
    lines.push(
      status.status === "succeeded"
        ? `ok      ${status.export}: ${outputs.length} file(s), ${rows} rows, ${bytes} bytes${how === "written" ? "" : ` (${how})`}`
        : `FAILED  ${status.export}: ${status.error ?? "failed"}`
    )
  }
  const failed = manifest.exports.filter((e) => e.status === "failed").length
  const shard = manifest.shard === null ? "" : ` (shard ${manifest.shard.index}/${manifest.shard.count})`
  lines.push(`${manifest.exports.length - failed} of ${manifest.exports.length} exports succeeded${shard}`)
  return `${lines.join("\n")}\n`
}
