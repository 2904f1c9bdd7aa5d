/**
 * The `spotpipe` command tree (effect/cli): `demo`, `sandbox`, `metadata`, `answer`, `liveboard`, `search` and
 * `run` (batch jobs). Each command spreads the flag groups of Flags.ts it takes (each flag checked as it is
 * parsed); the checks across flags (Settings.ts) and the connection (cluster/Connection.ts: the command line over
 * a job file's `connection` over the THOUGHTSPOT_* environment) run before any request. Secrets come only from
 * the environment, `--password-file` or a prompt.
 */
import { Console, Effect, Option, Path, Redacted } from "effect"
import { Argument, Command, Flag, GlobalFlag, Prompt } from "effect/cli"
import manifest from "../../package.json" with { type: "json" }
import {
  type Cluster,
  demoMetadataTypes,
  type MetadataObject,
  metadataColumns,
  metadataTypes
} from "../cluster/Cluster.ts"
import {
  type Connection,
  type ConnectionFlags,
  commandLineLayer,
  environmentLayer,
  jobFileLayer,
  readEnvironment,
  resolveConnection
} from "../cluster/Connection.ts"
import { type ClusterFailure, connect } from "../cluster/CoreCluster.ts"
import { ExportError } from "../ExportError.ts"
import { type BatchOptions, runBatch } from "../engine/BatchRun.ts"
import { chooseTimeZone, type ExportTask, runExport } from "../engine/Exporter.ts"
import { toExportError } from "../Failure.ts"
import { checkOutputFolder, claimDemoFolder } from "../output/OutputFolder.ts"
import { typesByName, typesByPosition } from "../plan/ColumnPlanner.ts"
import type { ConnectionSpec } from "../plan/JobFile.ts"
import { findObject, suggestVisualizations } from "../plan/ObjectNames.ts"
import { searchColumnTypes } from "../plan/SearchColumns.ts"
import * as Shard from "../plan/Shard.ts"
import { batchSummaryJson, formatBatchSummary } from "./BatchSummary.ts"
import {
  connectionFlags,
  defaultsOf,
  exportFlags,
  jobArgument,
  logFlags,
  type Parsed,
  runFlags,
  timeLimitFlags,
  writeFlags
} from "./Flags.ts"
import { setResumeHint, shellWord } from "./Interruption.ts"
import { loggingLayer, logLevelOf } from "./Logging.ts"
import { makeTerminalProgress, showsProgress, silentProgress } from "./Progress.ts"
import { sandboxCommand } from "./SandboxCommand.ts"
import {
  checkLogging,
  checkOutput,
  checkTimeLimits,
  defaultPageSize,
  type Format,
  type OutputSettings,
  type TimeLimits
} from "./Settings.ts"
import { formatSummary, summaryJson } from "./Summary.ts"
import { UsageError } from "./UsageError.ts"

/** The CLI version (also sent in the User-Agent): the app's package version, so the packed command says the same. */
export const version: string = manifest.version

const described = <A>(flag: Flag.Flag<A>, description: string) => flag.pipe(Flag.withDescription(description))

/** The flags of every command that exports: where to connect, time limits, what to write, logging. */
const commonFlags = { ...connectionFlags, ...timeLimitFlags, ...exportFlags, ...logFlags }

/** What every exporting command parsed. */
type CommonInput = Parsed<typeof commonFlags>

/**
 * Asks for a password on the terminal, when there is one to ask on; `allowPrompt` is off with `--out -`, since
 * the prompt draws on stdout.
 */
const passwordPrompt = Effect.fn("Cli.passwordPrompt")(function* (allowPrompt: boolean) {
  const terminal = yield* Effect.context<Prompt.Environment>()
  const interactive =
    allowPrompt && process.stdin.isTTY === true && process.stdout.isTTY === true && process.stderr.isTTY === true
  return interactive
    ? Option.some((message: string) =>
        Prompt.run(Prompt.Password({ message })).pipe(
          Effect.map((r) => Redacted.make(Redacted.value(r) as string)),
          Effect.mapError(() => new UsageError({ message: "no password entered" })),
          Effect.provideContext(terminal)
        )
      )
    : Option.none()
})

/**
 * The connection from the command line, then `job` (a job file's `connection`, for `spotpipe run`), then the
 * THOUGHTSPOT_* environment; a password prompt only as the last resort.
 */
const connectionOf = Effect.fn("Cli.connectionOf")(function* (
  flags: ConnectionFlags,
  allowPrompt: boolean,
  sources: { readonly job?: ConnectionSpec; readonly ambient?: boolean } = {}
) {
  const env = yield* readEnvironment(sources.job)
  const layers = [
    yield* commandLineLayer(flags),
    ...(sources.job === undefined ? [] : [jobFileLayer(sources.job, env)]),
    ...(sources.ambient === false ? [] : [environmentLayer(env)])
  ]
  return yield* resolveConnection(layers, yield* passwordPrompt(allowPrompt))
})

/** Everything a command needs after the gate. */
interface Checked {
  readonly output: OutputSettings
  readonly connection: Connection
  readonly offset: "utc" | "zone"
  readonly limits: TimeLimits
}

/** Checks `input`; `ambient: false` ignores the THOUGHTSPOT_* environment (the demo always uses its sandbox). */
const gate = Effect.fn("Cli.gate")(function* (input: CommonInput, defaultOut = ".", ambient = true) {
  // Every check below runs before any request: a usage error never costs a round trip.
  const output = yield* checkOutput(input, defaultOut)
  const limits = yield* checkTimeLimits(input)
  // Before credentials: no prompt for a run that cannot write.
  if (output.destination._tag === "Directory") yield* checkOutputFolder(output.destination.path)
  const connection = yield* connectionOf(input, output.destination._tag === "Directory", { ambient })
  const checked: Checked = { output, connection, offset: input.datetimeOffset, limits }
  return checked
})

const progressFor = (settings: Parameters<typeof showsProgress>[0]) =>
  showsProgress(settings, process.stderr.isTTY === true)
    ? makeTerminalProgress((text) => Effect.sync(() => void process.stderr.write(text)))
    : silentProgress

/**
 * Runs one command: gate, connect, build the tasks, export, print the summary. `build` looks objects up and
 * returns the tasks; `formats` defaults to the `--format` given.
 */
const session = (
  command: string,
  input: CommonInput,
  build: (
    cluster: Cluster<ClusterFailure>,
    output: OutputSettings
  ) => Effect.Effect<ReadonlyArray<ExportTask<ClusterFailure>>, ClusterFailure | ExportError | UsageError>,
  options: {
    readonly defaultOut?: string
    readonly formats?: ReadonlyArray<Format>
    readonly force?: boolean
    /** Names the target in failure messages, e.g. `answer "Sales"`. */
    readonly what?: string
    /** Write only into a folder this command marked as its own (the demo, which replaces files by name). */
    readonly ownFolder?: boolean
    /** `false`: connect without the THOUGHTSPOT_* environment (the demo's own sandbox). */
    readonly ambient?: boolean
  } = {}
) =>
  Effect.gen(function* () {
    const toRunError = (error: unknown) => toExportError(error, options.what ?? command)
    const logSettings = yield* checkLogging(input)
    const logLevel = yield* logLevelOf(logSettings, yield* GlobalFlag.LogLevel)
    return yield* Effect.gen(function* () {
      const checked = yield* gate(input, options.defaultOut, options.ambient)
      if (options.ownFolder === true && checked.output.destination._tag === "Directory") {
        yield* claimDemoFolder(checked.output.destination.path)
      }
      const output = options.force === true ? { ...checked.output, force: true } : checked.output
      const outputName = Option.getOrUndefined(input.outputName)
      if (outputName !== undefined && (outputName.trim() === "" || output.destination._tag === "Stdout")) {
        return yield* new UsageError({
          message:
            outputName.trim() === ""
              ? "--output-name is empty: give the file name without extension, e.g. --output-name monthly-revenue"
              : "--output-name names a file, but --out - writes to stdout: drop one of them"
        })
      }
      const cluster = yield* connect(checked.connection, {
        version,
        pageSize: output.pageSize,
        concurrency: output.concurrency,
        // One export at a time here: `--concurrency` is every request in flight.
        requests: output.concurrency,
        ...checked.limits
      })
      yield* Effect.logDebug(`using ThoughtSpot at ${cluster.host}`)
      const built = yield* build(cluster, output).pipe(Effect.mapError((e) => toRunError(e)))
      // --output-name replaces the file name, or the folder of a liveboard's files.
      const tasks =
        outputName === undefined
          ? built
          : built.map((task) =>
              task.folder === undefined ? { ...task, fileName: outputName } : { ...task, folder: outputName }
            )
      if (output.destination._tag === "Stdout" && tasks.length !== 1) {
        return yield* new UsageError({
          message: `--out - writes exactly one result, but this ${command} has ${tasks.length}: pick one with --viz, or write to a directory`
        })
      }
      const clusterZone = Option.isSome(output.timezone)
        ? Option.none<string>()
        : yield* cluster.timeZone.pipe(Effect.mapError((e) => toRunError(e)))
      const zone = chooseTimeZone(Option.getOrUndefined(output.timezone), Option.getOrUndefined(clusterZone))
      if (zone.warning !== undefined) yield* Effect.logWarning(zone.warning)
      yield* Effect.logDebug(`data time zone ${zone.info.name} (${zone.info.source})`)
      const result = yield* runExport(
        {
          command,
          version,
          host: cluster.host,
          output,
          formats: options.formats ?? [output.format],
          timeZone: zone.info,
          offset: checked.offset,
          progress: progressFor(logSettings),
          workers: output.workers,
          strict: input.strict
        },
        tasks,
        zone.warning === undefined ? [] : [zone.warning]
      )
      if (!logSettings.quiet) {
        const formats = (options.formats ?? [output.format]).length
        // The exporter lists each result's files together, one per format: their rows count once.
        const lines = result.summary.map((line, i) => ({ ...line, result: Math.floor(i / formats) }))
        const path = yield* Path.Path
        const where = output.destination._tag === "Directory" ? { folder: path.resolve(output.destination.path) } : {}
        const text = logSettings.format === "json" ? summaryJson(lines, where) : formatSummary(lines, where).trimEnd()
        yield* output.destination._tag === "Stdout" ? Console.error(text) : Console.log(text)
      }
    }).pipe(Effect.scoped, Effect.provide(loggingLayer(logSettings, logLevel)))
  })

/** Tasks for an answer. */
export const answerTasks = <E>(cluster: Cluster<E>, answer: MetadataObject, pageSize: number): ExportTask<E> => {
  const columns = answer.visualizations[0]?.columns ?? []
  return {
    object: `answer ${answer.name}`,
    what: `answer "${answer.name}"`,
    fileName: `answer-${answer.name}`,
    source: { type: "ANSWER", id: answer.id, name: answer.name, viz: null, query: null },
    pages: (decoder) => cluster.answerPages(answer.id, pageSize, 0, decoder),
    typesOf: typesByPosition(columns),
    emptyColumns: columns.map((c) => c.name)
  }
}

/** Tasks for the visualizations of a liveboard. */
export const liveboardTasks = <E>(
  cluster: Cluster<E>,
  liveboard: MetadataObject,
  vizzes: MetadataObject["visualizations"],
  pageSize: number
): ReadonlyArray<ExportTask<E>> =>
  vizzes.map((viz) => ({
    object: `liveboard ${liveboard.name} / ${viz.name}`,
    what: `visualization "${viz.name}" of liveboard "${liveboard.name}"`,
    // One folder per liveboard, one file per visualization: the layout `spotpipe run` writes too.
    folder: `liveboard-${liveboard.name}`,
    fileName: viz.name,
    source: {
      type: "LIVEBOARD",
      id: liveboard.id,
      name: liveboard.name,
      viz: { id: viz.id, name: viz.name },
      query: null
    },
    pages: (decoder) => cluster.liveboardPages(liveboard.id, viz.id, pageSize, 0, decoder),
    typesOf: typesByPosition(viz.columns),
    emptyColumns: viz.columns.map((c) => c.name)
  }))

/** The metadata task for `types`. */
export const metadataTask = <E>(
  cluster: Cluster<E>,
  types: ReadonlyArray<string>,
  pageSize: number
): ExportTask<E> => ({
  object: types.length === 1 ? `metadata ${types[0]}` : `metadata (${types.length} types)`,
  what: `metadata (${types.join(", ")})`,
  fileName: "metadata",
  source: { type: "METADATA", id: null, name: types.join(","), viz: null, query: null },
  pages: () => cluster.metadataPages(types, pageSize),
  typesOf: typesByPosition(metadataColumns),
  emptyColumns: metadataColumns.map((c) => c.name)
})

const parseList = (text: string) =>
  text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")

const metadataCommand = Command.make(
  "metadata",
  {
    ...commonFlags,
    type: described(
      Flag.String("type").pipe(Flag.withDefault("LIVEBOARD,ANSWER,LOGICAL_TABLE")),
      `comma-separated metadata types, any of ${metadataTypes.join(", ")} (default LIVEBOARD,ANSWER,LOGICAL_TABLE)`
    )
  },
  (input) =>
    Effect.gen(function* () {
      const types = parseList(input.type.toUpperCase())
      const unknown = types.filter((t) => !(metadataTypes as ReadonlyArray<string>).includes(t))
      if (types.length === 0 || unknown.length > 0) {
        return yield* new UsageError({
          message: `unknown metadata type ${unknown.join(", ") || "(none)"}: use --type with any of ${metadataTypes.join(",")}`
        })
      }
      yield* session("metadata", input, (cluster, output) =>
        Effect.succeed([metadataTask(cluster, types, output.pageSize)])
      )
    })
).pipe(
  Command.withDescription(
    "Export metadata (one row per object) of the given types; by default liveboards, answers and tables (LIVEBOARD,ANSWER,LOGICAL_TABLE)"
  ),
  Command.withExamples([
    { command: "spotpipe metadata --sandbox --out ./landing", description: "liveboards, answers and tables" },
    {
      command: "spotpipe metadata --type ANSWER,TAG --format ndjson --out -",
      description: "answers and tags to stdout"
    }
  ])
)

const answerCommand = Command.make(
  "answer",
  {
    ...commonFlags,
    answer: Argument.String("guid-or-name").pipe(Argument.withDescription("the saved answer's GUID or exact name"))
  },
  (input) =>
    session(
      "answer",
      input,
      (cluster, output) =>
        Effect.map(findObject(cluster, "ANSWER", input.answer), (answer) => [
          answerTasks(cluster, answer, output.pageSize)
        ]),
      { what: `answer "${input.answer}"` }
    )
).pipe(
  Command.withDescription("Export the data of a saved answer"),
  Command.withExamples([
    { command: 'spotpipe answer "Revenue by Month" --sandbox --out ./landing', description: "by name, as CSV" },
    {
      command: 'spotpipe answer "Order Details" --sandbox --format ndjson --out - | head -3',
      description: "NDJSON to stdout"
    }
  ])
)

const liveboardCommand = Command.make(
  "liveboard",
  {
    ...commonFlags,
    liveboard: Argument.String("guid-or-name").pipe(Argument.withDescription("the liveboard's GUID or exact name")),
    viz: described(
      Flag.String("viz").pipe(Flag.optional),
      "comma-separated visualization GUIDs or names (default: all)"
    )
  },
  (input) =>
    session(
      "liveboard",
      input,
      (cluster, output) =>
        Effect.gen(function* () {
          const liveboard = yield* findObject(cluster, "LIVEBOARD", input.liveboard)
          let vizzes = liveboard.visualizations
          if (Option.isSome(input.viz)) {
            const wanted = parseList(input.viz.value)
            const chosen: Array<(typeof vizzes)[number]> = []
            for (const w of wanted) {
              const match = vizzes.find((v) => v.id === w) ?? vizzes.find((v) => v.name === w)
              if (match === undefined) {
                const names = vizzes.map((v) => v.name)
                return yield* new ExportError({
                  kind: "NotFound",
                  message: `liveboard "${liveboard.name}" has no visualization "${w}": choose from ${names
                    .map((name) => `"${name}"`)
                    .join(", ")}${suggestVisualizations(w, names)}`
                })
              }
              if (!chosen.includes(match)) chosen.push(match)
            }
            vizzes = chosen
          }
          return liveboardTasks(cluster, liveboard, vizzes, output.pageSize)
        }),
      { what: `liveboard "${input.liveboard}"` }
    )
).pipe(
  Command.withDescription("Export the data of a liveboard's visualizations (one file each)"),
  Command.withExamples([
    { command: 'spotpipe liveboard "Sales Overview" --sandbox --out ./landing', description: "every visualization" },
    {
      command: 'spotpipe liveboard "Sales Overview" --viz "Revenue by Region" --format ndjson --out ./landing',
      description: "one visualization"
    }
  ])
)

const searchCommand = Command.make(
  "search",
  {
    ...commonFlags,
    table: described(Flag.String("table"), "GUID or exact name of the model, worksheet or table to search"),
    query: described(Flag.String("query"), 'search tokens, e.g. "[Region] [Revenue] [Order Date].monthly"')
  },
  (input) =>
    Effect.gen(function* () {
      if (input.query.trim() === "") {
        return yield* new UsageError({ message: 'the search query is empty: pass --query "[Column] [Measure]"' })
      }
      yield* session(
        "search",
        input,
        (cluster, output) =>
          Effect.map(findObject(cluster, "LOGICAL_TABLE", input.table), (table) => [
            {
              object: `search ${table.name}`,
              what: `search on "${table.name}"`,
              fileName: `search-${table.name}`,
              source: { type: "LOGICAL_TABLE", id: table.id, name: table.name, viz: null, query: input.query },
              pages: (decoder) => cluster.searchPages(table.id, input.query, output.pageSize, 0, decoder),
              typesOf: typesByName(searchColumnTypes(table.columns)),
              emptyColumns: []
            }
          ]),
        { what: `search on "${input.table}"` }
      )
    })
).pipe(
  Command.withDescription("Export the result of a search query on a model or table"),
  Command.withExamples([
    {
      command:
        'spotpipe search --sandbox --table Orders --query "[Region] [Revenue] [Order Date].monthly" --out ./landing',
      description: "monthly revenue by region"
    }
  ])
)

const demoCommand = Command.make(
  "demo",
  {
    out: described(
      Flag.String("out").pipe(Flag.withDefault("spotpipe-demo")),
      "output directory (default ./spotpipe-demo)"
    ),
    ...logFlags
  },
  (input) =>
    Effect.flatMap(defaultsOf(commonFlags), (defaults) =>
      session(
        "demo",
        { ...defaults, ...input, out: Option.some(input.out), sandbox: true, force: true },
        (cluster, output) =>
          Effect.gen(function* () {
            const answers = yield* cluster.list("ANSWER")
            const liveboards = yield* cluster.list("LIVEBOARD")
            const byName = (a: MetadataObject, b: MetadataObject) =>
              a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
            return [
              metadataTask(cluster, demoMetadataTypes, output.pageSize),
              ...[...answers].sort(byName).map((a) => answerTasks(cluster, a, output.pageSize)),
              ...[...liveboards]
                .sort(byName)
                .flatMap((lb) => liveboardTasks(cluster, lb, lb.visualizations, output.pageSize))
            ]
          }),
        { formats: ["csv", "ndjson"], force: true, ownFolder: true, ambient: false }
      )
    )
).pipe(
  Command.withDescription(
    "Start the embedded sandbox and export all metadata, every answer and every liveboard visualization as CSV and NDJSON"
  ),
  Command.withExamples([
    { command: "spotpipe demo", description: "into ./spotpipe-demo" },
    { command: "spotpipe demo --out /tmp/demo --log-format json", description: "summary as JSON" }
  ])
)

/** Kills the process at a named batch step (`SPOTPIPE_TEST_KILL_AT=step:n`, used only by the crash suite). */
const killSwitch = (): BatchOptions["onStep"] => {
  const spec = process.env["SPOTPIPE_TEST_KILL_AT"]
  if (spec === undefined || spec === "") return undefined
  const [name, nth] = spec.split(":")
  let seen = 0
  const target = Number(nth ?? "1")
  return (step) =>
    Effect.sync(() => {
      if (step === name && ++seen === target) process.kill(process.pid, "SIGKILL")
    })
}

const runCommand = Command.make(
  "run",
  {
    ...connectionFlags,
    ...timeLimitFlags,
    ...logFlags,
    job: jobArgument,
    ...runFlags,
    ...writeFlags
  },
  (input) =>
    Effect.gen(function* () {
      const logSettings = yield* checkLogging(input)
      const logLevel = yield* logLevelOf(logSettings, yield* GlobalFlag.LogLevel)
      return yield* Effect.gen(function* () {
        const { path: jobFile, job } = input.job
        const shard = Option.match(input.shard, { onNone: () => Shard.whole, onSome: (s) => s.shard })
        yield* setResumeHint(
          ["spotpipe", "run", jobFile, ...(input.out === "." ? [] : ["--out", input.out])]
            .concat(Option.isSome(input.shard) ? ["--shard", input.shard.value.text] : [], ["--resume"])
            .map(shellWord)
            .join(" ")
        )
        // `--out` names a directory: its flag refuses `-`.
        const checkedOutput = yield* checkOutput({
          format: "csv",
          out: Option.some(input.out),
          timezone: Option.none(),
          pageSize: Option.none(),
          concurrency: Option.some(input.concurrency),
          workers: input.workers,
          newline: input.newline,
          force: input.force,
          escapeFormulae: input.escapeFormulae,
          periodEnd: input.periodEnd
        })
        const output = { ...checkedOutput, destination: { _tag: "Directory" as const, path: input.out } }
        const offset = input.datetimeOffset
        const limits = yield* checkTimeLimits(input, job.client)
        yield* checkOutputFolder(output.destination.path)
        const connection = yield* connectionOf(input, true, { job: job.connection })
        const cluster = yield* connect(connection, {
          version,
          pageSize: defaultPageSize,
          concurrency: 2,
          ...limits
        })
        yield* Effect.logDebug(`using ThoughtSpot at ${cluster.host}`)
        const onStep = killSwitch()
        const result = yield* runBatch(job, cluster, {
          outDir: output.destination.path,
          jobFile,
          resume: input.resume,
          force: input.force,
          concurrency: output.concurrency,
          workers: output.workers,
          shard,
          newline: output.newline,
          escapeFormulae: output.escapeFormulae,
          periodEnd: output.periodEnd,
          strict: input.strict,
          offset,
          version,
          // One terminal line cannot show several exports at once: the live line only for one at a time.
          progress: output.concurrency === 1 ? progressFor(logSettings) : silentProgress,
          ...(onStep === undefined ? {} : { onStep })
        })
        if (!logSettings.quiet) {
          yield* Console.log(
            logSettings.format === "json"
              ? batchSummaryJson(result.manifest)
              : formatBatchSummary(result.manifest).trimEnd()
          )
        }
        if (result.failed > 0) {
          const first = result.manifest.exports.find((e) => e.status === "failed")
          return yield* new ExportError({
            kind: "Remote",
            message: `${result.failed} of ${result.manifest.exports.length} exports failed (the others were written; see ${result.manifestPath}, rerun with --resume): ${first?.error ?? ""}`
          })
        }
      }).pipe(Effect.scoped, Effect.provide(loggingLayer(logSettings, logLevel)))
    })
).pipe(
  Command.withDescription("Run a batch job file: many exports, one client, resumable"),
  Command.withExamples([
    { command: "spotpipe run nightly.json --out ./landing", description: "every export of the job" },
    { command: "spotpipe run nightly.json --out ./landing --resume", description: "continue after a failure" }
  ])
)

/** The root command. */
export const spotpipe = Command.make("spotpipe").pipe(
  Command.withDescription("Export ThoughtSpot metadata and data to CSV or NDJSON"),
  Command.withExamples([
    { command: "spotpipe demo", description: "try it on the embedded sandbox" },
    {
      command:
        'THOUGHTSPOT_HOST=https://acme.thoughtspot.cloud THOUGHTSPOT_USERNAME=me THOUGHTSPOT_PASSWORD=… spotpipe answer "Revenue by Month" --out ./landing',
      description: "an answer from a cluster"
    }
  ]),
  Command.withSubcommands([
    demoCommand,
    sandboxCommand,
    metadataCommand,
    answerCommand,
    liveboardCommand,
    searchCommand,
    runCommand
  ])
)
