/**
 * The run a load reads: its manifest (given as the file, or as the run folder holding `manifest.json`), the
 * manifest's own SHA-256 (the load's fingerprint), and each output with the table it loads into. Read with a
 * schema of only the fields a load needs, so manifests that carry more (a Parquet output, a `null_string`) load
 * too. A run with a failed export is refused unless the caller allows it: its tables would be a partial picture.
 * Given a folder, the load reads its latest run (`manifest.json`); the folder's other runs (each command into one
 * folder is a run of its own) are listed with the files they wrote that the loaded run does not, so a load can
 * say what it left and how to load it. An output entry that carries a `description_sha256` (every entry written since
 * it was introduced) must still describe its file as the run wrote it: the file's SHA-256 does not cover its
 * columns, types, null string or settings, and a load reading the file by changed ones would load other values.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Exit, Schema } from "effect"
import * as Checkpoint from "../engine/Checkpoint.ts"
import { shellWord } from "../Interruption.ts"
import {
  descriptionDigest,
  isDocumentFormat,
  manifestFileName,
  runManifestName,
  runManifestPattern
} from "../output/Manifest.ts"
import { copyAndMerge } from "../output/Merge.ts"
import { runWritingIn, stateDirName } from "../output/OutputLock.ts"
import { changedSetting, type OutputSettings } from "../plan/OutputSettings.ts"
import { tableNames } from "./Warehouse.ts"

const LoadColumn = Schema.Struct({
  name: Schema.String,
  type: Schema.NullOr(Schema.String),
  /** The result's name of a column `--column-names snake` renamed. */
  source_name: Schema.optionalKey(Schema.String)
})

const LoadOutput = Schema.Struct({
  file: Schema.String,
  format: Schema.String,
  columns: Schema.Array(LoadColumn),
  rows_written: Schema.Int,
  bytes: Schema.Int,
  sha256: Schema.String,
  /** The text a CSV file writes for a null, when the run chose one (else a null is an empty field). */
  null_string: Schema.optionalKey(Schema.String),
  settings: Schema.optionalKey(Schema.Unknown),
  /** A part of a split export: not a table of its own (only part 1 has a CSV header). */
  part: Schema.optionalKey(Schema.Struct({ index: Schema.Int, count: Schema.Int })),
  description_sha256: Schema.optionalKey(Schema.String)
})

const LoadManifestSchema = Schema.Struct({
  run_id: Schema.String,
  command: Schema.optionalKey(Schema.String),
  exports: Schema.Array(
    Schema.Struct({ export: Schema.String, status: Schema.String, error: Schema.NullOr(Schema.String) })
  ),
  outputs: Schema.Array(LoadOutput)
})

const decode = Schema.decodeUnknownExit(Schema.fromJsonString(LoadManifestSchema))

/** Of another run in the folder, only what says which files it wrote. */
const OtherManifestSchema = Schema.Struct({
  run_id: Schema.String,
  outputs: Schema.Array(
    Schema.Struct({
      file: Schema.String,
      format: Schema.String,
      part: Schema.optionalKey(Schema.Unknown)
    })
  )
})

const decodeOther = Schema.decodeUnknownExit(Schema.fromJsonString(OtherManifestSchema))

/** The formats a load reads. */
export type LoadFormat = "csv" | "ndjson" | "parquet"

/** One output of the run, ready to load. */
export interface LoadOutput {
  /** As the manifest names it, relative to the manifest's folder. */
  readonly file: string
  /** Its absolute path. */
  readonly path: string
  readonly format: LoadFormat
  readonly columns: ReadonlyArray<{ readonly name: string; readonly type: string | null }>
  readonly rows: number
  readonly bytes: number
  readonly sha256: string
  readonly nullString: string | undefined
  /** Written with `--escape-formulae`: some cells carry a `'` that is not in the data. */
  readonly escapedFormulae: boolean
  readonly table: string
  /** The result's name of each column renamed by `--column-names snake` (by the file's name), for messages. */
  readonly resultNames?: ReadonlyMap<string, string>
  /** The settings the manifest says it was written with (`OutputSettings`), when it says. */
  readonly settings?: unknown
}

/** Another run in the folder of the loaded one, and the files it wrote that the loaded run does not list. */
export interface OtherRun {
  /** Its own `manifest-<run_id>.json`. */
  readonly manifest: string
  readonly runId: string
  readonly files: ReadonlyArray<string>
}

/** A run's manifest, read for a load. */
export interface RunManifest {
  /** The manifest file read. */
  readonly path: string
  readonly runId: string
  /** SHA-256 of the manifest's bytes: which run a load came from. */
  readonly fingerprint: string
  readonly outputs: ReadonlyArray<LoadOutput>
  /** `export: reason` of each failed export. */
  readonly failed: ReadonlyArray<string>
  /** The run is `spotpipe merge`'s join of shards' runs (rerun by its shards, not by itself). */
  readonly merged: boolean
  /** Given a folder: its other runs with files this one does not list (oldest first); else none. */
  readonly otherRuns: ReadonlyArray<OtherRun>
}

/** Why a run cannot be loaded (a usage problem: the message says what to do). */
export class RunManifestError extends Error {}

/** A shard's run as the copy of its manifest (`manifest.shard-2-of-3.json`) records it, if that reads. */
const shardRunIn = (dir: string, name: string) => {
  const shard = /^manifest\.shard-(\d+)-of-(\d+)\.json$/.exec(name)
  if (shard === null) return undefined
  try {
    const m = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, name), "utf8")) as Record<string, unknown>
    const job = m.job as { readonly fingerprint?: unknown } | null | undefined
    return {
      index: Number(shard[1]),
      count: Number(shard[2]),
      runId: String(m.run_id),
      job: typeof job?.fingerprint === "string" ? job.fingerprint : undefined,
      jobRun: typeof m.job_run === "string" ? m.job_run : undefined
    }
  } catch {
    return undefined
  }
}

/**
 * For a folder that holds only some shards of its newest shard run's job (shards that each wrote into a folder of
 * their own): the command that copies every shard's folder into one, merges and loads it. The other shards'
 * folders are those beside it holding the copy of a manifest of the same job and job run, else placeholders.
 */
const ownFolderShards = (given: string, dir: string, names: ReadonlyArray<string>): string | undefined => {
  const runs = names.flatMap((name) => shardRunIn(dir, name) ?? [])
  const newest = runs.sort((a, b) => (a.runId < b.runId ? -1 : 1)).at(-1)
  if (newest === undefined || newest.job === undefined) return undefined
  const same = (r: NonNullable<ReturnType<typeof shardRunIn>>) =>
    r.count === newest.count && r.job === newest.job && r.jobRun === newest.jobRun
  const here = new Set(runs.filter(same).map((r) => r.index))
  const folders = new Map<number, string>()
  for (let index = 1; index <= newest.count; index++) if (here.has(index)) folders.set(index, given)
  // Every shard ran into this folder (of this job run or another): merge of it says what is missing, if anything.
  const ran = new Set(runs.filter((r) => r.count === newest.count && r.job === newest.job).map((r) => r.index))
  if (ran.size === newest.count) return undefined
  const parent = NodePath.dirname(dir)
  // A sibling as the given folder is shown: `./pods/shard-0` beside `./pods/shard-1`.
  const beside = (name: string) => {
    const at = NodePath.dirname(given)
    return at === "." ? `./${name}` : `${at}/${name}`
  }
  let siblings: ReadonlyArray<NodeFs.Dirent> = []
  try {
    siblings = NodeFs.readdirSync(parent, { withFileTypes: true })
      .filter((d) => d.isDirectory() && NodePath.join(parent, d.name) !== dir)
      .sort((a, b) => (a.name < b.name ? -1 : 1))
  } catch {}
  for (const sibling of siblings) {
    for (let index = 1; index <= newest.count; index++) {
      if (folders.has(index)) continue
      const run = shardRunIn(NodePath.join(parent, sibling.name), `manifest.shard-${index}-of-${newest.count}.json`)
      // Shown as the given folder is: beside it.
      if (run !== undefined && same(run)) folders.set(index, beside(sibling.name))
    }
  }
  const missing: Array<number> = []
  const all = Array.from({ length: newest.count }, (_, i) => {
    const folder = folders.get(i + 1)
    if (folder === undefined) missing.push(i + 1)
    return folder ?? `<folder of shard ${i + 1}>`
  })
  const dirs = [...new Set(all)]
  const landing = ["./landing", "./landing-2", "./landing-3"].find(
    (d) => !dirs.some((f) => NodePath.resolve(f) === NodePath.resolve(d))
  )
  return `${given} holds the run of shard ${newest.index} of ${newest.count} of a job whose shards wrote into folders of their own${missing.length === 0 ? "" : `; ${missing.length === 1 ? "the folder of shard" : "the folders of shards"} ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not beside it: fill ${missing.length === 1 ? "it" : "them"} in`}. Copy every shard's folder into one, join their runs there with spotpipe merge (it joins the parts of split exports too), then load that folder: ${copyAndMerge(dirs, landing ?? "<folder>")} && spotpipe load ${landing ?? "<folder>"} --into …`
}

/** Why the folder `dir` (as the user gave it) has nothing to load yet, and what to give or run instead. */
const noManifest = (given: string, dir: string): string => {
  // A run still writing is not unfinished: it needs no --resume, only time.
  const writing = runWritingIn(dir)
  if (writing !== undefined) {
    return `${given} holds no ${manifestFileName} yet: a spotpipe run is writing to it now (${writing}); wait for it to finish, then load the folder`
  }
  const names = NodeFs.readdirSync(dir)
  const shards = names.filter((name) => /^manifest\.shard-\d+-of-\d+\.json$/.test(name)).sort()
  if (shards.length > 0) {
    const apart = ownFolderShards(given, dir, shards)
    if (apart !== undefined) return apart
    return `${given} holds no ${manifestFileName} but the manifests of shards (${shards.join(", ")}): join their runs into one with spotpipe merge ${given} (it joins the parts of split exports too), then load the folder`
  }
  const runs = names.filter((name) => runManifestPattern.test(name)).sort()
  if (runs.length > 0) {
    // The copy is gone, not the runs: each run's own manifest loads that run.
    const newest = NodePath.join(given, runs.at(-1)!)
    return `${given} holds no ${manifestFileName} (the copy of its latest run's manifest) but ${runs.length === 1 ? "a run's own manifest" : `${runs.length} runs' own manifests, the newest`} ${runs.at(-1)}: load that run by giving the file, spotpipe load ${shellWord(newest)} --into …${runs.length === 1 ? "" : " (or another run's manifest-….json)"}`
  }
  if (names.includes(stateDirName)) {
    return `${given} holds no ${manifestFileName}: no run has finished in it (an unfinished one left its state in ${stateDirName}/); finish it by running the same command again with --resume, then load the folder`
  }
  return `${given} holds no ${manifestFileName}: no run has finished in it; give a run's output folder or its manifest-….json`
}

/**
 * What to give instead of a folder's damaged `manifest.json`, a copy of its latest run's own manifest: that one, when
 * the copy still names its run and it reads; else the newest run manifest beside it that reads, which the user must
 * know to be the run meant; else a new export.
 */
const intactRunManifest = (dir: string, damaged: string): string => {
  const reads = (name: string) => intactFile(dir, name)
  const own = /"run_id"\s*:\s*"(\d{8}T\d{9}Z-[0-9a-f]{4})"/.exec(damaged)?.[1]
  if (own !== undefined && reads(runManifestName(own))) {
    return `it is a copy of its run's own manifest, ${NodePath.join(dir, runManifestName(own))}, which reads: give that file`
  }
  const intact = NodeFs.readdirSync(dir)
    .filter((name) => runManifestPattern.test(name))
    .sort()
    .reverse()
    .find(reads)
  return intact === undefined
    ? "no run manifest beside it reads either; export the run again"
    : `the newest run manifest beside it that reads is ${NodePath.join(dir, intact)}: give that file if its run is the one to load (the latest run's own manifest may be damaged too), or export the run again`
}

/**
 * The file of the first output entry in `text` (a manifest that decoded) whose `description_sha256` does not match
 * what the entry says now; `undefined` when every entry that has one matches.
 */
const changedEntry = (text: string): string | undefined => {
  const outputs = (JSON.parse(text) as { outputs: ReadonlyArray<Record<string, unknown>> }).outputs
  return outputs.find((o) => typeof o.description_sha256 === "string" && o.description_sha256 !== descriptionDigest(o))
    ?.file as string | undefined
}

/** Whether the run manifest `name` in `dir` reads and describes its files as its run wrote them. */
const intactFile = (dir: string, name: string): boolean => {
  try {
    const text = NodeFs.readFileSync(NodePath.join(dir, name), "utf8")
    return Exit.isSuccess(decode(text)) && changedEntry(text) === undefined
  } catch {
    return false
  }
}

/**
 * Reads the manifest at `given` (a manifest file, or a run folder with `manifest.json`); with `only`, just the
 * outputs of that format (a run that wrote each result in several formats: one table per result).
 */
export const readRunManifest = (given: string, only?: LoadFormat): RunManifest => {
  let path = NodePath.resolve(given)
  let stat: NodeFs.Stats
  try {
    stat = NodeFs.statSync(path)
  } catch {
    throw new RunManifestError(`${given} does not exist: give a run's output folder or its manifest-….json`)
  }
  if (stat.isDirectory()) {
    path = NodePath.join(path, manifestFileName)
    if (!NodeFs.existsSync(path)) throw new RunManifestError(noManifest(given, NodePath.dirname(path)))
  }
  let bytes: Buffer
  try {
    bytes = NodeFs.readFileSync(path)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new RunManifestError(
      `${path} cannot be read (${code === "EISDIR" ? "it is a folder" : (code ?? "unknown error")}): give a run's output folder or its manifest-….json`
    )
  }
  const decoded = decode(bytes.toString("utf8"))
  if (Exit.isFailure(decoded)) {
    throw new RunManifestError(
      `${path} is not a spotpipe manifest (or is torn): ${stat.isDirectory() ? intactRunManifest(NodePath.dirname(path), bytes.toString("utf8")) : "give a finished run's manifest"}`
    )
  }
  const manifest = decoded.value
  const dir = NodePath.dirname(path)
  const changed = changedEntry(bytes.toString("utf8"))
  if (changed !== undefined) {
    // A copy edited while the run's own manifest is intact: that one loads the run as it was written.
    const own = runManifestName(manifest.run_id)
    const instead =
      NodePath.basename(path) !== own && intactFile(dir, own)
        ? `give the run's own manifest, which is intact (spotpipe load ${shellWord(NodePath.join(dir, own))} --into …), or export the run again`
        : "export the run again to load it"
    throw new RunManifestError(
      `${path}: the manifest's description of ${changed} (its columns, types, null string, format or settings) was changed after the run wrote it, so the file would be read otherwise than it was written; nothing was loaded: ${instead}`
    )
  }
  // TML documents (`yaml`, `json`) are files, not tables: a run's tables are loaded without them.
  const loadable = manifest.outputs.filter((o) => !isDocumentFormat(o.format))
  const chosen = only === undefined ? loadable : loadable.filter((o) => o.format === only)
  if (loadable.length === 0 && manifest.outputs.length > 0) {
    const others = stat.isDirectory()
      ? otherRunsOf(
          dir,
          manifest.run_id,
          manifest.outputs.map((o) => o.file),
          only
        )
      : []
    throw new RunManifestError(
      `${path} lists TML documents only, which are files, not tables: its run has nothing to load${others.length === 0 ? "" : `; ${others.length === 1 ? "another run" : `${others.length} other runs`} in ${given} wrote tables, loaded by giving ${others.length === 1 ? "its own manifest" : "each one's own manifest"}: ${others.map((r) => `spotpipe load ${shellWord(r.manifest)} --into … (${r.files.slice(0, 3).join(", ")}${r.files.length > 3 ? ", …" : ""})`).join("; ")}`}`
    )
  }
  if (chosen.length === 0 && only !== undefined) {
    throw new RunManifestError(`${path} lists no ${only} output: drop --format, or give the format the run wrote`)
  }
  const tables = tableNames(chosen.map((o) => o.file))
  const outputs = chosen.map((o, i): LoadOutput => {
    if (o.part !== undefined) {
      throw new RunManifestError(
        `${o.file} is part ${o.part.index} of ${o.part.count} of a split export, not a table: join the parts first (spotpipe merge <the run folders>) and load the merged run's manifest`
      )
    }
    if (o.format !== "csv" && o.format !== "ndjson" && o.format !== "parquet") {
      throw new RunManifestError(`${o.file}: format "${o.format}" cannot be loaded (csv, ndjson or parquet can)`)
    }
    return {
      file: o.file,
      path: NodePath.join(dir, o.file),
      format: o.format,
      columns: o.columns.map((c) => ({ name: c.name, type: c.type })),
      resultNames: new Map(o.columns.flatMap((c) => (c.source_name === undefined ? [] : [[c.name, c.source_name]]))),
      rows: o.rows_written,
      bytes: o.bytes,
      sha256: o.sha256,
      // An empty null string is the default: an empty field is a null.
      nullString: o.null_string === "" ? undefined : o.null_string,
      escapedFormulae:
        typeof o.settings === "object" &&
        o.settings !== null &&
        (o.settings as { escapeFormulae?: unknown }).escapeFormulae === true,
      table: tables[i]!,
      ...(o.settings === undefined ? {} : { settings: o.settings })
    }
  })
  return {
    path,
    runId: manifest.run_id,
    fingerprint: createHash("sha256").update(bytes).digest("hex"),
    outputs,
    failed: manifest.exports.filter((e) => e.status !== "succeeded").map((e) => `${e.export}: ${e.error ?? "failed"}`),
    merged: manifest.command === "merge",
    otherRuns: stat.isDirectory()
      ? otherRunsOf(
          dir,
          manifest.run_id,
          manifest.outputs.map((o) => o.file),
          only
        )
      : []
  }
}

/**
 * The folder's other runs (their own manifests, oldest first) with the tables they could load that `runId`, whose
 * files are `listed`, does not: each such file with the newest run that lists it, if it is still there. Parts (no
 * tables), TML documents and, with `only`, files of other formats do not count; a manifest that cannot be read
 * is passed over (this only tells what a load left).
 */
const otherRunsOf = (
  dir: string,
  runId: string,
  listed: ReadonlyArray<string>,
  only: LoadFormat | undefined
): ReadonlyArray<OtherRun> => {
  const names = NodeFs.readdirSync(dir)
    .filter((name) => runManifestPattern.test(name) && name !== runManifestName(runId))
    .sort()
  const newest = new Map<string, string>()
  const runIds = new Map<string, string>()
  for (const name of names) {
    const decoded = decodeOther(NodeFs.readFileSync(NodePath.join(dir, name), "utf8"))
    if (Exit.isFailure(decoded)) continue
    runIds.set(name, decoded.value.run_id)
    for (const o of decoded.value.outputs) {
      const table = o.part === undefined && !isDocumentFormat(o.format) && (only === undefined || o.format === only)
      if (table) newest.set(o.file, name)
    }
  }
  const loaded = new Set(listed)
  const byRun = new Map<string, Array<string>>()
  for (const [file, name] of newest) {
    if (loaded.has(file) || !NodeFs.existsSync(NodePath.join(dir, file))) continue
    byRun.set(name, [...(byRun.get(name) ?? []), file])
  }
  return [...byRun]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, files]) => ({ manifest: NodePath.join(dir, name), runId: runIds.get(name)!, files }))
}

/** A file of the folder a later run wrote and vouched for in its resume state, not yet in a manifest. */
interface LaterFile {
  readonly record: Checkpoint.CheckpointRecord
  /** That run was a `--force` run (its marker for the file is there). */
  readonly forced: boolean
}

/** The complete checkpoints in the state folder of the run folder `dir`, by output file; none when it has none. */
const laterFilesIn = (dir: string): ReadonlyMap<string, LaterFile> => {
  const stateDir = NodePath.join(dir, stateDirName)
  const found = new Map<string, LaterFile>()
  let names: ReadonlyArray<string> = []
  try {
    names = NodeFs.readdirSync(stateDir)
  } catch {
    return found
  }
  const suffix = ".checkpoint.json"
  for (const name of names) {
    if (!name.endsWith(suffix) || name.startsWith(".")) continue
    let record: Checkpoint.CheckpointRecord | "unreadable"
    try {
      record = Checkpoint.parseRecord(NodeFs.readFileSync(NodePath.join(stateDir, name), "utf8"))
    } catch {
      continue
    }
    if (record === "unreadable" || record.state !== "complete") continue
    const forced = names.includes(`${name.slice(0, -suffix.length)}.forced`)
    found.set(record.file, { record, forced })
  }
  return found
}

/** A file a shard's finished run wrote into a folder whose `manifest.json` is an earlier merge. */
interface UnmergedShardFile {
  readonly sha256: string
  readonly index: number
  readonly count: number
  readonly jobRun: string | undefined
}

/**
 * The files the shards' latest runs in `dir` (their `manifest.shard-i-of-n.json`) wrote after the merged run
 * `mergedRunId`, by file: in a folder the shards reuse night after night, tonight's before tonight's merge.
 */
const unmergedShardFilesIn = (dir: string, mergedRunId: string): ReadonlyMap<string, UnmergedShardFile> => {
  const found = new Map<string, UnmergedShardFile>()
  let names: ReadonlyArray<string> = []
  try {
    names = NodeFs.readdirSync(dir)
  } catch {
    return found
  }
  for (const name of names) {
    const shard = shardRunIn(dir, name)
    if (shard === undefined || !(shard.runId > mergedRunId)) continue
    let outputs: unknown
    try {
      outputs = (JSON.parse(NodeFs.readFileSync(NodePath.join(dir, name), "utf8")) as Record<string, unknown>).outputs
    } catch {
      continue
    }
    if (!Array.isArray(outputs)) continue
    for (const o of outputs as ReadonlyArray<Record<string, unknown>>) {
      if (typeof o?.file !== "string" || typeof o.sha256 !== "string") continue
      found.set(o.file, { sha256: o.sha256, index: shard.index, count: shard.count, jobRun: shard.jobRun })
    }
  }
  return found
}

/** The SHA-256 of the file at `path`, read whole; undefined when it cannot be read. */
const sha256Of = (path: string): string | undefined => {
  try {
    return createHash("sha256").update(NodeFs.readFileSync(path)).digest("hex")
  } catch {
    return undefined
  }
}

/**
 * Checks the files of `run` against later runs into its folder that have
 * not finished: a file a run is writing now, or one a later run published and vouched for in its resume state
 * before it stopped, short of its manifest (a `--force` run interrupted, say). Such a file is not this manifest's,
 * and what to do is to wait for that run or finish it, not to export again: one line per such file, none when
 * there is none (the load's own check still refuses any other changed file).
 */
export const unfinishedRunProblems = (run: RunManifest): ReadonlyArray<string> => {
  const dir = NodePath.dirname(run.path)
  const later = laterFilesIn(dir)
  const writing = runWritingIn(dir)
  const unmerged = run.merged ? unmergedShardFilesIn(dir, run.runId) : new Map<string, UnmergedShardFile>()
  const problems: Array<string> = []
  for (const output of run.outputs) {
    const shardFile = unmerged.get(output.file)
    if (shardFile !== undefined && shardFile.sha256 !== output.sha256 && sha256Of(output.path) === shardFile.sha256) {
      problems.push(
        `${output.file} is not the file this manifest describes: shard ${shardFile.index} of ${shardFile.count}${shardFile.jobRun === undefined ? "" : ` of job run "${shardFile.jobRun}"`} wrote it after this merged run, and its shards are not merged yet: join them with spotpipe merge ${shellWord(dir)}, then load the folder`
      )
      continue
    }
    const found = later.get(output.file)
    if (found === undefined || found.record.sha256 === output.sha256) continue
    let size: number
    try {
      size = NodeFs.statSync(output.path).size
    } catch {
      continue
    }
    // The later run's file is at the path (its size, then its bytes): not one it staged and never published.
    if (size !== found.record.bytes || sha256Of(output.path) !== found.record.sha256) continue
    const which = found.forced ? "a later --force run" : "a later run"
    if (writing !== undefined) {
      problems.push(
        `${output.file} is not the file this manifest describes: ${which} that is still writing to ${dir} (${writing}) replaced it; wait for that run to finish, then load the folder`
      )
      continue
    }
    const change = changedSetting(output.settings, found.record.settings as OutputSettings)
    const wrote =
      change === undefined
        ? ""
        : ` (it wrote the file with ${change.setting} ${change.to}; this manifest's run with ${change.from})`
    const again =
      found.record.job === undefined
        ? "its command again with --resume instead of --force, as its interrupt line printed it"
        : `it again with --resume and the flags it was given, as its interrupt line printed it (spotpipe run ${shellWord(found.record.job)} --out ${shellWord(dir)} … --resume)`
    problems.push(
      `${output.file} is not the file this manifest describes: ${which} replaced it and stopped before writing its manifest${wrote}; its state is in ${stateDirName}/. Finish that run by running ${again}, then load the folder`
    )
  }
  return problems
}
