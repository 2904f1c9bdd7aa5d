/**
 * `@spotpipe/export`: the `spotpipe` CLI (`bin/spotpipe.js`) and the pieces it is built from, for embedding an
 * export in another program: the settings checks and the connection, the job file and planner, the export engine
 * and its page writer, row formats, atomic files, the manifest, and the CLI program itself.
 */

export { spotpipe, version } from "./cli/Cli.ts"
export { runCli } from "./cli/Main.ts"
/** V8 flags the CLI starts with (`NodeFlags.leanMemory`), the matching glibc setting, and a check for them. */
export * as NodeFlags from "./cli/NodeFlags.ts"
export { program } from "./cli/Program.ts"
export { checkLogging, checkOutput, type OutputSettings } from "./cli/Settings.ts"
export type { Cluster, DataPage, MetadataObject, TypedColumn, Visualization } from "./cluster/Cluster.ts"
export {
  type ClusterAuth,
  type Connection,
  type ConnectionLayer,
  rejectSecretFlags,
  resolveConnection
} from "./cluster/Connection.ts"
export { checkHostUrl } from "./cluster/HostUrl.ts"
export { ExportError, ExportErrorKind } from "./ExportError.ts"
export { chooseTimeZone, type RunResult, runExports } from "./engine/Engine.ts"
export { type JobResult, type JobSink, type JobSpec, runJob } from "./engine/ExportJob.ts"
export { type Destination, type RunOptions, type Step, StepProbe } from "./engine/Run.ts"
export { ExitCode, reportFailure } from "./Failure.ts"
export { type Cell, type Format, formats, type RowFormat } from "./formats/RowFormat.ts"
export { makeRowFormat } from "./formats/TextFormats.ts"
export { type ChunkWriter, replaceFile, type WriteResult } from "./output/AtomicFile.ts"
export { Manifest, ManifestOutput, manifestFileName, readManifests } from "./output/Manifest.ts"
export { Stdout } from "./output/StdoutWriter.ts"
export { FileNameAllocator, sanitizeFileName } from "./plan/FileName.ts"
export { type JobExport, makeExport, parseJobFile } from "./plan/JobFile.ts"
export type { PlannedOutput } from "./plan/PlannedOutput.ts"
export { resolveExport } from "./plan/Planner.ts"
export { UsageError } from "./UsageError.ts"
