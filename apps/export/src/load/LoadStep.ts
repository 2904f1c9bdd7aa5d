/**
 * The load as an Effect, for `spotpipe load` and for `spotpipe run` with a job file's `load` block: parse the target
 * (a URL with a password is a usage error that never repeats it), read the run's manifest (a run with failed exports
 * is refused unless `allowFailed`), take the PostgreSQL password from `--password-file` or `PGPASSWORD` (or the
 * variable a job file names; else the `.pgpass` file when the server asks), open the engine and load. A DuckDB file
 * open in another process of this machine (another shard's load) is waited for, up to the lock timeout; one held
 * where this process cannot see the holder is refused. A PostgreSQL statement that waits for another session's lock
 * says which session (the lock timeout is its session's `lock_timeout`). A file `--evolve` loaded without some of its table's columns is a warning. Failures are `ExportError`s whose message says what to do.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { Clock, Config, Effect, Exit, Option, Redacted } from "effect"
import { readPasswordFile } from "../cluster/Connection.ts"
import { ExportError } from "../ExportError.ts"
import type { DryRunPlan } from "../engine/DryRun.ts"
import { StepProbe } from "../engine/Run.ts"
import { setInterruptedLeft, shellWord } from "../Interruption.ts"
import { type LoadMode, type Target as LoadTarget, parseTarget, withSslModeOf } from "../LoadTarget.ts"
import { isDocumentFormat, type Manifest } from "../output/Manifest.ts"
import { stateDirName } from "../output/OutputLock.ts"
import { permissionColumns, principalTables } from "../plan/AdminExports.ts"
import { type Job, type JobExport, type LoadSpec, rowFormatOf } from "../plan/JobFile.ts"
import { distinctSnakeNames } from "../plan/Names.ts"
import { watermarksFileName } from "../plan/Watermark.ts"
import { UsageError } from "../UsageError.ts"
import {
  DuckDbHeld,
  duckDbInstalled,
  duckDbMissing,
  duckDbTargetProblem,
  heldHere,
  openDuckDb
} from "./DuckDbEngine.ts"
import { LoadFailure } from "./Engine.ts"
import { fileProblems, loadRun, type TableLoad } from "./Load.ts"
import { type LockTimeout, lockTimeoutMillis, lockTimeoutShown, noLockTimeout, waitLonger } from "./LockTimeout.ts"
import { openPostgres } from "./PostgresEngine.ts"
import { type LoadFormat, type OtherRun, type RunManifest, RunManifestError, readRunManifest } from "./RunManifest.ts"

/** What to load, where and how. */
export interface LoadRequest {
  /** A run folder or a manifest file. */
  readonly run: string
  readonly into: string
  readonly mode: LoadMode
  readonly key: ReadonlyArray<string>
  /** `merge`: the key columns of each file that has its own, by its name in the manifest (see {@link loadKeysOf}). */
  readonly keys?: ReadonlyMap<string, ReadonlyArray<string>>
  /** `append`, `merge`: evolve an existing table to the file's columns (see `Load.ts`). */
  readonly evolve?: boolean
  /** Load the outputs of a run that has failed exports too. */
  readonly allowFailed: boolean
  /** Only the outputs of this format (a run that wrote several formats of each result). */
  readonly format?: LoadFormat
  /** A file holding the PostgreSQL password (else `passwordEnv`). */
  readonly passwordFile: Option.Option<string>
  /** The environment variable with the PostgreSQL password (default `PGPASSWORD`). */
  readonly passwordEnv?: string
  /**
   * A job file's `load` block (messages name its keys rather than the flags): its mode and keys were checked with
   * the job file, where each export may have a key of its own.
   */
  readonly inJob?: boolean
  /** A job's load: the command that continues its run (see `LoadOptions`). */
  readonly continueRun?: string
  /** How long to wait for another process's or session's lock (default: not given, see LockTimeout.ts). */
  readonly lockTimeout?: LockTimeout
  readonly version: string
  readonly onLoaded?: (result: TableLoad) => void
}

/** What was loaded. */
export interface LoadReport {
  readonly manifest: string
  readonly runId: string
  readonly fingerprint: string
  readonly target: string
  readonly tables: ReadonlyArray<TableLoad>
  /** Given a folder: its other runs, with the files they wrote that this load left (see `RunManifest.ts`). */
  readonly otherRuns: ReadonlyArray<OtherRun>
}

/** The value of the environment variable `name`; empty counts as unset. */
const variable = (name: string) =>
  Config.option(Config.String(name)).pipe(
    Effect.mapError(() => new UsageError({ message: `cannot read the environment variable ${name}` })),
    Effect.map((value) => Option.getOrUndefined(Option.filter(value, (v) => v !== "")))
  )

/**
 * Why no file can be made in `folder` (permission denied, a read-only or pseudo file system such as /proc), or
 * `undefined`: a file of its own is made there and removed, since the permission bits say nothing to root.
 */
const folderUnwritable = (folder: string): string | undefined => {
  const probe = NodePath.join(folder, `.spotpipe-write-check-${process.pid}-${Date.now()}`)
  try {
    NodeFs.closeSync(NodeFs.openSync(probe, "wx"))
    NodeFs.rmSync(probe, { force: true })
    return undefined
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    return code === "EACCES" || code === "EPERM"
      ? "permission denied"
      : code === "EROFS"
        ? "a read-only file system"
        : code === "ENOENT"
          ? "it takes no new files"
          : (code ?? String(error))
  }
}

/** Checks the request's parts that need no file or database (for `spotpipe run`, before it exports). */
export const checkLoadRequest = (
  request: Pick<LoadRequest, "into" | "mode" | "key" | "evolve" | "passwordEnv" | "inJob"> & {
    /** A job's exports: a merge key their fixed columns lack is said before any export (see {@link keysLacking}). */
    readonly exports?: ReadonlyArray<JobExport>
  }
) =>
  Effect.gen(function* () {
    const parsed = parseTarget(request.into, request.inJob === true ? "job file" : "flag")
    if ("refused" in parsed) return yield* new UsageError({ message: parsed.refused })
    const target = parsed.ok._tag === "Postgres" ? withSslModeOf(parsed.ok, yield* variable("PGSSLMODE")) : parsed
    if ("refused" in target) return yield* new UsageError({ message: target.refused })
    // A variable named for the password and not set is a mistake in the job's setup, as for the connection's
    // variables: said before any export, not after them all (nor quietly replaced by PGPASSWORD).
    if (target.ok._tag === "Postgres" && request.passwordEnv !== undefined) {
      const name = request.passwordEnv
      if ((yield* variable(name)) === undefined) {
        return yield* new UsageError({
          message: `the job file's load.passwordEnv names ${name} for the PostgreSQL password, but ${name} is not set${name === "PGPASSWORD" ? "" : " (PGPASSWORD is not read in its place)"}: export ${name}=… (the password) before the run, or remove "passwordEnv" to take it from PGPASSWORD or a password file (~/.pgpass, or the one PGPASSFILE names)`
        })
      }
    }
    // A missing prerequisite, like an old Node.js: a usage error before anything is read or exported.
    if (target.ok._tag === "DuckDb" && !(yield* Effect.promise(duckDbInstalled))) {
      return yield* new UsageError({ message: duckDbMissing("loading into DuckDB") })
    }
    // DuckDB creates the file, not its folder: a folder that is not there is said now, not after every export.
    if (target.ok._tag === "DuckDb") {
      const folder = NodePath.dirname(NodePath.resolve(target.ok.file))
      if (!NodeFs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) {
        return yield* new UsageError({
          message: `duckdb:${target.ok.file}: the folder ${folder} is not there, and a load creates the database file, not its folder: create the folder, or give another path`
        })
      }
      const problem = duckDbTargetProblem(target.ok.file)
      if (problem !== undefined) return yield* new UsageError({ message: problem })
      const unwritable = folderUnwritable(folder)
      if (unwritable !== undefined) {
        return yield* new UsageError({
          message: `duckdb:${target.ok.file}: cannot create files in the folder ${folder} (${unwritable}), where a load writes the database file and DuckDB's write-ahead log (.wal) beside it: give a path in a folder you can write to`
        })
      }
    }
    if (request.inJob === true) {
      const lacking = request.mode === "merge" ? keysLacking(request.exports ?? [], request.key) : []
      if (lacking.length > 0) {
        return yield* new UsageError({
          message: `the job file's "load" merges by key columns the tables of ${lacking.length === 1 ? "an export" : "exports"} do not have (nothing was exported): ${lacking.join("; ")}`
        })
      }
      return target.ok
    }
    if (request.mode === "merge" && request.key.length === 0) {
      return yield* new UsageError({ message: "--mode merge needs the key columns: add --key COLUMN[,COLUMN…]" })
    }
    // A replace makes each table anew with its file's columns: there is nothing to evolve.
    if (request.evolve === true && request.mode === "replace") {
      return yield* new UsageError({
        message:
          "--evolve is for --mode append or merge (a replace makes each table anew with its file's columns): drop --evolve or add --mode append"
      })
    }
    if (request.mode !== "merge" && request.key.length > 0) {
      return yield* new UsageError({ message: "--key is for --mode merge: drop --key or add --mode merge" })
    }
    const twice = request.key.filter((column, i) => request.key.indexOf(column) !== i)
    if (twice.length > 0) {
      return yield* new UsageError({
        message: `--key names ${[...new Set(twice)].map((c) => JSON.stringify(c)).join(", ")} more than once: name each key column once`
      })
    }
    return target.ok
  })

/**
 * The merge key of each file of a job's run whose export has its own (`"loadKey"`), by the file's name in the run's
 * manifest; the other files take the load's `key`.
 */
export const loadKeysOf = (job: Job, manifest: Manifest | undefined): ReadonlyMap<string, ReadonlyArray<string>> => {
  const keys = new Map<string, ReadonlyArray<string>>()
  for (const status of manifest?.exports ?? []) {
    const spec = job.exports.find((e) => e.index === status.index)?.spec
    const key = spec === undefined || !("loadKey" in spec) ? undefined : spec.loadKey
    if (key !== undefined) for (const file of status.files) keys.set(file, key)
  }
  return keys
}

/**
 * The admin exports whose tables have fixed columns (a `permissions` export's file, a `principals` export's tables)
 * and lack a column of their merge key (`loadKey`, else `key`): what each lacks, said as `exports[2] (…): …`. The
 * job file checks a metadata listing's and the audit log's the same way; other exports' columns come with their
 * data.
 */
const keysLacking = (exports: ReadonlyArray<JobExport>, key: ReadonlyArray<string>): ReadonlyArray<string> => {
  const said = new Set<number>()
  return exports.flatMap((entry) => {
    const { spec, index } = entry
    const tables =
      spec.type === "permissions"
        ? [{ name: "", columns: permissionColumns }]
        : spec.type === "principals"
          ? principalTables
          : []
    const own = "loadKey" in spec ? spec.loadKey : undefined
    const wanted = own ?? key
    // Once per export of the job (with `orgs`, it is there once per Org).
    if (tables.length === 0 || wanted.length === 0 || said.has(index)) return []
    said.add(index)
    const named = (columns: ReadonlyArray<{ readonly name: string }>) => {
      const names = columns.map((c) => c.name)
      return entry.columnNames === "snake" ? distinctSnakeNames(names) : names
    }
    const short = tables.filter((table) => wanted.some((column) => !named(table.columns).includes(column)))
    if (short.length === 0) return []
    const setting = own === undefined ? `"load"'s "key"` : `its "loadKey"`
    const columns = wanted.map((column) => JSON.stringify(column)).join(", ")
    if (spec.type === "permissions") {
      return [
        `exports[${index}] (permissions): ${setting} names ${columns}, but its file's columns are ${named(permissionColumns).join(", ")}`
      ]
    }
    // One key merges every table of the export: only columns all of them have can be it.
    const shared = named(tables[0]!.columns).filter((column) => tables.every((t) => named(t.columns).includes(column)))
    const instead =
      shared.length === 0
        ? `its tables share no column, so no key merges them all: load it in a job whose "load" replaces or appends`
        : `a key of columns every table has: ${shared.map((column) => JSON.stringify(column)).join(", ")}`
    return [
      `exports[${index}] (principals): ${setting} names ${columns}, which its tables ${short.map((t) => t.name).join(", ")} do not all have; ${instead}`
    ]
  })
}

/**
 * What a job's load would refuse in the files of `plan` once a run had written them all, as the load says it (the
 * checks that need only a file's settings and columns: a merge key it lacks, `--escape-formulae`, column names the
 * database cannot take); `undefined` when it would refuse none. The key of a file is its export's `"loadKey"`, else
 * the load's `"key"`.
 */
export const loadRefusal = (plan: DryRunPlan, load: LoadSpec): string | undefined => {
  const parsed = parseTarget(load.into)
  // A target that cannot be parsed was refused before the run (checkLoadRequest).
  if ("refused" in parsed) return undefined
  const dialect = parsed.ok._tag === "Postgres" ? "postgres" : "duckdb"
  const rows = plan.outputs.filter((output) => !isDocumentFormat(output.format))
  const keys = new Map<string, ReadonlyArray<string>>()
  for (const output of rows) {
    const spec = output.jobExport.spec
    if ("loadKey" in spec && spec.loadKey !== undefined) keys.set(output.file, spec.loadKey)
  }
  const options = { mode: load.mode ?? "replace", key: load.key ?? [], keys, inJob: true }
  const problems = rows.flatMap((output) =>
    fileProblems(
      {
        file: output.file,
        format: rowFormatOf(output.format),
        columns: output.columns,
        nullString:
          output.settings.format === "csv" && output.settings.nullString !== ""
            ? output.settings.nullString
            : undefined,
        escapedFormulae: output.settings.escapeFormulae,
        resultNames: new Map(
          output.columns.flatMap((c) => (c.source_name === undefined ? [] : [[c.name, c.source_name] as const]))
        )
      },
      dialect,
      options
    )
  )
  return problems.length === 0
    ? undefined
    : `dry run: the job's "load" would refuse these files once a run had exported them all, and load nothing (nothing was written):\n  ${problems.join("\n  ")}`
}

/** The password given for the load and where it came from (for messages), if one was. */
const passwordOf = (request: Pick<LoadRequest, "passwordFile" | "passwordEnv">) =>
  Effect.gen(function* () {
    if (Option.isSome(request.passwordFile)) {
      return {
        password: Redacted.value(yield* readPasswordFile(request.passwordFile.value)),
        from: "the file given with --password-file"
      }
    }
    const name = request.passwordEnv ?? "PGPASSWORD"
    const password = yield* variable(name)
    return {
      password,
      from: request.passwordEnv === undefined ? name : `${name} (the job file's "passwordEnv")`
    }
  })

/** The `.pgpass` file libpq would read: `PGPASSFILE`, else `~/.pgpass` (`%APPDATA%\postgresql\pgpass.conf` on Windows). */
const passFileOf = Effect.gen(function* () {
  const text = (name: string) =>
    Config.option(Config.String(name)).pipe(
      Effect.map((v) => Option.getOrUndefined(Option.filter(v, (s) => s !== ""))),
      Effect.orElseSucceed(() => undefined)
    )
  const explicit = yield* text("PGPASSFILE")
  if (explicit !== undefined) return explicit
  if (process.platform === "win32") {
    const appData = yield* text("APPDATA")
    return appData === undefined ? undefined : NodePath.join(appData, "postgresql", "pgpass.conf")
  }
  const home = yield* text("HOME")
  return home === undefined ? undefined : NodePath.join(home, ".pgpass")
})

/** How the load signs in to PostgreSQL: the password given (and where from), else the `.pgpass` file, and how to give one. */
const signInOf = (request: Pick<LoadRequest, "passwordFile" | "passwordEnv" | "inJob">) =>
  Effect.gen(function* () {
    const given = yield* passwordOf(request)
    const password = given.password
    return {
      password,
      passFile: password === undefined ? yield* passFileOf : undefined,
      howToGive:
        request.inJob === true
          ? 'set PGPASSWORD, or name the variable that holds it in the job file\'s "load": {"passwordEnv": …}'
          : "set PGPASSWORD or use --password-file",
      from: given.from
    }
  })

/** The target as messages and the summary show it: a relative DuckDB file is the current folder's, as --out is. */
const shownTarget = (target: LoadTarget): string =>
  target._tag === "DuckDb" ? `duckdb:${NodePath.resolve(target.file)}` : target.shown

/**
 * Whether a job's load could start, checked before its exports (a target found unreachable only after them all
 * leaves a run exported for nothing): PostgreSQL is signed in to and closed at once (its search_path's schema is
 * checked on the way, and a replace's right to create tables in it); a DuckDB file must be writable, or its
 * folder for a file the load creates. A DuckDB file another process holds is not refused: the load waits for it.
 */
export const checkLoadTarget = (
  target: LoadTarget,
  request: Pick<LoadRequest, "passwordFile" | "passwordEnv" | "inJob" | "mode">
) =>
  Effect.gen(function* () {
    const shown = shownTarget(target)
    const refused = (message: string) =>
      new ExportError({
        kind: "Remote",
        message: `the job's "load" cannot load into ${shown}, so nothing was exported: ${message}`
      })
    if (target._tag === "DuckDb") {
      const file = NodePath.resolve(target.file)
      const there = NodeFs.statSync(file, { throwIfNoEntry: false })
      if (there?.isDirectory() === true) {
        return yield* refused(`${file} is a folder, not a DuckDB database file: give a file's path`)
      }
      const writable = (path: string) => {
        try {
          NodeFs.accessSync(path, NodeFs.constants.W_OK)
          return true
        } catch {
          return false
        }
      }
      if (there !== undefined && !writable(file)) {
        return yield* refused(`${file} cannot be written by this user: give it write permission, or give another path`)
      }
      if (there === undefined && !writable(NodePath.dirname(file))) {
        return yield* refused(
          `the database file would be created in ${NodePath.dirname(file)}, which this user cannot write to: give the folder write permission, or give another path`
        )
      }
      return
    }
    const signIn = yield* signInOf(request)
    const services = yield* Effect.context<never>()
    yield* Effect.tryPromise({
      try: async () => {
        const engine = await openPostgres(
          target.url,
          shown,
          signIn,
          (message) => {
            Effect.runSyncWith(services)(Effect.logWarning(`load into ${shown}: ${message}`))
          },
          noLockTimeout,
          target.connectTimeoutMillis
        )
        try {
          // A replace drops and creates each table: without CREATE on the schema it would fail at its first table.
          if (request.mode === "replace") {
            const schema = await engine.scalar("SELECT current_schema()")
            const may = await engine.scalar("SELECT has_schema_privilege(current_schema(), 'CREATE')")
            const user = await engine.scalar("SELECT current_user")
            if (may !== "true") {
              throw new LoadFailure(
                `the user ${user} may not create tables in schema ${schema}, which a replace does: have the schema's owner GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${user}, or load into a schema it may create in with ?options=-c%20search_path%3D… in the URL`
              )
            }
          }
        } finally {
          await engine.close()
        }
      },
      catch: (e) => refused(e instanceof Error ? e.message : String(e))
    }).pipe(
      // No session left (a CONNECTION LIMIT that another shard's load uses now): signed in, so reachable; the
      // load itself waits for a session or says so.
      Effect.catchIf(
        (e) => /too many (connections|clients)/.test(e.message),
        () => Effect.void
      )
    )
  })

/**
 * What a load interrupted while loading a table leaves: that table rolled back, and the tables committed before it
 * (named, the first few), then `next`, the one thing to do.
 */
export const interruptedLoadLeft = (committed: ReadonlyArray<string>, next: string): string => {
  const n = committed.length
  const names = committed.length <= 3 ? committed.join(", ") : `${committed.slice(0, 3).join(", ")}, …`
  const kept =
    n === 0
      ? "no table was loaded before it"
      : n === 1
        ? `the table ${names} loaded before it stays loaded`
        : `the ${n} tables loaded before it stay loaded (${names})`
  return `the table being loaded was rolled back, and ${kept}: ${next}`
}

/**
 * The job file of the run whose manifest is `path`, and the files of its incremental exports whose watermarks did
 * not move: the folder's watermarks file holds no entry with the watermark the manifest lists for them (a job
 * without a load records them as it exports, one with a load once it loaded them; a merged run's shards recorded
 * theirs). `undefined` for a single command's run, a job without such exports, or when all moved.
 */
const unmovedWatermarksOf = (
  path: string
): { readonly job: string; readonly files: ReadonlyArray<string> } | undefined => {
  try {
    const manifest = JSON.parse(NodeFs.readFileSync(path, "utf8")) as Partial<Manifest>
    if (manifest.job == null) return undefined
    const recorded = recordedWatermarks(NodePath.dirname(path))
    const files = (manifest.outputs ?? [])
      .filter((o) => o.watermark !== undefined && !recorded.has(watermarkKey(o.export, o.watermark)))
      .map((o) => o.file)
    return files.length === 0 ? undefined : { job: manifest.job.file, files }
  } catch {
    // Read and checked already by readRunManifest: a warning is no reason to fail.
    return undefined
  }
}

/** A watermark of an export, as the manifest and the watermarks file both give it: export key, kind, column, value. */
const watermarkKey = (
  exportKey: string,
  mark: { readonly kind?: unknown; readonly column?: unknown; readonly value?: unknown }
) => JSON.stringify([exportKey, mark.kind, mark.column ?? null, mark.value])

/**
 * The watermarks the watermarks file in `folder` holds (none without one), each under its export's key: the
 * first word of its id (plan/Watermark.ts's `watermarkId`).
 */
const recordedWatermarks = (folder: string): ReadonlySet<string> => {
  try {
    const file = JSON.parse(NodeFs.readFileSync(NodePath.join(folder, stateDirName, watermarksFileName), "utf8")) as {
      readonly exports?: Record<
        string,
        { readonly kind?: unknown; readonly column?: unknown; readonly value?: unknown }
      >
    }
    return new Set(Object.entries(file.exports ?? {}).map(([id, mark]) => watermarkKey(id.split(" ", 1)[0]!, mark)))
  } catch {
    return new Set()
  }
}

/** How often a load that waits for another process's DuckDB database tries to open it again, in milliseconds. */
const duckDbPollMillis = 1000

/** Loads a finished run into the target (see the module comment). */
export const loadStep = (request: LoadRequest) =>
  Effect.gen(function* () {
    const target = yield* checkLoadRequest(request)
    const run = yield* Effect.try({
      try: (): RunManifest => readRunManifest(request.run, request.format),
      catch: (e) =>
        e instanceof RunManifestError
          ? new UsageError({ message: e.message })
          : new ExportError({ kind: "Io", message: `cannot read ${request.run}: ${(e as Error).message}` })
    })
    if (run.failed.length > 0 && !request.allowFailed) {
      return yield* new UsageError({
        message: `the ${run.merged ? "merged run" : "run"} ${run.runId} has ${run.failed.length === 1 ? "a failed export" : `${run.failed.length} failed exports`} (${run.failed[0]}): ${run.merged ? "run the shards it failed in again with --resume (the commands spotpipe merge printed), then merge again with --force" : "rerun it with --resume until it succeeds"}, or load what it wrote with --allow-failed`
      })
    }
    // Said before loading: following a failed job load's advice with `spotpipe load` loaded an increment that the
    // job's next run read (and appended) again.
    const incremental = request.inJob === true ? undefined : unmovedWatermarksOf(run.path)
    if (incremental !== undefined) {
      const files = incremental.files.length > 3 ? [...incremental.files.slice(0, 3), "…"] : incremental.files
      yield* Effect.logWarning(
        `this run is of the job ${incremental.job}, whose incremental exports (${files.join(", ")}) move their watermarks only when the job's run loads them: spotpipe load moves none, so unless the run's own load took these files, the job's next run reads these increments again (and an append loads their rows twice); to load a job's run and move its watermarks, continue the run instead: spotpipe run ${shellWord(incremental.job)} --out ${shellWord(NodePath.dirname(run.path))} … --resume`
      )
    }
    const signIn = target._tag === "Postgres" ? yield* signInOf(request) : undefined
    const shown = shownTarget(target)
    const lockTimeout = request.lockTimeout ?? noLockTimeout
    const limit = lockTimeoutMillis(lockTimeout)
    // A job's load is done again by its run, which moves the watermarks too.
    const again = request.continueRun === undefined ? "load again" : `continue the run (${request.continueRun})`
    const failed = (e: unknown) =>
      new ExportError({
        kind: "Remote",
        message: `load into ${shown}: ${e instanceof Error ? e.message : String(e)}`,
        ...(e instanceof LoadFailure ? {} : { cause: e })
      })
    const probe = yield* StepProbe
    const services = yield* Effect.context<never>()
    const beforeCommit = (file: string) => Effect.runPromiseWith(services)(probe("load-before-commit", file))
    // The load's promise, so that an interrupted load is closed only once it has stopped (rolled back).
    let running: Promise<unknown> = Promise.resolve()
    // An engine opened is closed with the scope (after an interruption, once its statement has stopped).
    const attempt = Effect.acquireRelease(
      Effect.tryPromise({
        try: () =>
          target._tag === "DuckDb"
            ? openDuckDb(target.file)
            : openPostgres(
                target.url,
                shown,
                signIn!,
                (message) => {
                  Effect.runSyncWith(services)(Effect.logWarning(`load into ${shown}: ${message}`))
                },
                lockTimeout,
                target.connectTimeoutMillis
              ),
        // A DuckDB file held by another process is waited for below; anything else fails the load.
        catch: (e) => (e instanceof DuckDbHeld ? e : failed(e))
      }).pipe(
        Effect.map((engine) => ({ engine, held: undefined })),
        Effect.catchIf(
          (e): e is DuckDbHeld => e instanceof DuckDbHeld,
          (held) => Effect.succeed({ engine: undefined, held })
        )
      ),
      ({ engine }, exit) =>
        engine === undefined
          ? Effect.void
          : Effect.promise(async () => {
              // Interrupted (Ctrl-C): the statement running is stopped and no COMMIT follows (see Load.ts).
              if (Exit.hasInterrupts(exit)) engine.abort()
              await running
              await engine.close()
            })
    )
    yield* setInterruptedLeft(`nothing was loaded: it was still opening ${shown}`)
    const tables = yield* Effect.scoped(
      Effect.gen(function* () {
        // DuckDB lets one process write a database at a time: a load (a shard's, say) waits for one on this machine.
        let waiting: number | undefined
        // When the wait began (the clock's milliseconds), for the lock timeout.
        let since: number | undefined
        let gone = false
        let opened = yield* attempt
        while (opened.engine === undefined) {
          const held = opened.held
          if (!heldHere(held)) {
            // It may have ended just now (its pid gone): once more before saying it is another machine's.
            if (!gone) {
              gone = true
              opened = yield* attempt
              continue
            }
            return yield* failed(
              new LoadFailure(
                `cannot open the DuckDB database ${held.file}: a process this one cannot see has it open (DuckDB names PID ${held.pid}, which does not run here with the file open): one on another host sharing the folder, or in another container; a load waits only for a process of this machine's, so ${again} once that one is done`
              )
            )
          }
          gone = false
          const holder = `PID ${held.pid}${held.program === "" ? "" : `, ${held.program}`}`
          const now = yield* Clock.currentTimeMillis
          since ??= now
          const left = limit === undefined ? undefined : since + limit - now
          if (left !== undefined && left <= 0) {
            return yield* failed(
              new LoadFailure(
                `cannot open the DuckDB database ${held.file}: another process on this machine (${holder}) kept it open beyond the ${lockTimeoutShown(lockTimeout)} a load waits; nothing was loaded: ${again} once that process has closed it, or ${waitLonger(lockTimeout)}`
              )
            )
          }
          if (waiting !== held.pid) {
            waiting = held.pid
            yield* setInterruptedLeft("nothing was loaded: it was waiting for the DuckDB database to be free")
            yield* Effect.logWarning(
              `the DuckDB database ${held.file} is open in another process on this machine (${holder}): waiting until it is closed${left === undefined ? "" : `, ${lockTimeoutShown(lockTimeout)} at most`} (Ctrl-C stops waiting)`
            )
          }
          // A last try when the limit is reached, not up to a second after it.
          yield* Effect.sleep(left === undefined ? duckDbPollMillis : Math.min(duckDbPollMillis, left))
          opened = yield* attempt
        }
        const engine = opened.engine
        // What an interruption leaves, said anew as each table commits: the tables that stay loaded, and one next
        // step (a job's run says its own: continuing the run loads them all).
        const committed: Array<string> = []
        const leftNow = () =>
          interruptedLoadLeft(
            committed,
            request.inJob === true ? "continue the run (below) to load them all" : "load again to load them all"
          )
        yield* setInterruptedLeft(leftNow())
        const onLoaded = (table: TableLoad) => {
          committed.push(table.table)
          Effect.runSyncWith(services)(setInterruptedLeft(leftNow()))
          request.onLoaded?.(table)
        }
        return yield* Effect.tryPromise({
          try: (signal) => {
            const loading = loadRun(engine, run, {
              mode: request.mode,
              key: request.key,
              ...(request.keys === undefined ? {} : { keys: request.keys }),
              inJob: request.inJob === true,
              ...(request.continueRun === undefined ? {} : { continueRun: request.continueRun }),
              evolve: request.evolve === true,
              version: request.version,
              beforeCommit,
              interrupted: signal,
              onLoaded
            })
            running = loading.catch(() => undefined)
            return loading
          },
          catch: failed
        })
      })
    )
    // A retried append: each file it had appended already is said once (the summary counts them).
    for (const table of tables) {
      if (table.skipped !== undefined) yield* Effect.logWarning(`${table.file}: ${table.skipped}: skipped`)
      if (table.appendedAgain !== undefined) yield* Effect.logWarning(`${table.file} ${table.appendedAgain}`)
      // --evolve: a column the answer lost is loud, also with --quiet (the summary says it too).
      if (table.nullColumns.length > 0) {
        yield* Effect.logWarning(
          `${table.file} has no ${table.nullColumns.length === 1 ? "column" : "columns"} ${table.nullColumns.map((c) => JSON.stringify(c)).join(", ")} of table ${table.table}: NULL (or the column's default) in the ${table.rows} ${table.rows === 1 ? "row" : "rows"} loaded (${request.inJob === true ? `"evolve": true` : "--evolve"})`
        )
      }
    }
    return {
      manifest: run.path,
      runId: run.runId,
      fingerprint: run.fingerprint,
      target: shown,
      tables,
      otherRuns: run.otherRuns
    } satisfies LoadReport
  })
