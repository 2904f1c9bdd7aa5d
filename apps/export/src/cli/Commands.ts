/**
 * What the exporting commands do once their flags are parsed: check what one flag cannot (Settings.ts), resolve
 * the connection (cluster/Connection.ts), connect, hand the exports to the one export engine (`Engine.runExports`)
 * and print the summary. A single command (`metadata`, `answer`, `liveboard`, `search`, `demo`) is a job of its own
 * exports run with the single-command policy: it stops at the first failure and resumes only with `--resume`.
 * `spotpipe run` runs a job file's exports with the job policy: a failed export is recorded while the others carry
 * on, and its state is kept for `--resume`. Both write the same files, layout and manifest fields.
 */
import { Cause, Config, Console, Effect, Exit, FileSystem, Option, Path, Redacted } from "effect"
import { Prompt, TerminalCapabilities } from "effect/cli"
import type { Cluster } from "../cluster/Cluster.ts"
import { demoMetadataTypes, type MetadataObject } from "../cluster/Cluster.ts"
import {
  type Connection,
  type ConnectionFlags,
  type ConnectionLayer,
  type ConnectionSpec,
  connectionLayers,
  resolveConnection
} from "../cluster/Connection.ts"
import { type ClusterFailure, connect } from "../cluster/CoreCluster.ts"
import { ExportError } from "../ExportError.ts"
import * as Checkpoint from "../engine/Checkpoint.ts"
import type { DryRunPlan } from "../engine/DryRun.ts"
import { type PendingWatermark, type RunResult, runExports } from "../engine/Engine.ts"
import { silentProgress } from "../engine/ExportJob.ts"
import type { RunOptions } from "../engine/Run.ts"
import { type SignIn, setSignIn, toExportError } from "../Failure.ts"
import type { Format } from "../formats/RowFormat.ts"
import { ResumeHint, setResumeHint, shellWord } from "../Interruption.ts"
import { type DdlManifest, ddlNameProblems, ddlRefusal, manifestTables, writeDdl } from "../load/Ddl.ts"
import { duckDbInstalled, duckDbInstallHint } from "../load/DuckDbEngine.ts"
import {
  checkLoadRequest,
  checkLoadTarget,
  type LoadReport,
  loadKeysOf,
  loadRefusal,
  loadStep
} from "../load/LoadStep.ts"
import type { Dialect } from "../load/Warehouse.ts"
import { isDocumentFormat, type OrgSelection } from "../output/Manifest.ts"
import { checkOutputFolder, claimDemoFolder } from "../output/OutputFolder.ts"
import { lockRefusalOf, stateDirName } from "../output/OutputLock.ts"
import { baseFileName } from "../plan/FileName.ts"
import { type ExportSpec, type Job, type JobExport, makeExport, outputNameProblem } from "../plan/JobFile.ts"
import * as Shard from "../plan/Shard.ts"
import { recordWatermarks } from "../plan/Watermark.ts"
import { UsageError } from "../UsageError.ts"
import { version } from "../Version.ts"
import { batchSummaryJson, formatBatchSummary } from "./BatchSummary.ts"
import type {
  connectionFlags,
  exportFlags,
  loadFlags,
  logFlags,
  Parsed,
  reportFlags,
  runFlags,
  timeLimitFlags,
  writeFlags
} from "./Flags.ts"
import { checkJobRun, defaultRunConcurrency, jobRunVariable, logLevel } from "./Flags.ts"
import { formatLoadSummary, loadFailureJson, loadJson, loadSummaryJson, otherRunsWarning } from "./LoadSummary.ts"
import { loggingLayer, logLevelOf } from "./Logging.ts"
import { orgsWithTokenRefused, withOrgs } from "./Orgs.ts"
import { makeTerminalProgress, showsProgress } from "./Progress.ts"
import {
  checkLogging,
  checkOutput,
  checkTimeLimits,
  defaultPageSize,
  type LogSettings,
  type OutputSettings
} from "./Settings.ts"
import {
  dryRunJson,
  formatDryRun,
  formatSummary,
  type RunStepJson,
  refusedReportJson,
  removedOf,
  runReportJson,
  type SummaryJsonLine,
  summaryJson
} from "./Summary.ts"
import { formatCount, jsonLine } from "./TerminalText.ts"

/** What every exporting command parsed: where to connect, time limits, what to write, logging. */
export type CommonInput = Parsed<
  typeof connectionFlags & typeof timeLimitFlags & typeof exportFlags & typeof logFlags & typeof reportFlags
>

/** What `spotpipe run` parsed. */
export type RunInput = Parsed<typeof connectionFlags & typeof timeLimitFlags & typeof logFlags & typeof runFlags> &
  Parsed<typeof writeFlags & typeof reportFlags> & { readonly job: { readonly path: string; readonly job: Job } }

/**
 * Asks for the password on the terminal. Leaving the prompt (Ctrl-C, which a terminal in raw mode hands over as
 * a key, not as SIGINT; Esc or Ctrl-D) interrupts the run as Ctrl-C does anywhere else (exit 130); an empty
 * entry is refused (exit 2) rather than sent, as an empty THOUGHTSPOT_PASSWORD or password file is. Its colours
 * follow the rule of the rest of the CLI's output (`TerminalCapabilities.canColor`: `NO_COLOR`, `FORCE_COLOR`,
 * `TERM=dumb`), not the prompt's own detection, which looks at stdout and `NO_COLOR` alone.
 */
export const askPassword = (
  message: string
): Effect.Effect<Redacted.Redacted<string>, UsageError, Prompt.Environment> =>
  Effect.flatMap(TerminalCapabilities.TerminalCapabilities, (terminal) =>
    // Hidden, not Password: a password prompt echoes one `*` per character, which leaves its length in the
    // scrollback (gh, ssh and psql echo nothing).
    Prompt.run(Prompt.Hidden({ message, theme: { colors: terminal.canColor } }))
  ).pipe(
    Effect.catchTag("QuitError", () => Effect.interrupt),
    Effect.flatMap((entered) => {
      const password = Redacted.value(entered) as string
      return password === ""
        ? Effect.fail(
            new UsageError({
              message:
                "no password entered: type it at the prompt, or set THOUGHTSPOT_PASSWORD or pass --password-file FILE"
            })
          )
        : Effect.succeed(Redacted.make(password))
    })
  )

/**
 * Asks for a password on the terminal, when one can answer it by the CLI's one terminal rule
 * (`TerminalCapabilities.canPrompt`: stdin and stdout are terminals and `TERM` is not `dumb`, which cannot redraw
 * a prompt); otherwise resolving says what to set instead. `allowPrompt` is off with `--out -`, since the prompt
 * draws on stdout.
 */
const passwordPrompt = Effect.fn("Commands.passwordPrompt")(function* (allowPrompt: boolean) {
  const terminal = yield* Effect.context<Prompt.Environment>()
  const { canPrompt } = yield* TerminalCapabilities.TerminalCapabilities
  return allowPrompt && canPrompt
    ? Option.some((message: string) => askPassword(message).pipe(Effect.provideContext(terminal)))
    : Option.none()
})

const methodNames = { Password: "password", SecretKey: "secret-key", BearerToken: "token" } as const

/** How `connection` signs in, with where its settings came from; none for the embedded sandbox. */
export const signInOf = (connection: Connection): SignIn | undefined =>
  connection._tag === "Cluster" && connection.sources !== undefined
    ? {
        host: connection.host,
        method: methodNames[connection.auth._tag],
        ...(connection.sources.username === undefined ? {} : { username: connection.sources.username }),
        secret: connection.sources.secret,
        ...(connection.sources.orgId === undefined ? {} : { org: connection.sources.orgId })
      }
    : undefined

/**
 * `--sandbox` signs in to the sandbox's Primary Org as its own test user: an Org asked for with it (`--org-id`, a
 * job file's `orgId`) would be dropped, and another Org's data exported without a word. Refused instead.
 */
export const sandboxOrgRefused = (flags: ConnectionFlags, job?: ConnectionSpec): Effect.Effect<void, UsageError> => {
  if (!flags.sandbox) return Effect.void
  const given = Option.isSome(flags.orgId)
    ? "--org-id"
    : job?.orgId !== undefined
      ? `the job file's "orgId"`
      : undefined
  return given === undefined
    ? Effect.void
    : Effect.fail(
        new UsageError({
          message: `--sandbox signs in to the sandbox's Primary Org, so ${given} would export another Org's data than asked: drop it (the exports reach the sandbox's other Orgs with --orgs ID or --orgs all)`
        })
      )
}

/**
 * `--sandbox` signs in as the sandbox's own test user: a user or password file given with it on the command line
 * would be dropped, and the data that user may see exported instead, without a word. Refused instead.
 */
export const sandboxUserRefused = (flags: ConnectionFlags): Effect.Effect<void, UsageError> => {
  if (!flags.sandbox) return Effect.void
  const given = Option.isSome(flags.username)
    ? "--username"
    : Option.isSome(flags.passwordFile)
      ? "--password-file"
      : undefined
  return given === undefined
    ? Effect.void
    : Effect.fail(
        new UsageError({
          message: `--sandbox signs in as the sandbox's own test user, so ${given} would be ignored: drop it (to sign in as another of its users, run spotpipe sandbox and pass its URL with --host)`
        })
      )
}

/**
 * A token issued elsewhere is bound to the Org it was issued for and cannot be switched: an Org asked for with it
 * (`--org-id`, a job file's `orgId`, a profile's `org-id`) would be dropped, and the token's Org exported without
 * a word. Refused instead.
 */
export const tokenOrgRefused = (
  connection: Connection,
  layers: ReadonlyArray<ConnectionLayer>
): Effect.Effect<void, UsageError> => {
  if (connection._tag !== "Cluster" || connection.auth._tag !== "BearerToken") return Effect.void
  const org = layers.find((layer) => layer.orgId !== undefined)
  return org === undefined
    ? Effect.void
    : Effect.fail(
        new UsageError({
          message: `a token (${connection.sources?.secret ?? "THOUGHTSPOT_TOKEN"}) signs in to the Org it was issued for, so the Org from ${org.orgIdFrom ?? org.label} would be ignored and that Org's data exported instead: drop the Org, or sign in with a password or secret key (or a token issued for that Org)`
        })
      )
}

/**
 * The connection from the command line, then `job` (a job file's `connection`, for `spotpipe run`), then the
 * THOUGHTSPOT_* environment, then the profile (unless `ambient` is off: the demo's own sandbox; a profile named by
 * `--profile` before the environment, see connectionLayers); a password prompt only as the last resort.
 */
export const connectionOf = Effect.fn("Commands.connectionOf")(function* (
  flags: ConnectionFlags,
  allowPrompt: boolean,
  sources: { readonly job?: ConnectionSpec; readonly ambient?: boolean } = {}
) {
  yield* sandboxUserRefused(flags)
  yield* sandboxOrgRefused(flags, sources.job)
  const { layers } = yield* connectionLayers(flags, sources)
  const connection = yield* resolveConnection(layers, yield* passwordPrompt(allowPrompt))
  yield* tokenOrgRefused(connection, layers)
  // Refused credentials then name where they came from.
  const signIn = signInOf(connection)
  if (signIn !== undefined) yield* setSignIn(signIn)
  return connection
})

const progressFor = (settings: LogSettings, dataToStdout = false) =>
  showsProgress(
    settings,
    process.stderr.isTTY === true,
    dataToStdout && process.stdout.isTTY === true,
    process.env["TERM"]
  )
    ? makeTerminalProgress((text) => Effect.sync(() => void process.stderr.write(text)))
    : silentProgress

/** Runs `body` with the logging the flags ask for (checked first: `--quiet` with `--verbose` is a usage error). */
export const withLogging = <A, E, R>(
  input: Parsed<typeof logFlags>,
  body: (settings: LogSettings) => Effect.Effect<A, E, R>
) =>
  Effect.gen(function* () {
    const settings = yield* checkLogging(input)
    const level = yield* logLevelOf(settings, yield* logLevel)
    return yield* body(settings).pipe(Effect.scoped, Effect.provide(loggingLayer(settings, level)))
  })

/** The engine's settings that come from the writing flags. */
const writeSettings = (output: OutputSettings, input: { readonly datetimeOffset: "utc" | "zone" }) => ({
  workers: output.workers,
  newline: output.newline,
  escapeFormulae: output.escapeFormulae,
  periodEnd: output.periodEnd,
  offset: input.datetimeOffset
})

/** The export entries of a single command, once its output settings are known (the demo: once connected). */
export type SingleExports = (
  output: OutputSettings,
  cluster: Cluster<ClusterFailure>
) => Effect.Effect<ReadonlyArray<JobExport>, ClusterFailure | ExportError>

/**
 * One export of a single command. Its name: `key`, else `--output-name`, else after the object found
 * (`answer-<name>`, see `Planner`).
 */
export const singleExport =
  (input: CommonInput, spec: ExportSpec, what: string, key?: string): SingleExports =>
  (output) =>
    Effect.succeed([
      makeExport({
        index: 0,
        // Sanitized like object names (`by/product` is a file name, never a path), or made a slug.
        key: Option.getOrUndefined(Option.map(input.outputName, (name) => baseFileName(name, input.fileNames))) ?? key,
        what,
        spec,
        format: output.format,
        timezone: Option.getOrUndefined(output.timezone),
        pageSize: output.pageSize,
        strict: input.strict,
        columnNames: input.columnNames,
        fileNames: input.fileNames,
        nullString: Option.getOrElse(input.nullString, () => "")
      })
    ])

/**
 * Runs a single command: checks, connects, runs its exports (`formats` each; default `--format`) and prints the
 * summary table (on stderr when the data goes to stdout). Fails with the first failed export's own error.
 */
export const runSingle = (
  command: string,
  input: CommonInput,
  exports: SingleExports,
  options: {
    /** Write only into a folder this command marked as its own (the demo, which replaces files by name). */
    readonly ownFolder?: boolean
    /** `false`: connect without the THOUGHTSPOT_* environment (the demo's own sandbox). */
    readonly ambient?: boolean
    /** Names the target in failure messages before an export is planned, e.g. `answer "Sales"`. */
    readonly what?: string
    /** Runs after a run that wrote a manifest, with its path (the demo's load into DuckDB). */
    readonly afterRun?: (
      manifestPath: string
    ) => Effect.Effect<void, ExportError | UsageError, Path.Path | FileSystem.FileSystem>
  } = {}
) =>
  withLogging(input, (logSettings) =>
    Effect.gen(function* () {
      // Every check below runs before any request: a usage error never costs a round trip.
      const output = yield* checkOutput(input)
      const limits = yield* checkTimeLimits(input)
      const toDisk = output.destination._tag === "Directory"
      if (Option.isSome(input.outputName) && !toDisk) {
        return yield* new UsageError({
          message: "--output-name names a file, but --out - writes to stdout: drop one of them"
        })
      }
      const outputProblem = Option.isSome(input.outputName)
        ? outputNameProblem(input.outputName.value, output.format, command)
        : undefined
      if (outputProblem !== undefined) return yield* new UsageError({ message: `--output-name ${outputProblem}` })
      if (Option.isSome(input.nullString) && output.format !== "csv") {
        return yield* new UsageError({
          message: `--null-string is for CSV (${output.format} writes null as null): drop it, or use --format csv`
        })
      }
      if (input.resume && !toDisk) {
        return yield* new UsageError({
          message: "--resume continues files in a directory, but --out - writes to stdout: drop one of them"
        })
      }
      if (input.ddl.length > 0 && !toDisk) {
        return yield* new UsageError({
          message: "--ddl writes files beside the data, but --out - writes to stdout: drop one of them"
        })
      }
      if (input.ddl.length > 0 && input.escapeFormulae && output.format === "csv") {
        return yield* escapedForWarehouse("--ddl")
      }
      if (input.json && !toDisk) {
        return yield* new UsageError({
          message:
            "--json prints the run's summary on stdout, but --out - writes the data there: drop one of them (the summary of a --out - run goes to stderr; --log-format json makes it JSON)"
        })
      }
      // Before credentials: no prompt for a run that cannot write.
      if (output.destination._tag === "Directory") {
        yield* refuseFileAsFolder(output.destination.path, (folder, name, ending) =>
          options.ownFolder === true
            ? `give --out a folder for the demo's many files, e.g. --out ${shellWord(folder === "." ? "spotpipe-demo" : `${folder}/spotpipe-demo`)}`
            : `use --out ${shellWord(folder)} --output-name ${shellWord(name)}${formatHint(ending, output.format)}`
        )
        yield* checkOutputFolder(output.destination.path)
        if (options.ownFolder === true) yield* claimDemoFolder(output.destination.path)
      }
      const connection = yield* connectionOf(input, toDisk, options.ambient === false ? { ambient: false } : {})
      yield* orgsWithTokenRefused(connection, Option.getOrUndefined(input.orgs))
      const cluster = yield* connect(connection, {
        version,
        pageSize: output.pageSize,
        concurrency: output.concurrency,
        // One export at a time: `--concurrency` is every request in flight.
        requests: output.concurrency,
        ...rateOf(input),
        ...limits
      })
      yield* Effect.logDebug(`using ThoughtSpot at ${cluster.host}`)
      const { exports: entries, warnings } = yield* exports(output, cluster).pipe(
        Effect.flatMap((entries) => withOrgs(entries, Option.getOrUndefined(input.orgs), cluster)),
        Effect.mapError((e) => toExportError(e, options.what ?? command))
      )
      // One Org that cannot be read does not cost the others (a nightly --orgs all): over several Orgs a failed
      // export is recorded and the others carry on, as in `spotpipe run`; the command still fails, naming it.
      const severalOrgs = new Set(entries.map((e) => e.org?.id)).size > 1
      const result = yield* runExports(entries, cluster, {
        command,
        destination: output.destination,
        givenIn: "command line",
        resume: input.resume,
        keepState: input.resume,
        onFailure: severalOrgs ? "record" : "stop",
        warnings,
        force: output.force,
        exportsAtOnce: 1,
        overlappingPages: output.concurrency > 1,
        shard: Shard.whole,
        timeZone: Option.getOrUndefined(output.timezone),
        strict: input.strict,
        version,
        progress: input.dryRun ? silentProgress : progressFor(logSettings, !toDisk),
        dryRun: input.dryRun,
        ...writeSettings(output, input)
      } satisfies RunOptions)
      const path = yield* Path.Path
      const folder = toDisk ? path.resolve(output.destination.path) : null
      if (result.dryRun !== undefined) {
        // The plan is what a dry run is for: printed even with --quiet, on stdout (no data goes there); JSON with
        // --json, or with --log-format json, whose summary is JSON too.
        const json = input.json || logSettings.format === "json"
        yield* Console.log(
          json ? dryRunJson(command, result.dryRun, folder) : formatDryRun(result.dryRun, folder).trimEnd()
        )
        // Over several Orgs the plan lists what cannot be read; the exit code still says so.
        const { failures, outputs, refusal } = result.dryRun
        // A run refuses files that exist as it claims the folder, before it writes the exports it could plan.
        if (refusal !== undefined) return yield* refusal
        if (failures.length > 0) {
          const usage = outputs.length === 0 && failures.every((f) => f.error instanceof UsageError)
          return yield* usage ? Effect.fail(failures[0]!.error) : orgsFailed(failures, entries, "dry run")
        }
        const ddl = ddlRefusalOf(result.dryRun, input.ddl, "command")
        if (ddl !== undefined) return yield* new ExportError({ kind: "BadData", message: ddl })
        return
      }
      // DDL follows the manifest of a run that succeeded; the report says how it went (its status is the exit code's).
      const ddl =
        result.failures.length === 0 && output.destination._tag === "Directory" && result.manifest !== undefined
          ? yield* ddlStep(output.destination.path, result.manifest, input.ddl, "command")
          : undefined
      if (input.json) yield* Console.log(runReportJson(command, result, folder, ddlJson(ddl, input.ddl)))
      if (result.failures.length > 0) {
        // Nothing written and only usage errors (`--since last` in a new folder): the usage error, as for one Org.
        const usage = result.outputs.length === 0 && result.failures.every((f) => f.error instanceof UsageError)
        return yield* severalOrgs && !usage
          ? orgsFailed(result.failures, entries, result.manifestPath)
          : Effect.fail(result.failures[0]!.error)
      }
      if (ddl !== undefined) yield* ddl
      if (!logSettings.quiet && !input.json) {
        const removed = removedOf(result)
        const where = { ...(folder === null ? {} : { folder }), ...(removed.length === 0 ? {} : { removed }) }
        const lines = summaryLines(result)
        // The JSON summary carries the run's warnings as the --json report does: a scheduler may read either.
        const text =
          logSettings.format === "json"
            ? summaryJson(lines, { ...where, warnings: result.warnings })
            : formatSummary(lines, where).trimEnd()
        yield* toDisk ? Console.log(text) : Console.error(text)
      }
      if (options.afterRun !== undefined && result.manifestPath !== undefined)
        yield* options.afterRun(result.manifestPath)
    })
  )

/**
 * The failure of a single command over several Orgs whose exports failed in some of them (the others' files are
 * written): which Orgs, why (the first few), and how to export them again on their own.
 */
const orgsFailed = (
  failures: ReadonlyArray<{ readonly export: JobExport; readonly error: { readonly message: string } }>,
  entries: ReadonlyArray<JobExport>,
  /** The run's own manifest, if one was written; `dry run` for a dry run's plan (which writes nothing). */
  manifestPath: string | undefined | "dry run"
) => {
  const failed = new Map<number, string>()
  for (const { export: entry } of failures) {
    if (entry.org !== undefined) failed.set(entry.org.id, `${entry.org.id} (${entry.org.name})`)
  }
  const orgs = new Set(entries.map((e) => e.org?.id)).size
  const reasons = failures
    .slice(0, 3)
    .map((f) => f.error.message)
    .join("; ")
  const more = failures.length > 3 ? `; and ${failures.length - 3} more` : ""
  const written =
    manifestPath === "dry run"
      ? "a dry run: nothing was written"
      : failed.size < orgs
        ? "the other Orgs' files were written"
        : "nothing was written"
  return new ExportError({
    kind: "Remote",
    message: `${failed.size} of ${orgs} Orgs failed: ${[...failed.values()].join(", ")} (${written}${manifestPath === undefined || manifestPath === "dry run" ? "" : `; see ${manifestPath}`}): ${reasons}${more}: once that is seen to (this user's access to ${failed.size === 1 ? "that Org" : "those Orgs"}, or what the message says), export ${failed.size === 1 ? "it" : "them"} again alone with --orgs ${[...failed.keys()].join(",")}`
  })
}

/**
 * The demo's last step: its run loaded into `demo.duckdb` in its folder (replacing the tables of an earlier demo),
 * said on stderr; where DuckDB's package is not installed (the installed command), how to get it instead.
 */
export const demoLoad = (folder: string) => (manifestPath: string) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const database = path.join(folder, "demo.duckdb")
    if (!(yield* Effect.promise(duckDbInstalled))) {
      return yield* Effect.logInfo(
        `the demo loads its Parquet files into ${database} where DuckDB is installed: ${duckDbInstallHint()}`
      )
    }
    const report = yield* loadStep({
      run: manifestPath,
      into: `duckdb:${database}`,
      mode: "replace",
      key: [],
      allowFailed: false,
      passwordFile: Option.none(),
      // One table per result: the typed Parquet files.
      format: "parquet",
      version
    })
    const rows = report.tables.reduce((n, t) => n + t.rows, 0)
    yield* Effect.logInfo(
      `loaded ${report.tables.length} tables, ${formatCount(rows)} rows into ${path.resolve(database)}`
    )
  })

/**
 * The summary table's lines: one per file, the files of one result (the demo's CSV and NDJSON) together and
 * counted once; each with its output's warnings, for the JSON summary.
 */
const summaryLines = (result: RunResult): ReadonlyArray<SummaryJsonLine> => {
  const results = new Map<string, number>()
  const lines = result.outputs.map(({ output, label }) => {
    // One object of one Org: the same GUID in two Orgs (a user of both) is two results.
    const identity = JSON.stringify([output.source, output.org?.id ?? null])
    let group = results.get(identity)
    if (group === undefined) {
      group = results.size
      results.set(identity, group)
    }
    // A TML document has no rows to count.
    const document = isDocumentFormat(output.format)
    return {
      object: label,
      ...(document ? {} : { rows: output.rows_written }),
      file: output.file,
      bytes: output.bytes,
      seconds: output.seconds,
      result: group,
      warnings: output.warnings,
      resume: output.resume
    }
  })
  // Stable: within a result, files keep the order they were written in.
  return lines.sort((a, b) => a.result - b.result)
}

/**
 * The demo's exports: all metadata, every answer and every liveboard visualization (by name, then GUID), each in
 * every format of `wanted` under one name.
 */
export const demoExports =
  (wanted: ReadonlyArray<Format>): SingleExports =>
  (output, cluster) =>
    Effect.gen(function* () {
      const byName = (a: MetadataObject, b: MetadataObject) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id)
      const answers = [...(yield* cluster.list("ANSWER"))].sort(byName)
      const liveboards = [...(yield* cluster.list("LIVEBOARD"))].sort(byName)
      const specs: ReadonlyArray<readonly [ExportSpec, string, string | undefined]> = [
        [
          { type: "metadata", metadataTypes: demoMetadataTypes },
          `metadata (${demoMetadataTypes.join(", ")})`,
          "metadata"
        ],
        ...answers.map((a) => [{ type: "answer", id: a.id }, `answer "${a.name}"`, undefined] as const),
        ...liveboards.map((lb) => [{ type: "liveboard", id: lb.id }, `liveboard "${lb.name}"`, undefined] as const)
      ]
      return specs.flatMap(([spec, what, key], i) =>
        wanted.map((format, f) =>
          makeExport({
            index: i * wanted.length + f,
            key,
            what,
            spec,
            format,
            timezone: undefined,
            pageSize: output.pageSize,
            strict: false
          })
        )
      )
    })

/** `--rate-limit`, when given, for `connect` (else the client's default, ThoughtSpot's per-client limit). */
const rateOf = (input: { readonly rateLimit: Option.Option<number> }) =>
  Option.match(input.rateLimit, { onNone: () => ({}), onSome: (requestsPerSecond) => ({ requestsPerSecond }) })

/** Where the export's settings were given: a command's flags, or a job file (`spotpipe run`). */
type DdlFrom = "command" | "job"

/**
 * Column names `--ddl`'s `dialects` cannot take in `manifest`'s tables, and how to export them so that they can
 * (snake_case names), or `undefined`; `written`: the export is there, and the next one must replace it (--force:
 * its files keep their names, and --resume refuses files written with other column names).
 */
const ddlNamesRefusal = (
  manifest: Parameters<typeof manifestTables>[0],
  dialects: ReadonlyArray<Dialect>,
  from: DdlFrom,
  written: boolean
): string | undefined => {
  const problems = ddlNameProblems(manifestTables(manifest), dialects)
  if (problems.length === 0) return undefined
  const force = written ? "--force (which replaces the files just written)" : ""
  const todo =
    from === "command"
      ? `run the same command again with --column-names snake${written ? ` ${force}` : ""}`
      : `set "columnNames": "snake" in the job file's "defaults" (or in these exports), then run it again${written ? ` with ${force}` : ""}`
  return `these column names cannot be used as they are: ${problems.join("; ")}; ${todo}: the DDL's names must be the files' names`
}

/** `--ddl`'s files for `manifest` in `dir`, as an exit: the report says how it went before the run fails with it. */
const ddlStep = (dir: string, manifest: DdlManifest, dialects: ReadonlyArray<Dialect>, from: DdlFrom) => {
  const names = ddlNamesRefusal(manifest, dialects, from, true)
  return Effect.exit(
    names === undefined
      ? writeDdl(dir, manifest, dialects)
      : Effect.fail(
          new ExportError({
            kind: "BadData",
            message: `--ddl: the export is written, but no DDL was: ${names}`
          })
        )
  )
}

/**
 * Why `--ddl`'s `dialects` would write no DDL for the files of `plan` once a run had written them (a column name a
 * dialect cannot take, `--escape-formulae`), as the run's DDL step checks them; `undefined` when it would.
 */
const ddlRefusalOf = (plan: DryRunPlan, dialects: ReadonlyArray<Dialect>, from: DdlFrom): string | undefined => {
  const outputs = {
    outputs: plan.outputs.map((output) => ({
      file: output.file,
      format: output.format,
      columns: output.columns,
      settings: output.settings,
      ...(output.part === undefined ? {} : { part: output.part })
    }))
  }
  const refusal = ddlRefusal(outputs, dialects)
  return refusal === undefined
    ? undefined
    : `dry run: --ddl: a run would write the export, but no DDL (nothing was written): ${ddlNamesRefusal(outputs, dialects, from, false) ?? refusal}`
}

/** The report's `ddl`, when `--ddl` was given: the files written, or why none were. */
const ddlJson = (
  ddl: Exit.Exit<ReadonlyArray<string>, ExportError> | undefined,
  dialects: ReadonlyArray<Dialect>
): { readonly ddl?: RunStepJson } =>
  ddl === undefined || dialects.length === 0
    ? {}
    : {
        ddl: Exit.isSuccess(ddl)
          ? { status: "succeeded", files: ddl.value }
          : { status: "failed", error: causeMessage(ddl.cause) }
      }

/** The message of the error (else the defect) that `cause` holds. */
const causeMessage = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : String(error)
}

/** The shard `--shard` names, `auto` read from the scheduler's variables (through the config provider). */
const shardOf = (spec: Shard.ShardSpec) =>
  Effect.gen(function* () {
    const values = new Map<string, string>()
    if (spec._tag === "Auto") {
      for (const name of Shard.autoVariables) {
        const value = yield* Config.option(Config.String(name)).pipe(
          Effect.mapError(() => new UsageError({ message: `cannot read the environment variable ${name}` }))
        )
        if (Option.isSome(value) && value.value.trim() !== "") values.set(name, value.value)
      }
    }
    const resolved = Shard.resolveShard(spec, (name) => values.get(name))
    return resolved._tag === "Ok" ? resolved.shard : yield* new UsageError({ message: resolved.message })
  })

/** The variable AWS Batch names a job by: `<array job id>:<index>` in a child job of an array job. */
const awsBatchJobIdVariable = "AWS_BATCH_JOB_ID"

/** Where a run's job run came from, as its log line says it. */
type JobRunSource = "--job-run" | typeof jobRunVariable | typeof awsBatchJobIdVariable

/** A set, non-blank environment variable (a variable that cannot be read is a usage error naming it). */
const variable = (name: string) =>
  Config.option(Config.String(name)).pipe(
    Effect.map(Option.filter((value) => value.trim() !== "")),
    Effect.mapError(() => new UsageError({ message: `cannot read the environment variable ${name}` }))
  )

/**
 * The job run of an AWS Batch array job's child: the array job's id, the part of `AWS_BATCH_JOB_ID`
 * (`<array job id>:<index>`) before the colon — one per submission, shared by every child and every retry. An id
 * that does not end in `:<AWS_BATCH_JOB_ARRAY_INDEX>` is refused rather than guessed at.
 */
const awsBatchJobRun = (jobId: string, arrayIndex: string): { readonly ok: string } | { readonly refused: string } => {
  const colon = jobId.lastIndexOf(":")
  if (colon <= 0 || jobId.slice(colon + 1) !== arrayIndex.trim()) {
    return {
      refused: `${awsBatchJobIdVariable} is ${JSON.stringify(jobId.slice(0, 80))}, but a child of an AWS Batch array job (AWS_BATCH_JOB_ARRAY_INDEX is ${JSON.stringify(arrayIndex.slice(0, 20))}) has the id <array job id>:${arrayIndex.trim()}, whose array job id would be its job run: give the job run with --job-run ID (or ${jobRunVariable}), the same for every shard and retry of one run`
    }
  }
  return checkJobRun(jobId.slice(0, colon), `the array job id in ${awsBatchJobIdVariable}`)
}

/** What a job's run records of the Orgs it reads: the `--orgs` (or job's) choice and the Org it signs in to. */
const orgSelectionOf = (orgs: "all" | ReadonlyArray<number> | undefined, connection: Connection): OrgSelection => {
  const orgId = connection._tag === "Cluster" && "orgId" in connection.auth ? connection.auth.orgId : undefined
  return {
    ...(orgs === undefined ? {} : { orgs: orgs === "all" ? "all" : [...orgs] }),
    ...(orgId === undefined ? {} : { org_id: orgId })
  }
}

/**
 * The job run and where it came from: `--job-run`, else {@link jobRunVariable} when set and not blank, else, in a
 * child of an AWS Batch array job (`AWS_BATCH_JOB_ARRAY_INDEX` set), its array job's id (see
 * {@link awsBatchJobRun}); else none. Not the id of a job that is no array's child: separate submissions of the
 * shards would then never have one job run.
 */
const jobRunOf = (flag: Option.Option<string>) =>
  Effect.gen(function* () {
    const found = (jobRun: string, source: JobRunSource) => ({ jobRun, source })
    if (Option.isSome(flag)) return found(flag.value, "--job-run")
    // Set but blank (a Kubernetes fieldRef to a label the Job lacks gives ""): refused as --job-run "" is, not taken
    // as no job run, which made the next night's --resume find last night's run complete.
    const raw = yield* Config.option(Config.String(jobRunVariable)).pipe(
      Effect.mapError(() => new UsageError({ message: `cannot read the environment variable ${jobRunVariable}` }))
    )
    if (Option.isSome(raw) && raw.value.trim() === "") {
      return yield* new UsageError({
        message: `${jobRunVariable} is set but ${raw.value === "" ? "empty" : "blank"}: give it the job run (the same for every shard and retry of one night, another the next; e.g. the Kubernetes Job's uid), or unset it`
      })
    }
    const value = yield* variable(jobRunVariable)
    if (Option.isSome(value)) {
      const checked = checkJobRun(value.value, jobRunVariable)
      return "ok" in checked ? found(checked.ok, jobRunVariable) : yield* new UsageError({ message: checked.refused })
    }
    const arrayIndex = yield* variable("AWS_BATCH_JOB_ARRAY_INDEX")
    const jobId = yield* variable(awsBatchJobIdVariable)
    if (Option.isNone(arrayIndex) || Option.isNone(jobId)) return undefined
    const checked = awsBatchJobRun(jobId.value, arrayIndex.value)
    return "ok" in checked
      ? found(checked.ok, awsBatchJobIdVariable)
      : yield* new UsageError({ message: checked.refused })
  })

/**
 * The line that names the run's job run and where it came from: at info level when spotpipe took it from AWS Batch
 * on its own (nobody wrote it down), else with --verbose.
 */
const logJobRun = (found: { readonly jobRun: string; readonly source: JobRunSource } | undefined) =>
  found === undefined
    ? Effect.void
    : found.source === awsBatchJobIdVariable
      ? Effect.logInfo(
          `job run ${found.jobRun} (from ${awsBatchJobIdVariable}: the id of the AWS Batch array job, shared by its child jobs and their retries; --job-run or ${jobRunVariable} would name another)`
        )
      : Effect.logDebug(`job run ${found.jobRun} (from ${found.source})`)

/**
 * The command that continues an interrupted `spotpipe run`: this one with `--resume`, and every flag given that
 * chooses the cluster, the Orgs or how files are written — without them the resume would sign in elsewhere (the
 * default profile, another Org) or start over files whose settings differ (`--newline lf` written again as crlf).
 * The shard as numbers (`--shard auto` resolved) and the job run (also one from the environment), so it works
 * outside the scheduler too, and continues this run rather than another. Never a secret: none comes from a flag.
 */
export const resumeCommand = (input: RunInput, shard: Shard.Shard, jobRun?: string): string => {
  const given = (flag: string, value: Option.Option<string | number>) =>
    Option.isSome(value) ? [flag, String(value.value)] : []
  const on = (flag: string, value: boolean) => (value ? [flag] : [])
  const orgs = Option.map(input.orgs, (orgs) => (orgs === "all" ? "all" : orgs.join(",")))
  return [
    "spotpipe",
    "run",
    input.job.path,
    ...(input.out === "." ? [] : ["--out", input.out]),
    ...(Option.isSome(input.shard) ? ["--shard", Shard.format(shard)] : []),
    ...(jobRun === undefined ? [] : ["--job-run", jobRun]),
    ...given("--profile", input.profile ?? Option.none()),
    ...given("--host", input.host),
    ...given("--username", input.username),
    ...given("--password-file", input.passwordFile),
    ...given("--org-id", input.orgId),
    ...on("--sandbox", input.sandbox),
    ...on("--allow-insecure-http", input.allowInsecureHttp),
    ...given("--orgs", orgs),
    ...(input.newline === "lf" ? ["--newline", "lf"] : []),
    ...on("--escape-formulae", input.escapeFormulae),
    ...on("--period-end", input.periodEnd),
    ...(input.datetimeOffset === "zone" ? ["--datetime-offset", "zone"] : []),
    ...on("--strict", input.strict),
    ...(input.ddl.length > 0 ? ["--ddl", input.ddl.join(",")] : []),
    ...given("--rate-limit", input.rateLimit),
    ...given("--timeout", input.timeout),
    ...given("--deadline", input.deadline),
    ...given("--workers", input.workers),
    ...(input.concurrency === defaultRunConcurrency ? [] : ["--concurrency", String(input.concurrency)]),
    "--resume"
  ]
    .map(shellWord)
    .join(" ")
}

/** The endings of the files spotpipe writes: a folder's name that has one is most likely meant as a file's. */
const fileEndings = [".csv", ".ndjson", ".jsonl", ".json", ".parquet"] as const

/** ` --format parquet` when the ending asks for another row format than the command's. */
const formatHint = (ending: string, format: string): string => {
  const wanted = ending === ".jsonl" ? "ndjson" : ending.slice(1)
  return ["csv", "ndjson", "parquet"].includes(wanted) && wanted !== format ? ` --format ${wanted}` : ""
}

/**
 * `--out ./m.csv` where no such folder exists: the user meant a file, and a folder named m.csv would be made for
 * it, so the command stops (exit 2) with `advice(folder, name, ending)`: `m.csv`'s folder, `m` and `.csv`. A folder
 * of that name that exists, or one written with a final slash (`m.csv/`), is used as it is (and a file of that name
 * is refused by checkOutputFolder).
 */
const refuseFileAsFolder = (dir: string, advice: (folder: string, name: string, ending: string) => string) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const base = path.basename(dir)
    const ending = fileEndings.find((end) => base.length > end.length && base.toLowerCase().endsWith(end))
    // `--out m.csv/`: a folder, said so with the slash.
    if (ending === undefined || /[/\\]$/.test(dir)) return
    const fs = yield* FileSystem.FileSystem
    // A path that cannot be looked at is left to checkOutputFolder, which says why.
    if (yield* fs.exists(dir).pipe(Effect.orElseSucceed(() => true))) return
    return yield* new UsageError({
      message: `--out ${dir} looks like a file's name, but --out names a folder (spotpipe names the files in it), and there is no folder ${base}: ${advice(path.dirname(dir), base.slice(0, -ending.length), ending)} (or, for a folder of that name, create it first)`
    })
  })

/**
 * `--escape-formulae` with a load or `--ddl`: its CSV cells starting with = + - @ get a `'` that is not in the data,
 * which the load and the DDL refuse once the files are written: said before any export instead.
 */
const escapedForWarehouse = (what: "--ddl" | "the job's load") =>
  new UsageError({
    message: `--escape-formulae writes CSV cells starting with = + - @ with a ' that is not in the data, so ${what} would refuse the CSV files once exported: drop --escape-formulae (it is for files opened in a spreadsheet)${what === "--ddl" ? " or --ddl" : ", or export NDJSON or Parquet"}; nothing was exported`
  })

/**
 * `spotpipe run --json`'s report of a run that a signal stopped, on stdout as the refused and failed runs' are, so
 * a scheduler reading it gets one: `status` "interrupted", what it left (`interrupted.left`, as stderr says it),
 * the command that continues it, and the outputs complete in the folder, which that command keeps. Once the
 * exports are done (a job's load was stopped), the run's own report with that status.
 */
const interruptedRunJson = (input: RunInput, finished: RunResult | undefined) =>
  Effect.gen(function* () {
    const path = yield* Path.Path
    const fs = yield* FileSystem.FileSystem
    const folder = path.resolve(input.out)
    const hint = yield* ResumeHint.useSync((h) => ({ left: h.left, current: h.current }))
    const interrupted = { left: hint.left ?? "no partial file was published", resume: hint.current ?? null }
    if (finished !== undefined) {
      const report = JSON.parse(runReportJson("run", finished, folder)) as Record<string, unknown>
      return yield* Console.log(jsonLine({ ...report, status: "interrupted", interrupted }))
    }
    // A complete checkpoint of this job whose file is in place: published, kept by a --resume.
    const job = Checkpoint.jobOf({ job: { file: input.job.path } }).job
    const state = yield* Checkpoint.listState(path.join(folder, stateDirName), path).pipe(
      Effect.orElseSucceed(() => [])
    )
    const written: Array<{ file: string; rows: number; bytes: number }> = []
    for (const { record } of state) {
      if (record.state !== "complete" || record.job !== job) continue
      const info = yield* fs.stat(path.join(folder, record.file)).pipe(Effect.option)
      if (Option.isSome(info))
        written.push({ file: record.file, rows: record.next_offset, bytes: Number(info.value.size) })
    }
    written.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : 0))
    yield* Console.log(
      jsonLine({
        dry_run: input.dryRun,
        command: "run",
        status: "interrupted",
        folder,
        manifest: null,
        interrupted,
        outputs: written.map((w) => ({ file: w.file, rows: w.rows, bytes: w.bytes, status: "written" })),
        exports: null,
        removed: [],
        failures: [],
        warnings: [],
        totals: {
          files: written.length,
          rows: written.reduce((n, w) => n + w.rows, 0),
          bytes: written.reduce((n, w) => n + w.bytes, 0),
          failed: 0
        }
      })
    )
  }).pipe(Effect.ignore)

/** Runs `spotpipe run`: a job file's exports (of the shard) into a directory, then the per-export summary. */
export const runJobFile = (input: RunInput) =>
  withLogging(input, (logSettings) => {
    // The exports' result once they are done, for the report of a run stopped after them (in its load), and
    // whether the report is out already (a signal then changes nothing on stdout).
    let finished: RunResult | undefined
    let reported = false
    const report = (line: string) =>
      Effect.andThen(
        Console.log(line),
        Effect.sync(() => {
          reported = true
        })
      )
    return Effect.gen(function* () {
      const { path: jobFile, job } = input.job
      const shard = Option.isSome(input.shard) ? yield* shardOf(input.shard.value.spec) : Shard.whole
      const foundJobRun = yield* jobRunOf(input.jobRun)
      const jobRun = foundJobRun?.jobRun
      yield* setResumeHint(resumeCommand(input, shard, jobRun))
      // `--out` names a directory: its flag refuses `-`.
      const output = yield* checkOutput({
        format: "csv",
        out: Option.some(input.out),
        timezone: Option.none(),
        pageSize: Option.none(),
        concurrency: Option.some(input.concurrency),
        workers: input.workers,
        newline: input.newline,
        force: input.force,
        resume: input.resume,
        escapeFormulae: input.escapeFormulae,
        periodEnd: input.periodEnd
      })
      const limits = yield* checkTimeLimits(input, job.client)
      if (input.escapeFormulae && job.exports.some((e) => e.format === "csv")) {
        if (job.load !== undefined) return yield* escapedForWarehouse("the job's load")
        if (input.ddl.length > 0) return yield* escapedForWarehouse("--ddl")
      }
      // The job's load is checked before any export (DuckDB installed, a mode with its key).
      const loadTarget =
        job.load === undefined
          ? undefined
          : yield* checkLoadRequest({
              into: job.load.into,
              mode: job.load.mode ?? "replace",
              key: job.load.key ?? [],
              ...(job.load.passwordEnv === undefined ? {} : { passwordEnv: job.load.passwordEnv }),
              inJob: true,
              exports: job.exports
            })
      yield* refuseFileAsFolder(
        input.out,
        (folder) => `use --out ${shellWord(folder)}; the job file names each export's file with its "output"`
      )
      yield* checkOutputFolder(input.out)
      // A target the load cannot reach (signed in to and closed at once) is said before any export, in the dry
      // run too: found after them all, the run would have exported for nothing.
      if (job.load !== undefined && loadTarget !== undefined) {
        yield* checkLoadTarget(loadTarget, {
          mode: job.load.mode ?? "replace",
          passwordFile: Option.none(),
          ...(job.load.passwordEnv === undefined ? {} : { passwordEnv: job.load.passwordEnv }),
          inJob: true
        })
      }
      yield* logJobRun(foundJobRun)
      const connection = yield* connectionOf(input, true, { job: job.connection })
      yield* orgsWithTokenRefused(
        connection,
        Option.getOrUndefined(input.orgs) ?? job.orgs,
        Option.isSome(input.orgs) ? "--orgs" : "job file"
      )
      const cluster = yield* connect(connection, {
        version,
        pageSize: defaultPageSize,
        concurrency: 2,
        // A shard's share of the per-client limit: the shards of a job usually reach the cluster from one address.
        requestsPerSecond: Shard.requestsPerSecondOf(shard, Option.getOrUndefined(input.rateLimit)),
        ...limits
      })
      yield* Effect.logDebug(`using ThoughtSpot at ${cluster.host}`)
      // `--orgs` wins over the job's `orgs`.
      const { exports, warnings } = yield* withOrgs(
        job.exports,
        Option.getOrUndefined(input.orgs) ?? job.orgs,
        cluster,
        Option.isSome(input.orgs) ? "--orgs" : "job file"
      ).pipe(Effect.mapError((e) => toExportError(e, "the Orgs to export")))
      const result = yield* runExports(
        exports,
        cluster,
        {
          command: "run",
          destination: { _tag: "Directory", path: input.out },
          job: { file: jobFile, fingerprint: job.fingerprint },
          givenIn: "job file",
          resume: input.resume,
          keepState: true,
          onFailure: "record",
          warnings,
          force: input.force,
          exportsAtOnce: input.concurrency,
          overlappingPages: false,
          shard,
          jobRun,
          orgSelection: orgSelectionOf(Option.getOrUndefined(input.orgs) ?? job.orgs, connection),
          strict: input.strict,
          version,
          // One terminal line cannot show several exports at once: the live line only for one at a time.
          progress: input.concurrency === 1 && !input.dryRun ? progressFor(logSettings) : silentProgress,
          dryRun: input.dryRun,
          // Recorded below once the load took the files: an increment never loaded is read again by the next run.
          watermarksAfterLoad: job.load !== undefined,
          ...writeSettings(output, input)
        } satisfies RunOptions,
        { unrecorded: "report" }
      ).pipe(
        Effect.tap((done) =>
          Effect.sync(() => {
            finished = done
          })
        ),
        // Refused by another run's lock: a report that says so, for a scheduler to tell from failed data.
        Effect.tapError((error) =>
          Effect.gen(function* () {
            const refusal = lockRefusalOf(error)
            if (!input.json || refusal === undefined) return
            const folder = (yield* Path.Path).resolve(input.out)
            yield* Console.log(refusedReportJson("run", folder, refusal, error.message))
          })
        )
      )
      const folder = (yield* Path.Path).resolve(input.out)
      if (result.dryRun !== undefined) {
        yield* Console.log(
          input.json || logSettings.format === "json"
            ? dryRunJson("run", result.dryRun, folder)
            : formatDryRun(result.dryRun, folder).trimEnd()
        )
        reported = input.json
        if (result.dryRun.refusal !== undefined) return yield* result.dryRun.refusal
        if (result.dryRun.failures.length > 0) {
          return yield* new ExportError({
            kind: "Remote",
            message: `dry run: ${result.dryRun.failures.length} of the job's exports cannot be planned or read (nothing was written): ${result.dryRun.failures[0]!.error.message}`
          })
        }
        const ddl = ddlRefusalOf(result.dryRun, input.ddl, "job")
        if (ddl !== undefined) return yield* new ExportError({ kind: "BadData", message: ddl })
        // What the job's load would refuse once every export was written: said now, as a run would only at its end.
        const refusal = job.load === undefined ? undefined : loadRefusal(result.dryRun, job.load)
        if (refusal !== undefined) return yield* new ExportError({ kind: "Remote", message: refusal })
        return
      }
      // The manifest could not be written (a full disk): each export's outcome is reported all the same, then the
      // failure names the exports that failed; nothing follows (DDL, load), as nothing lists the files.
      if (result.unrecorded !== undefined) {
        const unrecorded = result.unrecorded.manifest
        if (input.json) yield* report(runReportJson("run", result, folder))
        else if (!logSettings.quiet) {
          yield* Console.log(
            logSettings.format === "json" ? batchSummaryJson(unrecorded) : formatBatchSummary(unrecorded).trimEnd()
          )
        }
        return yield* unrecordedRunError(result, result.unrecorded, job.load?.into)
      }
      const manifest = result.manifest
      // DDL follows the manifest, whose outputs it describes (a failed export has none); the report says how it went.
      const ddl = manifest === undefined ? undefined : yield* ddlStep(input.out, manifest, input.ddl, "job")
      const ddlReport = ddlJson(ddl, input.ddl)
      const ddlFailed = ddl !== undefined && Exit.isFailure(ddl)
      // With --json, a job that loads prints its report once the load is done, the load's outcome in it.
      const loadsNext =
        job.load !== undefined && result.failures.length === 0 && !ddlFailed && result.manifestPath !== undefined
      if (input.json) {
        if (!loadsNext) yield* report(runReportJson("run", result, folder, ddlReport))
      } else if (manifest !== undefined && !logSettings.quiet) {
        yield* Console.log(
          logSettings.format === "json" ? batchSummaryJson(manifest) : formatBatchSummary(manifest).trimEnd()
        )
      }
      if (ddlFailed && result.failures.length === 0) yield* ddl
      if (result.failures.length > 0) {
        const failed = result.failures.length
        const total = manifest?.exports.length
        // "The others were written" only when there are others.
        const what =
          total === undefined
            ? `${failed} ${failed === 1 ? "export" : "exports"} failed (`
            : failed < total
              ? `${failed} of ${total} exports failed (the others were written; `
              : total === 1
                ? "the run's only export failed ("
                : `all ${total} exports failed (`
        // A job's load takes whole runs only: the line says the warehouse did not get this one.
        const notLoaded =
          job.load === undefined
            ? ""
            : `the job's load into ${job.load.into} was not run, as it loads a run only once every export succeeded${(result.watermarks ?? []).length === 0 ? "" : ", and no watermark moved, so the next run reads the increments again"}; `
        return yield* new ExportError({
          kind: "Remote",
          message: `${what}${notLoaded}${result.manifestPath === undefined ? "" : `see ${result.manifestPath}, `}do what ${failed === 1 ? "the failure says" : "each failure says"}, then rerun with --resume, which keeps what was written): ${result.failures[0]!.error.message}`
        })
      }
      // The job's `load`: the run just written, once every export succeeded.
      if (job.load !== undefined && result.manifestPath !== undefined) {
        // The files whose tables committed (or that an earlier load of the run appended): the watermark of an
        // export moves once all of its are in, also when a later table fails or the load is interrupted.
        const taken = new Set<string>()
        let recorded: Exit.Exit<void, ExportError | UsageError> = Exit.void
        const record = (all: boolean) =>
          Effect.gen(function* () {
            const marks = all ? (result.watermarks ?? []) : loadedMarks(result, taken)
            recorded = yield* Effect.exit(
              recordWatermarks(
                input.out,
                marks.map((mark) => [mark.id, mark.watermark] as const)
              )
            )
            const kept = (result.watermarks ?? []).length - marks.length
            if (kept > 0) {
              yield* Effect.logWarning(
                `the watermarks of ${kept === 1 ? "1 export" : `${kept} exports`} whose tables were not loaded stay where they were: the next run reads their increments again`
              )
            }
          })
        const loaded = yield* Effect.exit(
          loadStep({
            run: result.manifestPath,
            into: job.load.into,
            mode: job.load.mode ?? "replace",
            key: job.load.key ?? [],
            keys: loadKeysOf(job, result.manifest),
            evolve: job.load.evolve === true,
            allowFailed: false,
            passwordFile: Option.none(),
            ...(job.load.passwordEnv === undefined ? {} : { passwordEnv: job.load.passwordEnv }),
            inJob: true,
            continueRun: resumeCommand(input, shard, jobRun),
            lockTimeout: { seconds: job.load.lockTimeoutSeconds, setting: "job" },
            version,
            onLoaded: (table) => {
              taken.add(table.file)
            }
          }).pipe(Effect.onExit((exit) => record(Exit.isSuccess(exit))))
        )
        if (input.json) {
          // stdout holds the run's one JSON object, the load's outcome in it (its tables, rows and target): no table
          // on stderr, as the run's own is not printed there either.
          const failure = Exit.isFailure(loaded) ? Cause.findErrorOption(loaded.cause) : Option.none()
          if (Exit.isSuccess(loaded) || Option.isSome(failure)) {
            const load = Exit.isSuccess(loaded)
              ? { status: "succeeded" as const, ...loadJson(loaded.value) }
              : { status: "failed" as const, error: Option.getOrThrow(failure).message }
            yield* report(runReportJson("run", result, folder, { load, ...ddlReport }))
          }
        } else if (Exit.isSuccess(loaded) && !logSettings.quiet) {
          yield* Console.log(loadSummary(loaded.value, logSettings.format))
        }
        yield* loaded
        yield* recorded
      }
    }).pipe(Effect.onInterrupt(() => (input.json && !reported ? interruptedRunJson(input, finished) : Effect.void)))
  })

/**
 * The failure of a run whose manifest could not be written: why, then which exports failed (each by name, with the
 * first one's error) or that all were written, that nothing lists the files, and that `--resume` keeps them.
 */
const unrecordedRunError = (
  result: RunResult,
  unrecorded: NonNullable<RunResult["unrecorded"]>,
  loadInto: string | undefined
): ExportError => {
  const total = unrecorded.manifest.exports.length
  const failed = unrecorded.manifest.exports.filter((e) => e.status === "failed")
  const names = failed.map((e) => e.export).join(", ")
  const exportsText =
    failed.length === 0
      ? `${total === 1 ? "its export was" : `all ${total} exports were`} written`
      : `${failed.length} of ${total} exports failed (${names}: ${result.failures[0]?.error.message ?? failed[0]!.error ?? "failed"})`
  const written = result.outputs.length
  const load = loadInto === undefined ? "" : `; the job's load into ${loadInto} was not run`
  return new ExportError({
    kind: unrecorded.error.kind,
    message: `${unrecorded.error.message}; the run's manifest was not written${written === 0 ? "" : `, so no manifest lists the ${written === 1 ? "file" : `${written} files`} it wrote`}; ${exportsText}${load}; once that is done, rerun with --resume, which keeps what was written and verified`,
    ...(unrecorded.error.cause === undefined ? {} : { cause: unrecorded.error.cause })
  })
}

/**
 * The watermarks of the exports whose files a load that did not finish took, each of them (`taken`); documents
 * (TML), which no load takes, count as taken.
 */
const loadedMarks = (result: RunResult, taken: ReadonlySet<string>): ReadonlyArray<PendingWatermark> => {
  const documents = new Set(result.outputs.filter((o) => isDocumentFormat(o.output.format)).map((o) => o.output.file))
  return (result.watermarks ?? []).filter((mark) => mark.files.every((file) => taken.has(file) || documents.has(file)))
}

/** What `spotpipe load` parsed. */
export type LoadInput = Parsed<typeof loadFlags & typeof logFlags> & {
  readonly run: string
  readonly json: boolean
}

/** The load summary: a table of the tables loaded, or one JSON object (see LoadSummary.ts). */
const loadSummary = (report: LoadReport, format: "text" | "json"): string =>
  format === "json" ? loadSummaryJson(report) : formatLoadSummary(report)

/** Runs `spotpipe load`: a finished run's outputs into DuckDB or PostgreSQL (see load/Load.ts). */
export const runLoad = (input: LoadInput) =>
  withLogging(input, (logSettings) =>
    Effect.gen(function* () {
      const loaded = yield* Effect.exit(
        loadStep({
          run: input.run,
          into: input.into,
          mode: input.mode,
          key: input.key,
          evolve: input.evolve,
          allowFailed: input.allowFailed,
          passwordFile: input.passwordFile,
          ...(Option.isSome(input.format) ? { format: input.format.value } : {}),
          lockTimeout: { seconds: Option.getOrUndefined(input.lockTimeout), setting: "flag" },
          version
        })
      )
      // --json: a failed load is a report too (as a job's load is in run's), so a script reading stdout learns why;
      // an interruption has no error to report.
      if (input.json && Exit.isFailure(loaded)) {
        const failure = Cause.findErrorOption(loaded.cause)
        if (Option.isSome(failure)) yield* Console.log(loadFailureJson(failure.value.message))
      }
      const report = yield* loaded
      // --json: the report on stdout whatever the logs look like, and with --quiet too.
      if (input.json) yield* Console.log(loadSummaryJson(report))
      else if (!logSettings.quiet) yield* Console.log(loadSummary(report, logSettings.format))
      const left = otherRunsWarning(report)
      if (left !== undefined) yield* Effect.logWarning(left)
    })
  )
