/**
 * `@spotpipe/export`: the `spotpipe` CLI (`bin/spotpipe.js`) and the pieces it is built from, for embedding an
 * export in another program: the settings checks and the connection, row formats, the atomic file publisher, the
 * export job and run, the manifest, and the CLI program itself.
 */

export { spotpipe, version } from "./cli/Cli.ts"
/** V8 flags the CLI starts with (`NodeFlags.leanMemory`), the matching glibc setting, and a check for them. */
export * as NodeFlags from "./cli/NodeFlags.ts"
export { program } from "./cli/Program.ts"
export { checkLogging, checkOutput, type Format, type OutputSettings } from "./cli/Settings.ts"
export { UsageError } from "./cli/UsageError.ts"
export type { Cluster, MetadataObject, TypedColumn, Visualization } from "./cluster/Cluster.ts"
export {
  type ClusterAuth,
  type Connection,
  type ConnectionLayer,
  checkHostUrl,
  rejectSecretFlags,
  resolveConnection
} from "./cluster/Connection.ts"
export { ExportError, ExportErrorKind } from "./ExportError.ts"
export { chooseTimeZone, type ExportTask, type RunResult, type RunSettings, runExport } from "./engine/Exporter.ts"
export { type DataPage, type JobResult, type JobSink, type JobSpec, runJob } from "./engine/ExportJob.ts"
export { ExitCode, reportFailure } from "./Failure.ts"
export { type Cell, makeRowFormat, type RowFormat } from "./formats/RowFormat.ts"
export { type ChunkWriter, publish, refuseExisting, type WriteResult } from "./output/AtomicFile.ts"
export { Manifest, ManifestOutput, manifestFileName } from "./output/Manifest.ts"
export { FileNameAllocator, sanitizeFileName } from "./plan/FileName.ts"
