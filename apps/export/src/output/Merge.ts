/**
 * `spotpipe merge`: joins the part files of split exports (`"split": K` in a job file, see `JobFile`) into the one
 * file an unsplit run writes, with one manifest. Parts are found in the manifests of the given run folders (the
 * shards may have written into one folder or several): those the newest run of each shard of the job lists (the
 * job of the newest run that wrote parts, by fingerprint), so parts an earlier version of the job left are named
 * in a warning and left out, and a shard with no run of the job is refused by number (its outputs would be
 * missing from the merged run, parts or not). The shards' runs are of one job run (`spotpipe run --job-run`, that of
 * the job's newest run): a shard whose latest run is of another (last night's, in a folder used every night) is
 * refused by number, never joined; without job run ids, runs that started more than `maxSpreadHours` apart are
 * refused as most likely of different nights. Before anything is written, every group of parts is checked
 * against its manifest entries: all K parts present once, their page ranges contiguous from the first page to the
 * last, the same columns, format, settings, source and row count, the rows adding up to the result's, and each
 * part file's size and SHA-256 as recorded, and each entry's description of its file as its run recorded it
 * (`description_sha256`; the merged entry gets its own). Only part 1 holds a CSV header and NDJSON has none, so
 * joining is concatenation: the merged file is byte for byte what a single run writes. It is written to a temp file beside
 * its target, each part's SHA-256 checked again on the way, fsynced and renamed (as `AtomicFile` does), and the
 * run's manifest (`command: "merge"`) lists the merged files and, when the shards wrote into the merge's own folder,
 * the other outputs of the same job there (as their runs recorded them, each file checked against its entry first),
 * so the merged run is the whole job's and `spotpipe load` of the folder loads all of it. Parquet parts are refused (a Parquet file is not
 * a concatenation of parts; the job file refuses `split` with Parquet anyway). Nothing is written when anything
 * is missing or does not match (nor when the caller's own check fails, `--ddl`'s): the error names the part and what to do — a shard to run again by the command line
 * its job run ran it with (job run, folder, the flags its files record). A sharded run of a job without `split`
 * is joined the same way, its manifest listing only the shards' other outputs, so the folder loads as one run.
 */
import { createHash } from "node:crypto"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Clock, Effect, FileSystem, Path, Stream } from "effect"
import { ExportError } from "../ExportError.ts"
import { shellWord } from "../Interruption.ts"
import { UsageError } from "../UsageError.ts"
import { errnoFileError, fileError, syncDirectory, tempFileName } from "./AtomicFile.ts"
import {
  describedOutput,
  describesAsWritten,
  type ExportStatus,
  isDocumentFormat,
  type Manifest,
  type ManifestColumn,
  type ManifestOutput,
  makeRunId,
  manifestFileName,
  type OrgSelection,
  readManifests,
  renderManifest,
  runIdOfName,
  runManifestName,
  type ShardOf,
  unreadableRunManifests
} from "./Manifest.ts"
import { lockOutputDirectory, stateDirName } from "./OutputLock.ts"
import { shownName, stateBases } from "./StateFolder.ts"

/** What `spotpipe merge` was asked. */
export interface MergeOptions {
  /** The run folders holding the parts (their manifests list them). */
  readonly runs: ReadonlyArray<string>
  /** Where the merged files and manifest go (default: the first run folder). */
  readonly out: string
  /** Replace merged files that exist already. */
  readonly force: boolean
  /**
   * Shard runs without a job run id are refused when they started further apart than this (hours; default
   * {@link defaultMaxSpreadHours}).
   */
  readonly maxSpreadHours?: number
  readonly version: string
  /**
   * The fingerprint of the job in the job file at a path (relative: to where merge runs), or `undefined` when there
   * is none that reads as a job: how a shard's rerun command is checked to name the job the shards ran.
   */
  readonly jobFingerprintAt: (path: string) => Effect.Effect<string | undefined, never, FileSystem.FileSystem>
  /**
   * Runs once everything is checked, before anything is written, with the folders the merge reads and writes (the
   * shards' and `out`) and the outputs its manifest will list: a failure leaves nothing written (`--ddl`'s checks).
   */
  readonly beforeWriting?: (merged: {
    readonly folders: ReadonlyArray<string>
    readonly outputs: ReadonlyArray<ManifestOutput>
  }) => Effect.Effect<void, ExportError, FileSystem.FileSystem | Path.Path>
}

/**
 * How far apart (hours) the chosen runs of shards without a job run id may have started: half a day. Two runs of a
 * daily schedule start about 24 hours apart, and even one moved by hours stays over 12; the shards of one run start
 * together, and a retried one within the retry back-off (minutes on Kubernetes, at once on AWS Batch). More frequent
 * schedules, or shards queued for hours, need `--job-run`.
 */
export const defaultMaxSpreadHours = 12

/** One merged file. */
export interface MergedFile {
  readonly file: string
  readonly parts: number
  readonly rows: number
  readonly bytes: number
  readonly sha256: string
}

/** What a merge wrote. */
export interface MergeReport {
  readonly files: ReadonlyArray<MergedFile>
  /** The job's other outputs in the merge's folder, listed in its manifest beside the merged files. */
  readonly others: ReadonlyArray<string>
  readonly manifestPath: string
  /** The job run of the shards joined (`spotpipe run --job-run`), when they had one. */
  readonly jobRun: string | undefined
  /** How many shards' runs it joined (1 for a split export of an unsharded run). */
  readonly shards: number
  /** The merged run's manifest, as written. */
  readonly manifest: Manifest
}

/** A part file as a manifest lists it, with the folder and run it came from. */
interface FoundPart {
  readonly dir: string
  readonly entry: ManifestOutput & { readonly part: NonNullable<ManifestOutput["part"]> }
  readonly manifest: Manifest
}

/** `orders.part-0002-of-0004.csv` → `orders.csv` (the file an unsplit run writes). */
const partName = /^(.*)\.part-\d{4,}-of-\d{4,}(\.[^./]+)$/

const refuse = (message: string) => new ExportError({ kind: "Incomplete", message })

/** The JSON text of `value` with object keys sorted, for comparing settings. */
const stable = (value: unknown): string =>
  JSON.stringify(value, (_, v: unknown) =>
    typeof v === "object" && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v
  )

/** A value as a refusal shows it: a string as it is, anything else as JSON, at most 200 characters. */
const shownValue = (value: unknown): string => {
  const text = typeof value === "string" ? value : stable(value)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** Two differing values as a refusal shows them: of two objects (settings, a source) only the keys that differ. */
const shownPair = (a: unknown, b: unknown): string => {
  if (!isRecord(a) || !isRecord(b)) return `${shownValue(a)} and ${shownValue(b)}`
  const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].filter((k) => stable(a[k]) !== stable(b[k]))
  const pick = (o: Record<string, unknown>) => Object.fromEntries(keys.map((k) => [k, o[k] ?? null]))
  return `${shownValue(pick(a))} and ${shownValue(pick(b))}`
}

/** A column as a refusal shows it: `"Revenue" (DOUBLE)`. */
const columnShown = (c: ManifestColumn) => `"${c.name}" (${c.type ?? "no type"})`

/**
 * How two files' columns differ, briefly (at most four differences): the columns only one has, those whose type
 * (or result name, period end) differs, else the first place their order differs. `a` and `b` name the files.
 */
const columnsDiffer = (
  a: ReadonlyArray<ManifestColumn>,
  b: ReadonlyArray<ManifestColumn>,
  aShown: string,
  bShown: string
): string => {
  const byName = (columns: ReadonlyArray<ManifestColumn>) => new Map(columns.map((c) => [c.name, c]))
  const inA = byName(a)
  const inB = byName(b)
  const only = (of: ReadonlyArray<ManifestColumn>, other: ReadonlyMap<string, ManifestColumn>) =>
    of.filter((c) => !other.has(c.name)).map(columnShown)
  const onlyA = only(a, inB)
  const onlyB = only(b, inA)
  const differences = [
    ...(onlyA.length === 0 ? [] : [`only ${aShown} has ${onlyA.join(", ")}`]),
    ...(onlyB.length === 0 ? [] : [`only ${bShown} has ${onlyB.join(", ")}`]),
    ...a.flatMap((c) => {
      const other = inB.get(c.name)
      if (other === undefined || stable(c) === stable(other)) return []
      // The type, else what else describes it (its result name, the column whose period end it carries).
      const { name: _a, type: typeA, ...restA } = c
      const { name: _b, type: typeB, ...restB } = other
      return [
        typeA === typeB
          ? `"${c.name}" is ${stable(restA)} in ${aShown}, ${stable(restB)} in ${bShown}`
          : `"${c.name}" is ${typeA ?? "of no type"} in ${aShown}, ${typeB ?? "of no type"} in ${bShown}`
      ]
    })
  ]
  if (differences.length === 0) {
    const at = a.findIndex((c, i) => c.name !== b[i]?.name)
    const i = at < 0 ? Math.min(a.length, b.length) : at
    differences.push(
      `column ${i + 1} is ${a[i] === undefined ? "none" : `"${a[i].name}"`} in ${aShown}, ${b[i] === undefined ? "none" : `"${b[i].name}"`} in ${bShown}`
    )
  }
  const shown = differences.slice(0, 4).join("; ")
  return differences.length > 4 ? `${shown}; … (${differences.length - 4} more)` : shown
}

/** SHA-256 and size of a file, read as a stream. */
const hashFile = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      const hash = createHash("sha256")
      let size = 0
      for await (const chunk of NodeFs.createReadStream(path)) {
        hash.update(chunk as Buffer)
        size += (chunk as Buffer).length
      }
      return { size, sha256: hash.digest("hex") }
    },
    catch: (cause) => refuse(`cannot read ${path} (${cause instanceof Error ? cause.message : String(cause)})`)
  })

/** Unreadable manifests as a refusal names them, at most three. */
const damagedShown = (paths: ReadonlyArray<string>) =>
  `${paths.slice(0, 3).join(", ")}${paths.length > 3 ? ", …" : ""} ${paths.length === 1 ? "is" : "are"} not a spotpipe manifest (torn, damaged or not a file)`

/** A run of the job, with the folder its manifest is in. */
interface RunOf {
  readonly dir: string
  readonly manifest: Manifest & { readonly job: NonNullable<Manifest["job"]> }
}

const shardOf = (manifest: Manifest) => manifest.shard ?? { index: 1, count: 1 }

/** `job run "night-2"` or `no job run`: a run's job run as the messages show it. */
const jobRunShown = (jobRun: string | undefined) => (jobRun === undefined ? "no job run" : `job run "${jobRun}"`)

/** `shard 2 of 4`, or `the run` of an unsharded one. */
const shardShown = (manifest: Manifest) =>
  manifest.shard === null ? "the run" : `shard ${manifest.shard.index} of ${manifest.shard.count}`

/** `shard 3`, `shards 1, 3`: shard numbers as a refusal shows them, at most five. */
const shardsShown = (shards: ReadonlyArray<number>) =>
  `${shards.length === 1 ? "shard" : "shards"} ${shards.slice(0, 5).join(", ")}${shards.length > 5 ? ", …" : ""}`

/** Hours, as a refusal shows them: `36 h`, `1.5 h`. */
const hoursShown = (hours: number) => `${Math.round(hours * 10) / 10} h`

/**
 * The flags a run was given that its outputs' settings record and only the command line sets (`--newline lf`,
 * `--escape-formulae`, `--period-end`, `--datetime-offset zone`): a rerun without them writes its files anew with
 * other settings, whose parts then differ from the other shards'.
 */
const writeFlagsOf = (manifests: ReadonlyArray<Manifest>): ReadonlyArray<string> => {
  const outputs = manifests.flatMap((m) => m.outputs)
  const settingsOf = (formats: ReadonlyArray<string>) =>
    outputs.filter((o) => formats.includes(o.format)).find((o) => isRecord(o.settings))?.settings as
      | Record<string, unknown>
      | undefined
  // Only a CSV file's settings say what --newline and --escape-formulae were: the other formats ignore them.
  const csv = settingsOf(["csv"])
  const rows = settingsOf(["csv", "ndjson", "parquet"])
  return [
    ...(csv?.newline === "\n" ? ["--newline", "lf"] : []),
    ...(csv?.escapeFormulae === true ? ["--escape-formulae"] : []),
    ...(rows?.periodEnd === true ? ["--period-end"] : []),
    ...(rows?.offset === "zone" ? ["--datetime-offset", "zone"] : [])
  ]
}

/**
 * The flags that read the Orgs a run recorded (`--orgs all`, `--org-id 5`): a rerun without them reads the signed-in
 * Org only, so the merged run would silently lack the other Orgs' files.
 */
const orgFlagsOf = (selection: OrgSelection | undefined): ReadonlyArray<string> =>
  selection === undefined
    ? []
    : [
        ...(selection.orgs === undefined
          ? []
          : ["--orgs", selection.orgs === "all" ? "all" : selection.orgs.join(",")]),
        ...(selection.org_id === undefined ? [] : ["--org-id", String(selection.org_id)])
      ]

/** `--orgs all`, `the signed-in Org`: an Org selection as a refusal shows it. */
const orgSelectionShown = (selection: OrgSelection) =>
  orgFlagsOf(selection).join(" ") || "the signed-in Org only (no --orgs, no --org-id)"

/**
 * The command line that runs a shard of `job` again as the shards of its job run ran: the shard, the job run
 * (without it a rerun is of no job run, so `--resume` writes every file anew and merge refuses the mix), the folder
 * (`<folder>` when not known) and the flags `like`'s outputs record ({@link writeFlagsOf}). Connection settings
 * are left out: they come from the user's environment or profile as the shards' did, and no secret is shown.
 */
const rerunCommand = (options: {
  /** The job file as the command names it ({@link jobFileHere}). */
  readonly jobFile: string
  /** A shard, or its `--shard` value as shown (`<i>/3`, for the user to fill in). */
  readonly shard: ShardOf | string | null
  readonly jobRun: string | undefined
  readonly out: string | undefined
  readonly like: ReadonlyArray<Manifest>
  readonly resume: boolean
  readonly force?: boolean
}): string =>
  [
    "spotpipe run",
    options.jobFile,
    ...(options.shard === null
      ? []
      : [
          `--shard ${typeof options.shard === "string" ? options.shard : `${options.shard.index}/${options.shard.count}`}`
        ]),
    // `<new id>` is a placeholder for the user to fill in (no job run id holds `<`).
    ...(options.jobRun === undefined
      ? []
      : [`--job-run ${/^<.*>$/.test(options.jobRun) ? options.jobRun : shellWord(options.jobRun)}`]),
    `--out ${options.out === undefined ? "<folder>" : shellWord(options.out)}`,
    ...orgFlagsOf(options.like.find((m) => m.org_selection !== undefined)?.org_selection),
    ...writeFlagsOf(options.like),
    ...(options.resume ? ["--resume"] : []),
    ...(options.force === true ? ["--force"] : [])
  ].join(" ")

/**
 * The command line that copies the shards' folders into one and merges there: `mkdir -p ./landing && cp -R
 * ./shard-1/* ./shard-2/* ./landing/ && spotpipe merge ./landing`. `-R`: a liveboard's files are in a folder of
 * their own. The glob skips hidden names: the lock, and `.spotpipe-state` (an unfinished run's resume state, which
 * merge does not read). The shards' names do not collide, but for `ddl/`, which merge writes anew.
 */
export const copyAndMerge = (dirs: ReadonlyArray<string>, into: string): string => {
  const target = shellWord(into)
  const sources = dirs.map((d) => `${shellWord(d.length > 1 ? d.replace(/\/+$/, "") : d)}/*`)
  return `mkdir -p ${target} && cp -R ${sources.join(" ")} ${target}/ && spotpipe merge ${target}`
}

/**
 * {@link rerunCommand} of the shard whose run `manifest` is, into `dir`, resumed: it keeps the files that are
 * intact. Its flags are read from its own outputs first, then from those of the other shards of its job run in
 * `alike` (a shard whose CSV file failed, or that wrote NDJSON only, does not record `--newline`).
 */
const rerunOf =
  (alike: ReadonlyArray<{ readonly manifest: Manifest }>, jobFile: string) =>
  (run: { readonly dir: string; readonly manifest: Manifest }): string =>
    run.manifest.job === null
      ? "the command that wrote it, with --resume"
      : rerunCommand({
          jobFile,
          shard: run.manifest.shard,
          jobRun: run.manifest.job_run,
          out: run.dir,
          like: [
            run.manifest,
            ...alike.map((r) => r.manifest).filter((m) => m !== run.manifest && m.job_run === run.manifest.job_run)
          ],
          resume: true
        })

/**
 * The job file a shard's rerun command names, so that it runs from where merge runs. A shard's run recorded its job
 * file as its command line gave it: relative to the folder it ran in, on its machine (a pod's `/config/job.json`),
 * neither of which need be here. So a path is named only when the file there holds the shards' job (its
 * fingerprint, as for `--resume`): the recorded path from here (as recorded), else from the run's folder or a folder
 * above it (where `spotpipe run job.json --out landing` ran; named absolute). Otherwise a placeholder to fill in,
 * never a path that fails or runs another version of the job.
 */
const jobFileHere = (
  job: NonNullable<Manifest["job"]>,
  runs: ReadonlyArray<RunOf>,
  jobFingerprintAt: MergeOptions["jobFingerprintAt"]
) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    // The newest run's path first.
    const recorded = [...new Set([job.file, ...runs.map((r) => r.manifest.job.file).reverse()])]
    const candidates = [...recorded]
    for (const file of recorded.filter((f) => !path.isAbsolute(f))) {
      for (const dir of new Set(runs.map((r) => path.resolve(r.dir)))) {
        for (let at = dir; ; at = path.dirname(at)) {
          candidates.push(path.join(at, file))
          if (path.dirname(at) === at) break
        }
      }
    }
    let other: string | undefined
    for (const candidate of new Set(candidates)) {
      const fingerprint = yield* jobFingerprintAt(candidate)
      if (fingerprint === job.fingerprint) return shellWord(candidate)
      if (fingerprint !== undefined) other ??= candidate
    }
    const name = path.basename(job.file)
    return other === undefined
      ? `<path of ${name}>`
      : `<path of ${name} as the shards ran it; ${other} is another version of the job>`
  })

/** `job.json (fingerprint 3f9a0c1d2e4b…)`: a job as the messages show it. */
const jobShown = (job: NonNullable<Manifest["job"]>) => `${job.file} (fingerprint ${job.fingerprint.slice(0, 12)}…)`

/** A folder without a manifest that holds a run's resume state: a run that stopped before it finished. */
interface Unfinished {
  readonly dir: string
  /** The files it was writing (their resume state's names). */
  readonly files: ReadonlyArray<string>
  /** The job runs its checkpoints record (none: of no job run, or unreadable). */
  readonly jobRuns: ReadonlyArray<string>
  /** The job files (absolute) its checkpoints record. */
  readonly jobs: ReadonlyArray<string>
}

/** A checkpoint's JSON, as far as it reads (merge only peeks at its job run and job; the engine checks it). */
const peekJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** The unfinished run whose resume state `dir` holds in `.spotpipe-state`, if any (see {@link Unfinished}). */
const unfinishedIn = (dir: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const stateDir = path.join(dir, stateDirName)
    const bases = yield* stateBases(stateDir)
    const jobRuns = new Set<string>()
    const jobs = new Set<string>()
    for (const base of bases) {
      const text = yield* fs
        .readFileString(path.join(stateDir, `${base}.checkpoint.json`))
        .pipe(Effect.orElseSucceed(() => ""))
      const record = peekJson(text)
      if (!isRecord(record)) continue
      if (isRecord(record.settings) && typeof record.settings.jobRun === "string") jobRuns.add(record.settings.jobRun)
      if (typeof record.job === "string") jobs.add(record.job)
    }
    return bases.length === 0
      ? undefined
      : ({ dir, files: bases.map(shownName), jobRuns: [...jobRuns], jobs: [...jobs] } as Unfinished)
  })

/** `./pods/shard-0 holds no manifest, only the resume state of an unfinished run (orders.csv)`. */
const unfinishedShown = (runs: ReadonlyArray<Unfinished>, jobRun: string | undefined) =>
  runs
    .map((u) => {
      const files = `${u.files.slice(0, 3).join(", ")}${u.files.length > 3 ? ", …" : ""}`
      const other = u.jobRuns.filter((r) => r !== jobRun)
      return `${u.dir} holds no manifest, only the resume state of an unfinished run${other.length === 0 ? "" : ` of ${jobRunShown(other[0])}`} (${files})`
    })
    .join("; ")

/**
 * The runs the merge joins: the job of the newest run that wrote parts, the job run (`--job-run`, or none) of the
 * newest run of that job and sharding (`--shard i/n`, or none), and of it the newest run of every shard. A job is its
 * fingerprint, not its file's path (what `--resume` compares too). A shard with no run of that job run is refused,
 * naming it and the job run its latest run is of: otherwise the merged run would silently lack its outputs, or take
 * them from another night. Without job run ids, shard runs that started more than `maxSpreadHours` apart are
 * refused as most likely of different nights. Runs of other versions of the job (another `split`, say) are left
 * out, and the part files only they list are named in a warning.
 */
const selectRuns = (
  runs: ReadonlyArray<string>,
  maxSpreadHours: number,
  jobFingerprintAt: MergeOptions["jobFingerprintAt"],
  version: string
) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const all: Array<RunOf> = []
    const seen = new Set<string>()
    // Run manifests that cannot be read: such a run may be a shard's latest, which merge must not pass over.
    const unreadable: Array<string> = []
    const unfinished: Array<Unfinished> = []
    for (const dir of runs) {
      const isDir = yield* fs.stat(dir).pipe(
        Effect.map((info) => info.type === "Directory"),
        Effect.orElseSucceed(() => false)
      )
      if (!isDir) {
        return yield* new UsageError({
          message: `${dir} is not a folder: give the output folders of the runs that wrote the parts`
        })
      }
      const manifests = yield* readManifests(dir)
      const damaged = (yield* unreadableRunManifests(dir)).map((name) => path.join(path.resolve(dir), name))
      // A shard that stopped before it finished (in a folder of its own) left its resume state and no manifest:
      // named below as the unfinished run of a shard missing, with the command that resumes it.
      const unfinishedRun = manifests.length === 0 && damaged.length === 0 ? yield* unfinishedIn(dir) : undefined
      if (unfinishedRun !== undefined) {
        if (!unfinished.some((u) => path.resolve(u.dir) === path.resolve(dir))) unfinished.push(unfinishedRun)
        continue
      }
      if (manifests.length === 0) {
        return yield* new UsageError({
          message:
            damaged.length === 0
              ? `${dir} holds no spotpipe manifest: give the output folders of the runs that wrote the parts`
              : `${dir} holds no spotpipe manifest that can be read: ${damagedShown(damaged)}; run the shard that wrote it again (with --force), or restore it from a copy, then merge again`
        })
      }
      // A folder given twice is read once.
      if (seen.has(path.resolve(dir))) continue
      seen.add(path.resolve(dir))
      unreadable.push(...damaged)
      for (const manifest of manifests) {
        const { job } = manifest
        if (manifest.command !== "merge" && job !== null) all.push({ dir, manifest: { ...manifest, job } })
      }
    }
    // Oldest first across the folders (a run id starts with its start time); `sort` is stable.
    all.sort((a, b) => (a.manifest.run_id < b.manifest.run_id ? -1 : a.manifest.run_id > b.manifest.run_id ? 1 : 0))
    // The job is that of the newest run that is a shard's or wrote parts: a sharded run of a job without "split" is
    // joined too (its shards' manifests into one run manifest, which `load` needs). Never an older run's job because
    // it wrote parts: tonight's shards of a job that dropped its "split" are merged, not last night's parts over them.
    // Without any parts, only when a shard's run is the folders' newest, never one an unsharded run came after.
    const hasParts = (r: RunOf) => r.manifest.outputs.some((o) => o.part !== undefined)
    const newest = all.at(-1)
    const model =
      newest === undefined || (newest.manifest.shard === null && !all.some(hasParts))
        ? undefined
        : all.findLast((r) => r.manifest.shard !== null || hasParts(r))
    if (model === undefined) {
      if (unfinished.length > 0 && all.length === 0) {
        const jobRuns = [...new Set(unfinished.flatMap((u) => u.jobRuns))]
        const jobs = [...new Set(unfinished.flatMap((u) => u.jobs))]
        const command = rerunCommand({
          jobFile: jobs.length === 1 ? shellWord(jobs[0]!) : "<job file>",
          shard: "<i>/<n>",
          jobRun: jobRuns.length === 1 ? jobRuns[0] : undefined,
          out: unfinished.length === 1 ? unfinished[0]!.dir : undefined,
          like: [],
          resume: true
        })
        return yield* refuse(
          `${unfinishedShown(unfinished, undefined)}: ${unfinished.length === 1 ? "that run" : "those runs"} stopped before ${unfinished.length === 1 ? "it" : "they"} finished, and merge joins finished runs; resume ${unfinished.length === 1 ? "it" : "each in its folder"} as it ran, with --resume (${command}; --shard as the shard ran, the command it printed when it stopped), then merge again${unfinished.length === 1 ? "" : ", giving every folder the shards wrote into"}; nothing was written`
        )
      }
      return { chosen: [], model: undefined, jobRun: undefined, jobFile: "" }
    }
    const { count } = shardOf(model.manifest)
    const ofJob = (r: RunOf) =>
      r.manifest.job.fingerprint === model.manifest.job.fingerprint && shardOf(r.manifest).count === count
    const jobFile = yield* jobFileHere(model.manifest.job, all.filter(ofJob), jobFingerprintAt)
    // The newest run of the job names the job run to merge: the shards of one night share it (a later night's
    // shard that wrote no parts still makes the merge that night's, so its missing shards are refused, not taken
    // from the night before).
    const jobRun = all.findLast(ofJob)!.manifest.job_run
    const chosen: Array<RunOf> = []
    const missing: Array<number> = []
    for (let index = 1; index <= count; index++) {
      const of = (r: RunOf) => shardOf(r.manifest).index === index && ofJob(r)
      const latest = all.findLast((r) => of(r) && r.manifest.job_run === jobRun)
      if (latest === undefined) missing.push(index)
      else chosen.push(latest)
    }
    const folders = [...seen].join(", ")
    // The folder of `of`'s runs as the user gave it, when they all wrote into one: where a rerun of a shard goes.
    const folderOf = (of: ReadonlyArray<RunOf>) =>
      new Set(of.map((r) => path.resolve(r.dir))).size === 1 ? of[0]!.dir : undefined
    // Of several shards, one command with `<i>` and the shards to give it: each shard needs its own run.
    const rerun = (indexes: ReadonlyArray<number>, of: ReadonlyArray<RunOf>, jobRunOf: string | undefined) => {
      const command = rerunCommand({
        jobFile,
        shard: indexes.length === 1 ? { index: indexes[0]!, count } : `<i>/${count}`,
        jobRun: jobRunOf,
        out: folderOf(of),
        like: of.map((r) => r.manifest),
        // A shard's folder may hold its files of another run (another job run, an earlier job file), which a run
        // without --resume refuses to touch; with it, those are written anew and a run that stopped continues.
        resume: true
      })
      return indexes.length === 1 ? command : `${command}, for i = ${indexes.join(", ")}`
    }
    // A damaged manifest newer than a run merge would join (with a shard missing: than any run of the job) may be a
    // shard's latest run, its parts rewritten since; an older one cannot be.
    const oldest = (missing.length > 0 ? all.filter(ofJob) : chosen).map((r) => r.manifest.run_id).sort()[0] ?? ""
    const newer = unreadable.filter((at) => runIdOfName(path.basename(at)) > oldest)
    if (newer.length > 0) {
      return yield* refuse(
        `${damagedShown(newer)}, of a run that may be ${missing.length > 0 ? `shard ${missing[0]} of ${count}'s` : "a shard's latest"}: merging without it could take that shard's parts from an earlier run; run that shard again${jobRun === undefined ? "" : ` in ${jobRunShown(jobRun)}`} (with ${jobRun === undefined ? "" : `--job-run ${shellWord(jobRun)} and `}--resume, or --force), restore the file from a copy, or move it away if its run is not of this job; nothing was written`
      )
    }
    // A missing shard that ran the job in another job run: named with the run, so it is not taken for this one's.
    const elsewhere = all.findLast((r) => missing.includes(shardOf(r.manifest).index) && ofJob(r))
    if (missing.length > 0 && elsewhere !== undefined) {
      // Every shard by the job run merge sees it in (this one when it has a run of it, else its latest run's): the
      // newest run may be the stray (a shard rerun by hand with another id), which only the user can tell.
      const groups = new Map<string, { readonly jobRun: string | undefined; shards: Array<number>; latest: RunOf }>()
      const none: Array<number> = []
      for (let index = 1; index <= count; index++) {
        const run =
          chosen.find((r) => shardOf(r.manifest).index === index) ??
          all.findLast((r) => shardOf(r.manifest).index === index && ofJob(r))
        if (run === undefined) {
          none.push(index)
          continue
        }
        const key = jobRunShown(run.manifest.job_run)
        const group = groups.get(key)
        if (group === undefined) groups.set(key, { jobRun: run.manifest.job_run, shards: [index], latest: run })
        else {
          group.shards.push(index)
          if (run.manifest.run_id > group.latest.manifest.run_id) group.latest = run
        }
      }
      const newest = groups.get(jobRunShown(jobRun))!
      // Newest first: the run merge would take, then the others.
      const byRun = [...groups]
        .sort(([, a], [, b]) => (a.latest.manifest.run_id < b.latest.manifest.run_id ? 1 : -1))
        .map(
          ([shown, g]) =>
            `${shown}: ${shardsShown(g.shards)} (its latest run started ${g.latest.manifest.started_at}${g === newest ? ", the newest" : ""})`
        )
      if (none.length > 0) byRun.push(`no run of the job: ${shardsShown(none)}`)
      const newestShown = jobRun === undefined ? "the newest run (no job run)" : jobRunShown(jobRun)
      const other = elsewhere.manifest.job_run
      const stray =
        other === undefined
          ? ""
          : `; if instead ${newestShown} is a stray (${newest.shards.length === 1 ? "a shard" : "shards"} run by hand with another --job-run), run ${shardsShown(newest.shards)} in ${jobRunShown(other)} (${rerun(
              newest.shards,
              all.filter((r) => ofJob(r) && r.manifest.job_run === other),
              other
            )})`
      return yield* refuse(
        `the job ${jobShown(model.manifest.job)} ran as ${count} shards, and its newest run is of ${jobRunShown(jobRun)}, but ${shardsShown(missing)} of ${count} (scheduler index ${missing
          .slice(0, 5)
          .map((i) => i - 1)
          .join(
            ", "
          )}${missing.length > 5 ? ", …" : ""}) left no run of it in ${folders}. The shards' runs are of ${groups.size} job runs — ${byRun.join("; ")} — and merging them would mix their data. To merge ${newestShown}, run ${shardsShown(missing)} ${jobRun === undefined ? "without a job run" : "in it"} (${rerun(missing, chosen, jobRun)})${stray}; then merge again; nothing was written`
      )
    }
    // The shards missing stopped before they finished, in folders of their own: named as such, with the commands
    // that resume them there.
    if (missing.length > 0 && unfinished.length > 0) {
      const one = missing.length === 1 && unfinished.length === 1
      const resume = rerunCommand({
        jobFile,
        shard: one ? { index: missing[0]!, count } : `<i>/${count}`,
        jobRun,
        out: one ? unfinished[0]!.dir : undefined,
        like: chosen.map((r) => r.manifest),
        resume: true
      })
      return yield* refuse(
        `the job ${jobShown(model.manifest.job)} ran as ${count} shards, but ${shardsShown(missing)} of ${count} (scheduler index ${missing
          .slice(0, 5)
          .map((i) => i - 1)
          .join(
            ", "
          )}${missing.length > 5 ? ", …" : ""}) left no finished run of it in ${folders}, and ${unfinishedShown(unfinished, jobRun)}: ${one ? "most likely that shard's, which stopped before it finished; resume it" : "most likely theirs, which stopped before they finished; resume each in its folder as that shard"}${jobRun === undefined ? "" : ` in ${jobRunShown(jobRun)}`} (${resume}), then merge again, giving every folder the shards wrote into; nothing was written`
      )
    }
    if (missing.length > 0) {
      const other = all.findLast(
        (r) => missing.includes(shardOf(r.manifest).index) && shardOf(r.manifest).count === count
      )
      const shown = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", …" : "")
      return yield* refuse(
        `the job ${jobShown(model.manifest.job)} ran as ${count} shards, but ${missing.length === 1 ? "shard" : "shards"} ${shown} of ${count} (scheduler index ${missing
          .slice(0, 5)
          .map((i) => i - 1)
          .join(
            ", "
          )}${missing.length > 5 ? ", …" : ""}) left no run of it in ${folders}${other === undefined ? "" : ` (${path.resolve(other.dir)} holds a run of shard ${shardOf(other.manifest).index} of ${count} of another job: ${jobShown(other.manifest.job)}, the latest runs' ${jobShown(model.manifest.job)}${other.manifest.spotpipe === model.manifest.spotpipe ? "" : `; written by spotpipe ${other.manifest.spotpipe}, the latest runs by ${model.manifest.spotpipe}, which read job files differently`})`}: run ${missing.length === 1 ? "it" : "them"}${other !== undefined && other.manifest.spotpipe !== model.manifest.spotpipe ? ` with this version, ${version},` : ""}${jobRun === undefined ? "" : ` in ${jobRunShown(jobRun)}`} (${rerun(missing, chosen, jobRun)}) and merge again, giving every folder the shards wrote into; nothing was written`
      )
    }
    if (unfinished.length > 0) {
      yield* Effect.logWarning(
        `${unfinishedShown(unfinished, jobRun)}: left out, since every shard of the job has a finished run in the other folders; if it was to replace one of them, resume it (with --resume) and merge again`
      )
    }
    // Shards that read different Orgs (one with --orgs all, its rerun without) would merge into a run that lacks
    // some Orgs' files of some exports. Runs of earlier versions recorded no selection: nothing to compare.
    const selections = new Map<string, { readonly selection: OrgSelection; readonly runs: Array<RunOf> }>()
    for (const run of chosen) {
      const selection = run.manifest.org_selection
      if (selection === undefined) continue
      const key = orgSelectionShown(selection)
      const group = selections.get(key)
      if (group === undefined) selections.set(key, { selection, runs: [run] })
      else group.runs.push(run)
    }
    if (selections.size > 1) {
      const indexes = (runs: ReadonlyArray<RunOf>) => runs.map((r) => shardOf(r.manifest).index).sort((a, b) => a - b)
      // A shard run again as `like` ran: with --force, since its files of other Orgs must be replaced, not kept.
      const rerunAs = (run: RunOf, like: RunOf) =>
        rerunCommand({
          jobFile,
          shard: run.manifest.shard,
          jobRun: run.manifest.job_run,
          out: run.dir,
          like: [like.manifest, run.manifest],
          resume: false,
          force: true
        })
      const groups = [...selections.values()]
      // The newest run's selection first (the latest the user asked for); with two, the other way round too.
      const newestRun = chosen.reduce((a, b) => (b.manifest.run_id > a.manifest.run_id ? b : a))
      const kept = groups.find((g) => g.runs.includes(newestRun))!
      const others = groups.filter((g) => g !== kept).flatMap((g) => g.runs)
      const other = groups.length === 2 ? groups.find((g) => g !== kept)! : undefined
      const shown = groups.map((g) => `${shardsShown(indexes(g.runs))}: ${orgSelectionShown(g.selection)}`)
      return yield* refuse(
        `the shards of the job ${jobShown(model.manifest.job)}${jobRun === undefined ? "" : ` in ${jobRunShown(jobRun)}`} read different Orgs — ${shown.join("; ")} — so a merged run would lack some Orgs' files of some exports: run ${shardsShown(indexes(others))} again with ${orgSelectionShown(kept.selection)} (${rerunAs(others[0]!, newestRun)})${other === undefined ? "" : `, or ${shardsShown(indexes(kept.runs))} again with ${orgSelectionShown(other.selection)} (${rerunAs(kept.runs[0]!, other.runs[0]!)})`}, then merge again; nothing was written`
      )
    }
    // Without ids, the start times are all that tells two nights apart.
    if (jobRun === undefined && chosen.length > 1) {
      const starts = chosen.map((r) => ({ r, at: Date.parse(r.manifest.started_at) }))
      const unknown = starts.find(({ at }) => Number.isNaN(at))
      if (unknown !== undefined) {
        return yield* refuse(
          `the latest run of ${shardShown(unknown.r.manifest)} of the job ${jobShown(model.manifest.job)} in ${path.resolve(unknown.r.dir)} has no job run id and no readable start time (${shownValue(unknown.r.manifest.started_at)}), so merge cannot tell whether it is of the same run as the other shards: run every shard of one run again with the same --job-run ID; nothing was written`
        )
      }
      const byStart = starts.sort((a, b) => a.at - b.at || shardOf(a.r.manifest).index - shardOf(b.r.manifest).index)
      const first = byStart[0]!
      const last = byStart.at(-1)!
      const hours = (last.at - first.at) / 3_600_000
      if (!(hours <= maxSpreadHours)) {
        return yield* refuse(
          `the latest runs of the ${count} shards of the job ${jobShown(model.manifest.job)} in ${folders} have no job run id and started ${hoursShown(hours)} apart (${shardShown(first.r.manifest)} at ${first.r.manifest.started_at}, ${shardShown(last.r.manifest)} at ${last.r.manifest.started_at}), more than ${hoursShown(maxSpreadHours)}: they are most likely of different runs (a shard that did not run in the latest one leaves its earlier run behind), and merging them would mix their data. Run every shard of one run again with the same --job-run ID (or SPOTPIPE_JOB_RUN: a Kubernetes Job's name, a CI run id), so merge can tell runs apart; or, if these runs are of one run (a shard retried much later), merge with --max-spread ${Math.ceil(hours)}; nothing was written`
        )
      }
    }
    // Part files that only runs left out list: leftovers of another version of the job.
    const listed = new Set(chosen.flatMap((r) => r.manifest.outputs.map((o) => path.join(path.resolve(r.dir), o.file))))
    const stale = new Set<string>()
    for (const r of all) {
      for (const o of r.manifest.outputs) {
        const at = path.join(path.resolve(r.dir), o.file)
        if (o.part === undefined || listed.has(at) || stale.has(at)) continue
        if (yield* fs.exists(at).pipe(Effect.orElseSucceed(() => false))) stale.add(at)
      }
    }
    if (stale.size > 0) {
      const names = [...stale].sort()
      yield* Effect.logWarning(
        `${names.length} part ${names.length === 1 ? "file is" : "files are"} not of the latest runs of the job ${jobShown(model.manifest.job)}, so the merge leaves ${names.length === 1 ? "it" : "them"} out: ${names.slice(0, 5).join(", ")}${names.length > 5 ? ", …" : ""} (left by an earlier version of the job, another "split" say; delete them when they are no longer needed)`
      )
    }
    return { chosen, model, jobRun, jobFile }
  })

/** The parts the chosen runs list, and those runs. */
const findParts = (
  runs: ReadonlyArray<string>,
  maxSpreadHours: number,
  jobFingerprintAt: MergeOptions["jobFingerprintAt"],
  version: string
) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const { chosen, jobRun, jobFile } = yield* selectRuns(runs, maxSpreadHours, jobFingerprintAt, version)
    const byFile = new Map<string, FoundPart>()
    for (const { dir, manifest } of chosen) {
      for (const entry of manifest.outputs) {
        if (entry.part === undefined) continue
        const found: FoundPart = { dir, entry: { ...entry, part: entry.part }, manifest }
        const earlier = byFile.get(entry.file)
        if (earlier === undefined) byFile.set(entry.file, found)
        else if (earlier.entry.sha256 !== found.entry.sha256) {
          return yield* refuse(
            `${entry.file} is in ${earlier.dir} and in ${path.resolve(dir)} with different contents: keep the one of the run that belongs with the other parts and merge again`
          )
        }
      }
    }
    return { parts: [...byFile.values()], chosen, jobRun, jobFile }
  })

/** Checks a group's parts against each other; returns them in order. */
const checkGroup = (
  merged: string,
  parts: ReadonlyArray<FoundPart>,
  chosen: ReadonlyArray<RunOf>,
  jobFile: string,
  version: string,
  again: string
): Effect.Effect<Array<FoundPart>, ExportError> =>
  Effect.gen(function* () {
    const first = parts[0]!
    const count = first.entry.part.count
    if (first.entry.format === "parquet") {
      return yield* refuse(
        `${merged}: Parquet parts cannot be joined (a Parquet file is not a concatenation of parts): export it unsplit, or split it as CSV or NDJSON`
      )
    }
    const sorted = [...parts].sort((a, b) => a.entry.part.index - b.entry.part.index)
    for (const p of sorted) {
      if (p.entry.part.count !== count) {
        return yield* refuse(
          `${merged}: ${p.entry.file} is a part of ${p.entry.part.count}, ${first.entry.file} a part of ${count}: the parts come from runs with different "split"; run every part of one job again`
        )
      }
    }
    // Read from a manifest, which a hand edit or a bad copy can change: part `index` of `count` is 1 ≤ index ≤ count.
    const outside = sorted.find(
      (p) => !Number.isSafeInteger(count) || count < 1 || !(p.entry.part.index >= 1 && p.entry.part.index <= count)
    )
    if (outside !== undefined) {
      return yield* refuse(
        `${merged}: ${outside.entry.file} is listed as part ${outside.entry.part.index} of ${outside.entry.part.count}, which no split writes: its manifest is damaged; run that part again with --force and merge again`
      )
    }
    const present = new Set(sorted.map((p) => p.entry.part.index))
    // The first few missing, without a list of all `count` parts.
    const missing: Array<number> = []
    for (let i = 1; i <= count && missing.length < 5; i++) if (!present.has(i)) missing.push(i)
    const absent = count - present.size
    if (absent > 0) {
      // The shard whose latest run failed the first missing part: its export is `<export>.part-000i-of-000K`.
      const base = first.entry.export.replace(/\.part-\d{4,}-of-\d{4,}$/, "")
      const isMissing = (name: string) => {
        const match = /^(.*)\.part-(\d{4,})-of-(\d{4,})$/.exec(name)
        return match !== null && match[1] === base && Number(match[2]) === missing[0] && Number(match[3]) === count
      }
      const writer = chosen.find((r) => r.manifest.exports.some((e) => e.status === "failed" && isMissing(e.export)))
      return yield* refuse(
        `${merged}: ${absent} of its ${count} parts are missing (part ${missing.join(", ")}${absent > 5 ? ", …" : ""}): ${
          writer === undefined
            ? "run the shards that write them (with --resume)"
            : `part ${missing[0]} failed in ${shardShown(writer.manifest)}'s latest run: run that shard again (${rerunOf(chosen, jobFile)(writer)})`
        } and merge again, giving every folder that holds parts`
      )
    }
    // The spotpipe version that wrote a part: its settings' (that of the file), else its run's.
    const writerOf = (p: FoundPart) => {
      const settings = p.entry.settings
      return isRecord(settings) && typeof settings.writerVersion === "string"
        ? settings.writerVersion
        : p.manifest.spotpipe
    }
    // `part 2`: a part as a refusal's details name it (its file and shard are named before them).
    const partShown = (p: FoundPart) => `part ${p.entry.part.index}`
    // Both values are shown (the fields hold no secret: a host is recorded without credentials), cut short.
    const same = (
      label: string,
      of: (p: FoundPart) => unknown,
      differ: (a: unknown, b: unknown, aShown: string, bShown: string) => string = shownPair
    ) =>
      Effect.forEach(
        sorted,
        (p) =>
          stable(of(p)) === stable(of(first))
            ? Effect.void
            : Effect.fail(
                refuse(
                  writerOf(p) === writerOf(first)
                    ? `${merged}: ${p.entry.file} and ${first.entry.file}${p.manifest.shard === null ? "" : ` (${shardShown(p.manifest)} and ${shardShown(first.manifest)})`} differ in ${label} (${differ(of(p), of(first), partShown(p), partShown(first))}): the parts come from different runs or settings; run every part with one job and the same flags, then merge`
                    : versionsDiffer(label, differ(of(first), of(p), partShown(first), partShown(p)))
                )
              ),
        { discard: true }
      )
    // Parts written by different spotpipe versions differ for that reason most likely: said so, with the shards to
    // run again with this version (whose outputs of another version a --resume writes anew).
    const versionsDiffer = (label: string, shown: string) => {
      const older = sorted.filter((p) => writerOf(p) !== version)
      const shards = [...new Map(older.map((p) => [p.manifest.run_id, p])).values()]
      const byPart = sorted.map(
        (p) => `${partShown(p)} by ${writerOf(p)}${p.manifest.shard === null ? "" : ` in ${shardShown(p.manifest)}`}`
      )
      const what =
        shards.length === 0 || shards.every((p) => p.manifest.shard === null)
          ? "the run"
          : shardsShown(shards.map((p) => shardOf(p.manifest).index).sort((a, b) => a - b))
      return `${merged}: its parts were written by different spotpipe versions (${byPart.slice(0, 4).join(", ")}${byPart.length > 4 ? ", …" : ""}), and differ in ${label} (${shown}): run ${what} again with this version, ${version} (${shards
        .slice(0, 2)
        .map(rerunOf(chosen, jobFile))
        .join("; ")}${shards.length > 2 ? "; …" : ""}), then merge again; nothing was written`
    }
    yield* same("format", (p) => p.entry.format)
    yield* same(
      "columns",
      (p) => p.entry.columns,
      (a, b, aShown, bShown) =>
        columnsDiffer(a as ReadonlyArray<ManifestColumn>, b as ReadonlyArray<ManifestColumn>, aShown, bShown)
    )
    yield* same("source", (p) => p.entry.source)
    // Of other formats than CSV, without the CSV-only settings: an earlier version recorded the run's --newline and
    // --escape-formulae for them too, which never shaped their bytes (as resume treats them).
    yield* same("settings", (p) => {
      if (!isRecord(p.entry.settings)) return p.entry.settings ?? null
      const { file: _, ...settings } = p.entry.settings
      if (p.entry.format === "csv") return settings
      const { newline: _n, escapeFormulae: _e, ...shaping } = settings
      return shaping
    })
    yield* same("null string", (p) => p.entry.null_string)
    yield* same("time zone", (p) => p.entry.timezone)
    yield* same("page size", (p) => p.entry.part.page_size)
    // The result grew (or shrank) between the shards' runs: a --resume of the shard that ran first keeps its parts
    // ("already complete"), so the way out is --force for it, or a new job run for every shard.
    const grown = sorted.find((p) => p.entry.part.source_rows !== first.entry.part.source_rows)
    if (grown !== undefined && writerOf(grown) === writerOf(first)) {
      const [older, newer] = grown.manifest.run_id < first.manifest.run_id ? [grown, first] : [first, grown]
      const stale = rerunCommand({
        jobFile,
        shard: older.manifest.shard,
        jobRun: older.manifest.job_run,
        out: older.dir,
        like: [older.manifest, ...chosen.map((r) => r.manifest)],
        resume: false,
        force: true
      })
      const count = older.manifest.shard?.count
      const fresh = rerunCommand({
        jobFile,
        shard: count === undefined ? null : `<i>/${count}`,
        jobRun: "<new-id>",
        out: older.dir,
        like: [older.manifest, ...chosen.map((r) => r.manifest)],
        resume: true
      })
      const grownShown = `${merged}: ${older.entry.file}${older.manifest.shard === null ? "" : ` (${shardShown(older.manifest)})`} was read when the result had ${older.entry.part.source_rows} rows, ${newer.entry.file}${newer.manifest.shard === null ? "" : ` (${shardShown(newer.manifest)})`} later when it had ${newer.entry.part.source_rows}: the data changed between the shards' runs, and a --resume keeps the earlier part as complete.`
      // --force (and a new job run, whose "last" starts after this one's) would start that run's incremental
      // exports over from their newest watermark, dropping the rows they read: only the stale parts are read again.
      const incremental = older.manifest.outputs.filter((o) => o.watermark !== undefined).map((o) => o.file)
      if (incremental.length > 0) {
        const staleParts = sorted
          .filter((p) => p.manifest.run_id === older.manifest.run_id)
          .map((p) => shellWord(NodePath.join(p.dir, p.entry.file)))
        const keep = rerunCommand({
          jobFile,
          shard: older.manifest.shard,
          jobRun: older.manifest.job_run,
          out: older.dir,
          like: [older.manifest, ...chosen.map((r) => r.manifest)],
          resume: true
        })
        return yield* refuse(
          `${grownShown} Remove ${staleParts.length === 1 ? "that part" : "those parts"} and run ${older.manifest.shard === null ? "the run" : shardShown(older.manifest)} again with --resume, which reads ${staleParts.length === 1 ? "it" : "them"} anew and keeps its other outputs (rm ${staleParts.join(" ")} && ${keep}), then merge again${again}. Not --force: it would read ${incremental.join(", ")} again from ${incremental.length === 1 ? "its" : "their"} newest watermark and drop the rows this run read; nothing was written`
        )
      }
      return yield* refuse(
        `${grownShown} Run ${older.manifest.shard === null ? "the run" : shardShown(older.manifest)} again with --force (${stale}), or every shard again in a new job run (${fresh}${count === undefined ? "" : ` for each i from 1 to ${count}`}), then merge again${again}; nothing was written`
      )
    }
    yield* same("the result's row count", (p) => p.entry.part.source_rows)
    // A job is its fingerprint (as for --resume): the same job file at another path is the same job.
    yield* same("job", (p) => p.manifest.job?.fingerprint ?? null)
    yield* same("host", (p) => p.manifest.host)
    let next = 0
    for (const p of sorted) {
      if (p.entry.part.first_page !== next) {
        return yield* refuse(
          `${merged}: ${p.entry.file} starts at page ${p.entry.part.first_page + 1}, but the parts before it end at page ${next}: its page ranges are not contiguous; run every part of one job again`
        )
      }
      next += p.entry.part.pages
    }
    const { page_size, source_rows } = first.entry.part
    if (next !== Math.ceil(source_rows / page_size)) {
      return yield* refuse(
        `${merged}: its parts hold ${next} pages, but ${source_rows} rows take ${Math.ceil(source_rows / page_size)} pages of ${page_size}: run every part of one job again`
      )
    }
    const rows = sorted.reduce((n, p) => n + p.entry.rows_written, 0)
    if (rows !== source_rows) {
      return yield* refuse(
        `${merged}: its parts hold ${rows} rows, but the result had ${source_rows}: rows are missing or repeated; run every part of one job again`
      )
    }
    return sorted
  })

/**
 * The other outputs of the job in `dir`, as the chosen runs there (the latest run of each shard, see
 * {@link selectRuns}) record them: not parts, not the merged files. A file that is no longer the one recorded fails
 * the merge (leaving it out would drop its export from the merged run, which would then load without it). An export a chosen run did not write (it
 * failed there) is not taken from an earlier run, whose file would be of another night. With their exports'
 * statuses.
 */
const companionsOf = (
  dir: string,
  runs: ReadonlyArray<RunOf>,
  merged: ReadonlySet<string>,
  again: string,
  jobFile: string
) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const outputs: Array<ManifestOutput> = []
    const statuses = new Map<string, ExportStatus>()
    const entries = runs
      .filter((r) => path.resolve(r.dir) === path.resolve(dir))
      .flatMap(({ manifest }) => manifest.outputs.map((entry) => ({ entry, manifest })))
    for (const { entry, manifest } of entries.sort((a, b) => (a.entry.file < b.entry.file ? -1 : 1))) {
      if (entry.part !== undefined || merged.has(entry.file)) continue
      const file = entry.file
      if (!describesAsWritten(entry)) {
        return yield* refuse(
          `${path.join(dir, runManifestName(manifest.run_id))}: ${descriptionChanged(file)}: run that ${manifest.shard === null ? "run" : "shard"} again (${rerunOf(runs, jobFile)({ dir, manifest })} writes that file again and keeps the rest) and merge again${again}; nothing was written`
        )
      }
      const { size, sha256 } = yield* hashFile(path.join(dir, file)).pipe(
        Effect.orElseSucceed(() => ({ size: -1, sha256: "" }))
      )
      if (size !== entry.bytes || sha256 !== entry.sha256) {
        // Leaving it out would drop its export from the merged run, which `load` would then load without it.
        return yield* refuse(
          `${path.join(dir, file)} is not the file ${shardShown(manifest)} of the job recorded (${size < 0 ? "it is gone" : "it changed since"}), so the merged run could not list it: run that ${manifest.shard === null ? "run" : "shard"} again (${rerunOf(runs, jobFile)({ dir, manifest })} writes that file again and keeps the rest) and merge again${again}; nothing was written`
        )
      }
      outputs.push(entry)
      const status = manifest.exports.find((e) => e.files.includes(file))
      if (status !== undefined && !statuses.has(status.export)) statuses.set(status.export, status)
    }
    return { outputs, statuses: [...statuses.values()] }
  })

/** A signed-in user as a warning names them: name, GUID and Org. */
const userShown = (user: NonNullable<Manifest["signed_in"]>) =>
  `user "${user.name}" (${user.id})${user.org === null ? "" : ` in Org "${user.org.name}" (${user.org.id})`}`

/**
 * Who the merged run's TML documents were read as (its `signed_in`, by which a later `tml` run into the folder
 * decides which files it may remove, plan/TmlMirror.ts): that of the shards' runs in `dir` whose documents it lists
 * (`documents`), when every one recorded the same user in the same Org (the newest's record). Otherwise none, with
 * a warning naming each: a later run then keeps the files only this manifest lists, as a listing holds only what
 * its user may see. No document listed: none, and no warning.
 */
const signedInOf = (dir: string, runs: ReadonlyArray<RunOf>, documents: ReadonlySet<string>) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const readers = runs.filter(
      (r) => path.resolve(r.dir) === path.resolve(dir) && r.manifest.outputs.some((o) => documents.has(o.file))
    )
    const users = readers.map((r) => r.manifest.signed_in)
    const first = users[0]
    const one = users.every(
      (u) =>
        u !== undefined && first !== undefined && u.id === first.id && (u.org?.id ?? null) === (first.org?.id ?? null)
    )
    if (one) return { signedIn: users.at(-1), warning: undefined }
    const shown = readers.map(
      (r) =>
        `shard ${shardOf(r.manifest).index}: ${r.manifest.signed_in === undefined ? "none recorded (an earlier spotpipe version)" : userShown(r.manifest.signed_in)}`
    )
    return {
      signedIn: undefined,
      warning: `the shards whose TML documents the merged run lists did not read as one user (${shown.join("; ")}): its manifest records none, so a later spotpipe tml run into ${dir} removes none of the files only it lists (a listing holds only what its user may see); run every shard of the job as one user and merge again, or remove the files of objects gone by hand`
    }
  })

/**
 * The settings only the command line sets (see {@link writeFlagsOf}) that a run recorded for its files: `newline`
 * and `escapeFormulae` of its CSV files, `periodEnd` and `offset` of its row files; `undefined` where it wrote none.
 */
const commandLineSettingsOf = (manifest: Manifest): Record<string, string | undefined> => {
  const recorded = (key: string, formats: ReadonlyArray<string>) => {
    const values = new Set(
      manifest.outputs
        .filter((o) => formats.includes(o.format) && isRecord(o.settings))
        .map((o) => stable((o.settings as Record<string, unknown>)[key] ?? null))
    )
    // One run's files with two values of a run-wide setting: shown as both, so no other run matches it.
    return values.size === 0 ? undefined : [...values].sort().join(" and ")
  }
  return {
    newline: recorded("newline", ["csv"]),
    escapeFormulae: recorded("escapeFormulae", ["csv"]),
    periodEnd: recorded("periodEnd", ["csv", "ndjson", "parquet"]),
    offset: recorded("offset", ["csv", "ndjson", "parquet"])
  }
}

/**
 * Refuses shards run with different settings that only the command line sets (one shard with `--newline lf`, its
 * rerun without): the merged run would list files written two ways, whatever their exports. Split parts are
 * compared by their own check first; this covers the shards' other files.
 */
const sameCommandLine = (chosen: ReadonlyArray<RunOf>, jobFile: string, again: string) =>
  Effect.gen(function* () {
    if (chosen.length < 2) return
    const newest = chosen.reduce((a, b) => (b.manifest.run_id > a.manifest.run_id ? b : a))
    const own = commandLineSettingsOf(newest.manifest)
    const differing = new Map<string, RunOf>()
    const keys = new Set<string>()
    for (const run of chosen) {
      const theirs = commandLineSettingsOf(run.manifest)
      for (const key of Object.keys(own)) {
        if (own[key] === undefined || theirs[key] === undefined || own[key] === theirs[key]) continue
        differing.set(run.manifest.run_id, run)
        keys.add(key)
      }
    }
    if (differing.size === 0) return
    const others = [...differing.values()]
    const shown = (run: RunOf) => {
      const settings = commandLineSettingsOf(run.manifest)
      return `${shardShown(run.manifest)}: ${[...keys].map((k) => `${k} ${settings[k] ?? "(none)"}`).join(", ")}`
    }
    const like = [newest.manifest, ...chosen.map((r) => r.manifest).filter((m) => !differing.has(m.run_id))]
    return yield* refuse(
      `the shards of the job ${jobShown(newest.manifest.job)} were run with different settings that only the command line sets — ${[newest, ...others].map(shown).join("; ")} — so the merged run would hold files written two ways: run ${shardsShown(others.map((r) => shardOf(r.manifest).index).sort((a, b) => a - b))} again as the newest run (${shardShown(newest.manifest)}) ran (${others
        .slice(0, 3)
        .map((run) =>
          rerunCommand({
            jobFile,
            shard: run.manifest.shard,
            jobRun: run.manifest.job_run,
            out: run.dir,
            like,
            resume: true
          })
        )
        .join("; ")}${others.length > 3 ? "; …" : ""}), then merge again${again}; nothing was written`
    )
  })

/** A refusal's middle: the manifest's entry for `file` was edited after its run wrote it. */
const descriptionChanged = (file: string) =>
  `the manifest's description of ${file} (its columns, types, null string, format or settings) was changed after the run wrote it, so the merged run could not say how to read it`

/** Joins the split exports' parts found in `options.runs` (see the module comment). */
export const mergeRuns = (
  options: MergeOptions
): Effect.Effect<MergeReport, ExportError | UsageError, FileSystem.FileSystem | Path.Path> =>
  Effect.scoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const path = yield* Path.Path
      const started = yield* Clock.currentTimeMillis
      const {
        parts: found,
        chosen,
        jobRun,
        jobFile
      } = yield* findParts(
        options.runs,
        options.maxSpreadHours ?? defaultMaxSpreadHours,
        options.jobFingerprintAt,
        options.version
      )
      if (chosen.length === 0) {
        return yield* new UsageError({
          message: `no part files in ${options.runs.join(", ")}, and the newest run there is not a shard's: merge joins the parts of exports split with "split": K in a job file, and the runs of a job's shards (spotpipe run --shard); a run that is neither loads as it is (spotpipe load <its folder>)`
        })
      }
      const out = path.resolve(options.out)
      // Without parts the merged run is only the shards' other outputs, which it lists where they are: all of them,
      // or its run would load without the exports of the shards in other folders.
      const elsewhere = chosen.filter((r) => path.resolve(r.dir) !== out)
      // Every shard's folder, as the user gave it, and where their files can go together: --out unless it is one of
      // them, else a new folder.
      const shardDirs = [...new Map(chosen.map((r) => [path.resolve(r.dir), r.dir])).values()]
      const isShardDir = (dir: string) => shardDirs.some((d) => path.resolve(d) === path.resolve(dir))
      const newFolder = (taken: ReadonlyArray<string>) =>
        ["./landing", "./landing-2", "./landing-3"].find(
          (d) => !taken.some((t) => path.resolve(t) === path.resolve(d))
        ) ?? "<folder>"
      const landing = isShardDir(options.out) ? newFolder(shardDirs) : options.out
      if (found.length === 0 && elsewhere.length > 0) {
        return yield* new UsageError({
          message: `the shards of the job ${jobShown(chosen[0]!.manifest.job)}${jobRun === undefined ? "" : ` in ${jobRunShown(jobRun)}`} wrote no part files, and ${shardsShown(elsewhere.map((r) => shardOf(r.manifest).index))} wrote into another folder than ${options.out} (${[...new Set(elsewhere.map((r) => r.dir))].slice(0, 3).join(", ")}): a merge without parts lists the shards' files in the one folder they wrote into; copy the shard folders' files into one folder and merge there: ${copyAndMerge(shardDirs, landing)}`
        })
      }
      const groups = new Map<string, Array<FoundPart>>()
      for (const p of found) {
        const match = partName.exec(p.entry.file)
        if (match === null) return yield* refuse(`${p.entry.file} is listed as a part but is not named as one`)
        const merged = match[1]! + match[2]!
        groups.set(merged, [...(groups.get(merged) ?? []), p])
      }
      // A merge given --force is run again with it: the files it is to replace are still there.
      const again = options.force ? " with --force" : ""
      // The folder's latest merge: a merged file it lists as it is on disk is merge's own, replaced without --force
      // (the nightly layout merges into the same folder every night); a foreign or edited one is not.
      const ownMerge = (yield* readManifests(options.out)).filter((m) => m.command === "merge").at(-1)
      const ownMergedFile = (target: string, merged: string) =>
        Effect.gen(function* () {
          const entry = ownMerge?.outputs.find((o) => o.file === merged)
          if (entry === undefined || entry.part !== undefined || !describesAsWritten(entry)) return false
          const { size, sha256 } = yield* hashFile(target)
          return size === entry.bytes && sha256 === entry.sha256
        })
      // ── check everything before writing anything ──
      const checked: Array<readonly [string, Array<FoundPart>]> = []
      for (const [merged, parts] of [...groups].sort(([a], [b]) => (a < b ? -1 : 1))) {
        // An edited entry first: it would otherwise read as parts of different runs, or be joined as edited.
        for (const p of parts) {
          if (!describesAsWritten(p.entry)) {
            return yield* refuse(
              `${path.join(p.dir, runManifestName(p.manifest.run_id))}: ${descriptionChanged(p.entry.file)}. It is part ${p.entry.part.index} of ${p.entry.part.count} of ${merged}: run that ${p.manifest.shard === null ? "run" : "shard"} again (${rerunOf(chosen, jobFile)(p)} writes that part again and keeps the rest), then merge again${again}; nothing was written`
            )
          }
        }
        const sorted = yield* checkGroup(merged, parts, chosen, jobFile, options.version, again)
        for (const p of sorted) {
          const at = path.join(p.dir, p.entry.file)
          const { size, sha256 } = yield* hashFile(at)
          if (size !== p.entry.bytes || sha256 !== p.entry.sha256) {
            return yield* refuse(
              `${at} is not the file its manifest recorded (${size} bytes, SHA-256 ${sha256.slice(0, 12)}…; recorded ${p.entry.bytes} bytes, ${p.entry.sha256.slice(0, 12)}…): it changed after it was written. It is part ${p.entry.part.index} of ${p.entry.part.count} of ${merged}, written by ${shardShown(p.manifest)} of the job${p.manifest.job_run === undefined ? "" : ` in ${jobRunShown(p.manifest.job_run)}`}: run that ${p.manifest.shard === null ? "run" : "shard"} again (${rerunOf(chosen, jobFile)(p)} writes that part again and keeps the rest), then merge again${again}; nothing was written`
            )
          }
        }
        const target = path.join(options.out, merged)
        const exists = yield* Effect.mapError(fs.exists(target), (e) => fileError(target, e))
        if (exists && !options.force && !(yield* ownMergedFile(target, merged))) {
          return yield* new ExportError({
            kind: "OutputExists",
            message: `${target} already exists: pass --force to replace it, or merge into another --out; nothing was written`
          })
        }
        checked.push([merged, sorted])
      }
      yield* sameCommandLine(chosen, jobFile, again)
      const mergedFiles = new Set(checked.map(([merged]) => merged))
      // The shards wrote into this folder: the job's other outputs there belong to the merged run too.
      const companions = options.runs.some((dir) => path.resolve(dir) === out)
        ? yield* companionsOf(options.out, chosen, mergedFiles, again, jobFile)
        : { outputs: [], statuses: [] }
      // The shards' other outputs in other folders: not listed (a manifest lists its own folder's files), said.
      const leftOut = elsewhere.flatMap((r) =>
        r.manifest.outputs
          .filter((o) => o.part === undefined && !mergedFiles.has(o.file))
          .map((o) => `${o.file} (in ${r.dir})`)
      )
      if (leftOut.length > 0) {
        yield* Effect.logWarning(
          `the job's other outputs written in other folders are not in ${options.out}, so its merged run does not list them and a load of it leaves them out: ${leftOut.slice(0, 4).join(", ")}${leftOut.length > 4 ? `, … (${leftOut.length - 4} more)` : ""}; to load the whole job, copy every shard's files into one folder and merge there: ${copyAndMerge(shardDirs, newFolder([...shardDirs, options.out]))}`
        )
      }
      // The shards' TML documents listed here were read as one user, or the merged run says it does not know who.
      const reader = yield* signedInOf(
        options.out,
        chosen,
        new Set(companions.outputs.filter((o) => isDocumentFormat(o.format)).map((o) => o.file))
      )
      if (reader.warning !== undefined) yield* Effect.logWarning(reader.warning)
      if (options.beforeWriting !== undefined) {
        yield* options.beforeWriting({
          folders: [...new Set([...chosen.map((r) => path.resolve(r.dir)), out])],
          // The merged files as their entries will describe them (bytes and digests come with the writing).
          outputs: [
            ...checked.map(([merged, parts]) => {
              const { part: _part, ...first } = parts[0]!.entry
              return { ...first, file: merged, settings: { ...(first.settings as object), file: merged } }
            }),
            ...companions.outputs
          ]
        })
      }
      // ── join ── (one writer per output folder, as for every run)
      yield* lockOutputDirectory(options.out, { command: "spotpipe merge" })
      const files: Array<MergedFile> = []
      const outputs: Array<ManifestOutput> = []
      const statuses: Array<ExportStatus> = []
      // Every merged file and both manifests are staged (temp files beside their targets) before any is
      // published: a failure (a full disk) leaves no merged file without its manifest, and the temps go.
      const staged: Array<{ readonly temp: string; readonly target: string }> = []
      yield* Effect.addFinalizer((exit) =>
        exit._tag === "Success"
          ? Effect.void
          : Effect.forEach(staged, (s) => fs.remove(s.temp).pipe(Effect.ignore), { discard: true })
      )
      for (const [merged, parts] of checked) {
        const target = path.join(options.out, merged)
        const written = yield* join(
          parts.map((p) => ({ path: path.join(p.dir, p.entry.file), sha256: p.entry.sha256 })),
          target
        )
        staged.push({ temp: written.temp, target })
        const first = parts[0]!.entry
        const rows = parts.reduce((n, p) => n + p.entry.rows_written, 0)
        const { part: _part, ...base } = first
        // Its own description: the parts' (checked above) with the merged file's name and settings.
        const entry = describedOutput({
          ...base,
          file: merged,
          rows_written: rows,
          available_data_row_count: first.part.source_rows,
          pages: parts.reduce((n, p) => n + p.entry.pages, 0),
          bytes: written.bytes,
          sha256: written.sha256,
          started_at: parts.map((p) => p.entry.started_at).sort()[0]!,
          finished_at: parts
            .map((p) => p.entry.finished_at)
            .sort()
            .at(-1)!,
          seconds: parts.reduce((n, p) => n + p.entry.seconds, 0),
          // A warning about the whole result (a search without sort by) is in every part's entry: listed once.
          warnings: [...new Set(parts.flatMap((p) => p.entry.warnings))],
          export: first.export.replace(/\.part-\d{4,}-of-\d{4,}$/, ""),
          // The parts' own fingerprints, in order: the merged file is theirs.
          fingerprint: createHash("sha256")
            .update(parts.map((p) => p.entry.fingerprint).join("\n"))
            .digest("hex"),
          settings: { ...(first.settings as object), file: merged },
          resume: "written"
        })
        outputs.push(entry)
        const index = parts[0]!.manifest.exports.find((s) => s.files.includes(first.file))?.index ?? 0
        statuses.push({
          export: entry.export,
          index,
          type: first.source.type,
          status: "succeeded",
          error: null,
          files: [merged]
        })
        files.push({ file: merged, parts: parts.length, rows, bytes: written.bytes, sha256: written.sha256 })
      }
      // Without parts, the newest shard run stands for the job (its host, time zone).
      const model = checked[0]?.[1][0]?.manifest ?? chosen.at(-1)!.manifest
      // An export that failed in a shard's latest run is recorded as failed: the merged run is not the whole job,
      // and `load` refuses it as it refuses any run with a failed export.
      const listed = new Set([...statuses, ...companions.statuses].map((s) => s.export))
      const failed = new Map<string, ExportStatus>()
      for (const { manifest } of chosen) {
        for (const status of manifest.exports) {
          if (status.status !== "succeeded" && !listed.has(status.export)) failed.set(status.export, status)
        }
      }
      if (failed.size > 0) {
        const failing = chosen.filter(({ manifest }) => manifest.exports.some((e) => failed.get(e.export) === e))
        yield* Effect.logWarning(
          `${failed.size} of the job's exports failed in the shards' latest runs (${[...failed.keys()].slice(0, 5).join(", ")}${failed.size > 5 ? ", …" : ""}): the merged run records them as failed, and load refuses it; run ${failing.length === 1 ? "that shard" : "those shards"} again (${failing
            .slice(0, 3)
            .map(rerunOf(chosen, jobFile))
            .join("; ")}${failing.length > 3 ? "; …" : ""}), then merge again with --force`
        )
      }
      const finished = yield* Clock.currentTimeMillis
      const runId = makeRunId(started)
      const manifest: Manifest = {
        spotpipe: options.version,
        run_id: runId,
        command: "merge",
        job: model.job,
        shard: null,
        ...(jobRun === undefined ? {} : { job_run: jobRun }),
        host: model.host,
        ...(reader.signedIn === undefined ? {} : { signed_in: reader.signedIn }),
        timezone: model.timezone,
        tz_database: model.tz_database,
        started_at: new Date(started).toISOString(),
        finished_at: new Date(finished).toISOString(),
        seconds: (finished - started) / 1000,
        exports: [...statuses, ...companions.statuses, ...failed.values()].sort((a, b) => a.index - b.index),
        outputs: [...outputs, ...companions.outputs],
        warnings: reader.warning === undefined ? [] : [reader.warning]
      }
      const text = renderManifest(manifest)
      for (const name of [runManifestName(runId), manifestFileName]) {
        const target = path.join(options.out, name)
        staged.push({ temp: yield* stage(target, (file) => file.writeAll(Buffer.from(text, "utf8"))), target })
      }
      // ── publish ── the merged files, then the run's manifest, then its copy (as a run publishes them).
      for (const { temp, target } of staged) {
        yield* Effect.mapError(fs.rename(temp, target), (e) => fileError(target, e))
      }
      yield* syncDirectory(options.out)
      return {
        files,
        others: companions.outputs.map((o) => o.file),
        manifestPath: path.join(options.out, runManifestName(runId)),
        jobRun,
        shards: chosen.length,
        manifest
      }
    })
  )

/** A failure to write `target`: a full disk as a run says it, else what happened, with nothing written. */
const writeError = (target: string, cause: unknown): ExportError => {
  if (cause instanceof ExportError) return cause
  const inner = isRecord(cause) && isRecord(cause.reason) ? cause.reason.cause : cause
  const code = isRecord(inner) && typeof inner.code === "string" ? inner.code : undefined
  return code === "ENOSPC" || code === "EDQUOT"
    ? errnoFileError(target, code, cause)
    : refuse(`cannot write ${target}: ${inner instanceof Error ? inner.message : String(inner)}; nothing was written`)
}

/**
 * Writes a temp file beside `target` with `write`, fsyncs it and returns its path; the caller renames it into place.
 * A failure removes it.
 */
const stage = <E>(target: string, write: (file: FileSystem.File) => Effect.Effect<void, E>) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const path = yield* Path.Path
    const temp = path.join(path.dirname(target), tempFileName(path.basename(target)))
    yield* Effect.scoped(
      Effect.gen(function* () {
        const file = yield* fs.open(temp, { flag: "wx", mode: 0o644 })
        yield* write(file)
        yield* file.sync
      })
    ).pipe(
      Effect.mapError((cause) => writeError(target, cause)),
      Effect.onError(() => fs.remove(temp).pipe(Effect.ignore))
    )
    return temp
  })

/**
 * Concatenates `parts` into a temp file beside `target` (see {@link stage}), each part's SHA-256 checked as it is
 * copied: a part that changed since the check fails the merge and leaves nothing.
 */
const join = (parts: ReadonlyArray<{ readonly path: string; readonly sha256: string }>, target: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const whole = createHash("sha256")
    let bytes = 0
    const temp = yield* stage(target, (file) =>
      Effect.forEach(
        parts,
        (part) =>
          Effect.gen(function* () {
            const hash = createHash("sha256")
            yield* fs.stream(part.path).pipe(
              Stream.runForEach((chunk) => {
                hash.update(chunk)
                whole.update(chunk)
                bytes += chunk.length
                return file.writeAll(chunk)
              })
            )
            if (hash.digest("hex") !== part.sha256) {
              return yield* refuse(`${part.path} changed while it was merged: run the merge again; nothing was written`)
            }
          }),
        { discard: true }
      )
    )
    return { temp, bytes, sha256: whole.digest("hex") }
  })
