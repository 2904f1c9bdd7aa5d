/**
 * `@spotpipe/export`: the `spotpipe` CLI (`bin/spotpipe.js`) and the pieces it is built from, for embedding an
 * export in another program: the option gate, row formats, the atomic file publisher, the export job and run,
 * the manifest, and the CLI program itself.
 */
export { type ChunkWriter, publish, refuseExisting, type WriteResult } from "./AtomicFile.ts"
export { spotpipe, version } from "./Cli.ts"
export type { Cluster, MetadataObject, TypedColumn, Visualization } from "./Cluster.ts"
export { ExportError, ExportErrorKind } from "./ExportError.ts"
export { chooseTimeZone, type ExportTask, type RunResult, type RunSettings, runExport } from "./Exporter.ts"
export { type DataPage, type JobResult, type JobSink, type JobSpec, runJob } from "./ExportJob.ts"
export { ExitCode, reportFailure } from "./Failure.ts"
export { FileNameAllocator, sanitizeFileName } from "./FileName.ts"
export { Manifest, ManifestOutput, manifestFileName } from "./Manifest.ts"
/** V8 flags the CLI starts with (`NodeFlags.leanMemory`), the matching glibc setting, and a check for them. */
export * as NodeFlags from "./NodeFlags.ts"
export {
  type Connection,
  type Credentials,
  checkLogging,
  checkOutput,
  type Format,
  type OutputSettings,
  rejectSecretFlags,
  resolveConnection
} from "./OptionGate.ts"
export { program } from "./Program.ts"
export { type Cell, makeRowFormat, type RowFormat } from "./RowFormat.ts"
export { UsageError } from "./UsageError.ts"
