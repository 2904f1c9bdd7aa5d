/**
 * `spotpipe merge <run folder…> [--out DIR] [--force] [--max-spread HOURS] [--ddl …]`: joins the part files of split exports (`"split": K` in a
 * job file) that the shards of a run wrote, into the files of an unsplit run with one manifest (output/Merge.ts
 * checks and writes them); a sharded run without split exports gets that manifest alone, so it loads as a folder. Prints a table of the merged files and a footer with the totals, like the export
 * summary, or one JSON object with `--json` (on stdout, also with `--quiet`) or `--log-format json`. Shards of one
 * run are told apart from another run's by their job run id (`spotpipe run --job-run`), else by their start times
 * (`--max-spread`). The merged run gets DDL of its whole manifest in the dialects the shards wrote DDL in, and
 * those `--ddl` names.
 */
import { Cause, Console, Effect, Exit, FileSystem, Option, Path } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { ExportError } from "../ExportError.ts"
import { ddlFilesIn, ddlRefusal, writeDdl } from "../load/Ddl.ts"
import { type Dialect, ddlFileName, dialects } from "../load/Warehouse.ts"
import { defaultMaxSpreadHours, type MergedFile, mergeRuns } from "../output/Merge.ts"
import { checkOutputFolder } from "../output/OutputFolder.ts"
import { parseJobFile } from "../plan/JobFile.ts"
import { UsageError } from "../UsageError.ts"
import { version } from "../Version.ts"
import { mergeOutcomeJson } from "./BatchSummary.ts"
import { jsonReportFlag, logFlags, writeFlags } from "./Flags.ts"
import { checkLogging, type LogSettings } from "./Settings.ts"
import { formatTable } from "./Summary.ts"
import { formatCount, inert, jsonLine, plural } from "./TerminalText.ts"

/** `--max-spread`'s hours: a number above 0 (decimals allowed), at most a year. */
const spreadHours = (text: string) =>
  /^\s*\d+(\.\d+)?\s*$/.test(text) && Number(text) > 0 && Number(text) <= 8_760
    ? Effect.succeed(Number(text))
    : Effect.fail(
        new UsageError({
          message: `--max-spread "${text.slice(0, 40)}" is not a number of hours above 0 (up to 8760): e.g. --max-spread 36`
        })
      )

/** The fingerprint of the job file at `file`, as `spotpipe run` reads it; `undefined` when none is there to read. */
const jobFingerprintAt = (file: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* fs.readFileString(file).pipe(Effect.option)
    if (Option.isNone(text)) return undefined
    const parsed = parseJobFile(text.value, file)
    return Exit.isSuccess(parsed) ? parsed.value.fingerprint : undefined
  })

/**
 * The dialects of the merged run's DDL: those `--ddl` asks for and those whose file a shard's folder (or the merge's)
 * holds in `ddl/`. A shard's DDL describes its own manifest only, and shards sharing a folder replace each other's, so
 * the merged run gets DDL of its whole manifest in every dialect the shards wrote. Refused before anything is
 * written when it cannot be written (the same checks as `--ddl`'s).
 */
const ddlDialects = (
  asked: ReadonlyArray<Dialect>,
  folders: ReadonlyArray<string>,
  outputs: Parameters<typeof ddlRefusal>[0]["outputs"]
) =>
  Effect.gen(function* () {
    const found: Array<{ readonly dialect: Dialect; readonly at: string }> = []
    for (const folder of folders) {
      for (const dialect of yield* ddlFilesIn(folder)) found.push({ dialect, at: `${folder}/${ddlFileName(dialect)}` })
    }
    const chosen = dialects.filter((d) => asked.includes(d) || found.some((f) => f.dialect === d))
    const refusal = ddlRefusal({ outputs }, chosen)
    if (refusal !== undefined) {
      const held = found.filter((f) => !asked.includes(f.dialect)).map((f) => f.at)
      const shown = `${held.slice(0, 2).join(", ")}${held.length > 2 ? ", …" : ""}`
      return yield* new ExportError({
        kind: "BadData",
        message: `--ddl${held.length === 0 ? "" : ` (the shards' folders hold DDL: ${shown})`}: the merged run's DDL cannot be written: ${refusal}${held.length === 0 ? "" : `; or, to merge without DDL, remove ${held.length === 1 ? "that file" : "those files"}`}; nothing was written`
      })
    }
    return chosen
  })

/**
 * `merged 2 files (7 parts), 2,000 rows in /abs/landing`, the job run (`of job run night-2`), and how many other
 * outputs of the job its run lists.
 */
const mergedFooter = (files: ReadonlyArray<MergedFile>, others: number, folder: string, jobRun: string | undefined) =>
  `merged ${plural(files.length, "file", "files")} (${plural(
    files.reduce((n, f) => n + f.parts, 0),
    "part",
    "parts"
  )}), ${plural(
    files.reduce((n, f) => n + f.rows, 0),
    "row",
    "rows"
  )}${jobRun === undefined ? "" : ` of job run ${jobRun}`} in ${folder}${others === 0 ? "" : `; its run lists the job's ${plural(others, "other output", "other outputs")} there too`}`

/**
 * A merge of a sharded run without split exports: `joined the runs of 3 shards of job run e in /abs/landing: its run
 * lists the job's 1 output`.
 */
const joinedFooter = (shards: number, others: number, folder: string, jobRun: string | undefined) =>
  `joined the runs of ${plural(shards, "shard", "shards")}${jobRun === undefined ? "" : ` of job run ${jobRun}`} in ${folder} (no split export to merge): its run lists the job's ${plural(others, "output", "outputs")}`

/** What `merge` is given on its command line. */
interface MergeInput {
  readonly runs: ReadonlyArray<string>
  readonly out: Option.Option<string>
  readonly force: boolean
  readonly maxSpread: Option.Option<string>
  readonly ddl: ReadonlyArray<Dialect>
  readonly json: boolean
}

/** Merges the runs and prints the report (a table and footer, or one JSON object). */
const mergeAndReport = (input: MergeInput, settings: LogSettings) =>
  Effect.gen(function* () {
    const out = Option.getOrElse(input.out, () => input.runs[0]!)
    // `-` is stdout to the export commands: never a folder of that name.
    if (out === "-") {
      return yield* new UsageError({ message: "spotpipe merge writes files: give --out a directory, not -" })
    }
    // The folder's check every command that writes makes first (a read-only disk, a file in the way): exit 2.
    yield* checkOutputFolder(out)
    const maxSpreadHours = Option.isSome(input.maxSpread) ? yield* spreadHours(input.maxSpread.value) : undefined
    // The DDL's dialects, chosen and checked once the merge knows its folders and outputs, before it writes.
    let ddl: ReadonlyArray<Dialect> = []
    const report = yield* mergeRuns({
      runs: input.runs,
      out,
      force: input.force,
      ...(maxSpreadHours === undefined ? {} : { maxSpreadHours }),
      version,
      jobFingerprintAt,
      beforeWriting: ({ folders, outputs }) =>
        Effect.map(ddlDialects(input.ddl, folders, outputs), (chosen) => {
          ddl = chosen
        })
    })
    // After the manifest, whose outputs it describes (as for the exporting commands).
    const ddlFiles = yield* writeDdl(out, report.manifest, ddl)
    // --json: the report on stdout whatever the logs look like, and with --quiet too.
    if (settings.quiet && !input.json) return
    const path = yield* Path.Path
    const folder = path.resolve(out)
    const ddlShown = ddlFiles.length === 0 ? "" : `; its DDL: ${ddlFiles.join(", ")}`
    yield* Console.log(
      input.json || settings.format === "json"
        ? jsonLine({
            merge: {
              files: report.files,
              others: report.others,
              folder,
              // Absolute, as `folder` and every path of the other commands' reports: --out may be relative.
              manifest: path.resolve(report.manifestPath),
              job_run: report.jobRun ?? null,
              // "failed" with the exports that failed in the shards' latest runs (load refuses such a run).
              ...mergeOutcomeJson(report.manifest),
              ...(ddlFiles.length === 0 ? {} : { ddl: ddlFiles })
            }
          })
        : report.files.length === 0
          ? inert(joinedFooter(report.shards, report.others.length, folder, report.jobRun) + ddlShown)
          : `${formatTable(
              ["file", "parts", "rows", "bytes"],
              report.files.map((f) => [f.file, formatCount(f.parts), formatCount(f.rows), formatCount(f.bytes)]),
              [false, true, true, true]
            )}${inert(mergedFooter(report.files, report.others.length, folder, report.jobRun) + ddlShown)}`
    )
  })

/** The `merge` command. */
export const mergeCommand = Command.make(
  "merge",
  {
    runs: Argument.String("run folder").pipe(
      Argument.withDescription("the output folders of the runs that wrote the parts (one, or one per shard)"),
      Argument.atLeast(1)
    ),
    out: Flag.String("out").pipe(
      Flag.withDescription("where the merged files and their manifest go (default: the first run folder)"),
      Flag.optional
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDefault(false),
      Flag.withDescription(
        "replace existing merged files that the folder's latest merge did not write as they are (its own are replaced anyway)"
      )
    ),
    maxSpread: Flag.String("max-spread").pipe(
      Flag.withDescription(
        `HOURS: shard runs without a job run id (spotpipe run --job-run) that started further apart are refused as most likely of different runs (default ${defaultMaxSpreadHours})`
      ),
      Flag.optional
    ),
    ddl: writeFlags.ddl.pipe(
      Flag.withDescription(
        `also write CREATE TABLE statements for the merged run into ddl/, comma-separated: ${dialects.join(",")} (without it: the dialects the shards wrote DDL in)`
      )
    ),
    ...logFlags,
    json: jsonReportFlag
  },
  (input) =>
    Effect.gen(function* () {
      const settings = yield* checkLogging(input)
      const merged = yield* Effect.exit(mergeAndReport(input, settings))
      // --json: a refused or failed merge is a report too (as a failed load is), so a script reading stdout learns
      // why; an interruption has no error to report.
      if (input.json && Exit.isFailure(merged)) {
        const failure = Cause.findErrorOption(merged.cause)
        if (Option.isSome(failure))
          yield* Console.log(jsonLine({ merge: { status: "failed", error: failure.value.message } }))
      }
      return yield* merged
    })
).pipe(
  Command.withDescription(
    'Join the part files of split exports ("split": K in a job file) into one file each, checked against their manifests, and the shards\' runs into one manifest'
  ),
  Command.withExamples([
    { command: "spotpipe merge ./landing", description: "the shards wrote into one folder" },
    {
      command: "spotpipe merge ./shard-1 ./shard-2 ./shard-3 --out ./landing",
      description: "each shard wrote into its own folder"
    }
  ])
)
