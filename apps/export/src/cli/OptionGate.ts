/**
 * The option gate: every check on what the user typed happens here, before any request is made, and every
 * failure is a {@link UsageError} whose message says what to do. Output and logging settings are checked by pure
 * functions; the connection (host, user, secret) is resolved from flags, the environment, a password file or an
 * interactive prompt — never from a flag value, so a secret cannot leak through shell history or `ps`.
 */
import { availableParallelism } from "node:os"
import { Effect, Option, Redacted } from "effect"
import { checkHostUrl } from "../cluster/JobConnection.ts"
import * as NodeFlags from "./NodeFlags.ts"
import { UsageError } from "./UsageError.ts"

/** Output formats spotpipe writes. */
export const formats = ["csv", "ndjson"] as const
/** One of {@link formats}. */
export type Format = (typeof formats)[number]

/** ThoughtSpot's documented maximum rows per data call. */
export const maxPageSize = 100_000
/** Rows per data call when `--page-size` is not given. */
export const defaultPageSize = 10_000
/** Upper bound for `--concurrency` (ThoughtSpot allows 100 requests/s per client IP). */
export const maxConcurrency = 16
/**
 * Pages fetched ahead when `--concurrency` is not given: two, or one for pages of 50 000 rows or more. Such a
 * page takes long enough to arrive that one page ahead keeps the connection busy, and each page held ahead costs
 * its size in memory (a 100 000-row NDJSON page is over 20 MB). The worker thread needs no second page in
 * flight: it shares each page with the main thread (see TranscodePool.ts).
 */
export const defaultConcurrency = (pageSize: number): number => (pageSize >= 50_000 ? 1 : 2)
/** Upper bound for `--workers`. */
export const maxWorkers = 16
/**
 * Worker threads when `--workers` is not given, on a machine with `cores` (`os.availableParallelism()`): one where
 * there are two cores or more and glibc's mmap threshold is fixed (`leanMalloc`: the process was started with
 * `NodeFlags.leanMemoryEnv`), else none. A worker takes part of every large page (the main thread does the
 * rest), which uses the second core: measured on 2 cores with the server on the same machine, a 10 M-row CSV
 * export 20.6 → 17.0 s (see the README). Its memory cost depends on that threshold: with it, peak RSS is the
 * same as without a worker (247–253 MiB at 10 M rows); without it, the worker thread's malloc arena and the
 * main one's fragment, and peak RSS varied 274–336 MiB (over the 300 MB target). More workers would only help
 * with several pages in flight.
 */
export const defaultWorkers = (cores: number, leanMalloc: boolean): number => (cores >= 2 && leanMalloc ? 1 : 0)

/** Whether this process started with `NodeFlags.leanMemoryEnv` (glibc read it then; see {@link defaultWorkers}). */
export const startedWithLeanMalloc = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Object.entries(NodeFlags.leanMemoryEnv).every(([name, value]) => env[name] === value)

/** Output flags as the command line parsed them, before any check. */
export interface RawOutputOptions {
  readonly format: string
  readonly out: Option.Option<string>
  readonly timezone: Option.Option<string>
  readonly pageSize: Option.Option<number>
  readonly concurrency: Option.Option<number>
  readonly workers: Option.Option<number>
  readonly newline: string
  readonly force: boolean
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
}

/** Where the data goes: files in a directory, or stdout (`--out -`). */
export type Destination = { readonly _tag: "Directory"; readonly path: string } | { readonly _tag: "Stdout" }

/** Checked output settings. */
export interface OutputSettings {
  readonly format: Format
  readonly destination: Destination
  /** `--timezone`, when given; otherwise the cluster's zone or UTC is used. */
  readonly timezone: Option.Option<string>
  readonly pageSize: number
  readonly concurrency: number
  /** Worker threads that transcode large pages (0: all on the main thread). */
  readonly workers: number
  readonly newline: "\r\n" | "\n"
  readonly force: boolean
  readonly escapeFormulae: boolean
  readonly periodEnd: boolean
}

/** Seconds one request attempt may take when `--timeout` is not given (sending, waiting, reading the answer). */
export const defaultTimeoutSeconds = 120
/** Seconds one request may take with its retries and their waits when `--deadline` is not given. */
export const defaultDeadlineSeconds = 600
/** Upper bound of `--timeout` (an hour). */
export const maxTimeoutSeconds = 3600
/** Upper bound of `--deadline` (a day). */
export const maxDeadlineSeconds = 86_400

/** Client time limits, in the milliseconds `@spotpipe/core`'s retry policy takes. */
export interface TimeLimits {
  readonly attemptTimeoutMillis: number
  readonly deadlineMillis: number
}

/**
 * Checks `--timeout` and `--deadline` (seconds); a value the flags leave out comes from `job` (a job file's
 * `client` block), else the default. The deadline must leave room for at least one whole attempt.
 */
export const checkTimeLimits = (
  flags: { readonly timeout: Option.Option<number>; readonly deadline: Option.Option<number> },
  job: { readonly timeoutSeconds?: number; readonly deadlineSeconds?: number } = {}
): Effect.Effect<TimeLimits, UsageError> => {
  const timeout = Option.getOrElse(flags.timeout, () => job.timeoutSeconds ?? defaultTimeoutSeconds)
  const deadline = Option.getOrElse(flags.deadline, () => job.deadlineSeconds ?? defaultDeadlineSeconds)
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > maxTimeoutSeconds) {
    return usage(
      `timeout ${timeout} is out of range: use --timeout with whole seconds from 1 to ${maxTimeoutSeconds} (one request attempt; default ${defaultTimeoutSeconds})`
    )
  }
  if (!Number.isInteger(deadline) || deadline < 1 || deadline > maxDeadlineSeconds) {
    return usage(
      `deadline ${deadline} is out of range: use --deadline with whole seconds from 1 to ${maxDeadlineSeconds} (one request with its retries; default ${defaultDeadlineSeconds})`
    )
  }
  if (deadline < timeout) {
    return usage(
      `--deadline ${deadline} is shorter than --timeout ${timeout}: the deadline covers a request with all its retries, so raise --deadline or lower --timeout`
    )
  }
  return Effect.succeed({ attemptTimeoutMillis: timeout * 1000, deadlineMillis: deadline * 1000 })
}

/** Logging flags as parsed. */
export interface RawLogOptions {
  readonly quiet: boolean
  readonly verbose: boolean
  readonly logFormat: string
}

/** Checked logging settings. */
export interface LogSettings {
  readonly quiet: boolean
  readonly verbose: boolean
  readonly format: "text" | "json"
}

/** True when `zone` is an IANA time zone name this runtime knows (or `UTC`). */
export const isTimeZone = (zone: string): boolean => {
  if (zone.trim() === "") return false
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone })
    return true
  } catch {
    return false
  }
}

const usage = (message: string) => Effect.fail(new UsageError({ message }))

/** Checks the output flags; the default directory is `defaultOut`. */
export const checkOutput = (raw: RawOutputOptions, defaultOut = "."): Effect.Effect<OutputSettings, UsageError> => {
  const format = raw.format.toLowerCase()
  if (!(formats as ReadonlyArray<string>).includes(format)) {
    return usage(`unknown format "${raw.format}": use --format csv or --format ndjson`)
  }
  const pageSize = Option.getOrElse(raw.pageSize, () => defaultPageSize)
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > maxPageSize) {
    return usage(
      `page size ${pageSize} is out of range: use --page-size between 1 and ${maxPageSize} (ThoughtSpot's per-call limit)`
    )
  }
  const concurrency = Option.getOrElse(raw.concurrency, () => defaultConcurrency(pageSize))
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > maxConcurrency) {
    return usage(`concurrency ${concurrency} is out of range: use --concurrency between 1 and ${maxConcurrency}`)
  }
  const workers = Option.getOrElse(raw.workers, () => defaultWorkers(availableParallelism(), startedWithLeanMalloc()))
  if (!Number.isInteger(workers) || workers < 0 || workers > maxWorkers) {
    return usage(`workers ${workers} is out of range: use --workers between 0 (no worker threads) and ${maxWorkers}`)
  }
  if (Option.isSome(raw.timezone) && !isTimeZone(raw.timezone.value)) {
    return usage(
      `unknown time zone "${raw.timezone.value}": use an IANA name such as UTC, Europe/Berlin or America/Los_Angeles`
    )
  }
  const newline = raw.newline.toLowerCase()
  if (newline !== "crlf" && newline !== "lf") {
    return usage(`unknown newline "${raw.newline}": use --newline crlf (the CSV default) or --newline lf`)
  }
  const out = Option.getOrElse(raw.out, () => defaultOut)
  if (out.trim() === "") return usage("--out is empty: give a directory, or - for stdout")
  return Effect.succeed({
    format: format as Format,
    destination: out === "-" ? { _tag: "Stdout" } : { _tag: "Directory", path: out },
    timezone: raw.timezone,
    pageSize,
    concurrency,
    workers,
    newline: newline === "crlf" ? "\r\n" : "\n",
    force: raw.force,
    escapeFormulae: raw.escapeFormulae,
    periodEnd: raw.periodEnd
  })
}

/** Checks the logging flags. */
export const checkLogging = (raw: RawLogOptions): Effect.Effect<LogSettings, UsageError> => {
  const format = raw.logFormat.toLowerCase()
  if (format !== "text" && format !== "json") {
    return usage(`unknown log format "${raw.logFormat}": use --log-format text or --log-format json`)
  }
  if (raw.quiet && raw.verbose) return usage("--quiet and --verbose contradict each other: pass only one")
  return Effect.succeed({ quiet: raw.quiet, verbose: raw.verbose, format })
}

/** How spotpipe authenticates. Secrets stay `Redacted` all the way to the client. */
export type Credentials =
  | { readonly _tag: "Token"; readonly username: Option.Option<string>; readonly token: Redacted.Redacted<string> }
  | { readonly _tag: "Password"; readonly username: string; readonly password: Redacted.Redacted<string> }
  | { readonly _tag: "SecretKey"; readonly username: string; readonly secretKey: Redacted.Redacted<string> }

/** Which cluster to talk to. */
export type Connection =
  | { readonly _tag: "Sandbox" }
  | {
      readonly _tag: "Cluster"
      readonly host: string
      readonly orgId: Option.Option<number>
      readonly credentials: Credentials
    }

/** Connection flags as parsed (host and username already fall back to their environment variables). */
export interface RawConnectionOptions {
  readonly host: Option.Option<string>
  readonly username: Option.Option<string>
  readonly passwordFile: Option.Option<string>
  readonly orgId: Option.Option<number>
  readonly sandbox: boolean
  /** `--allow-insecure-http`: permit plain http:// to a host that is not loopback. */
  readonly allowInsecureHttp?: boolean
}

/** Secrets found in the environment. */
export interface SecretEnvironment {
  readonly password: Option.Option<Redacted.Redacted<string>>
  readonly secretKey: Option.Option<Redacted.Redacted<string>>
  readonly token: Option.Option<Redacted.Redacted<string>>
}

/** The side effects the connection check may need: read a password file, ask on a terminal. */
export interface SecretSources {
  readonly readPasswordFile: (path: string) => Effect.Effect<string, UsageError>
  /** `None` when there is no interactive terminal to ask on. */
  readonly prompt: Option.Option<(message: string) => Effect.Effect<Redacted.Redacted<string>, UsageError>>
}

const credentialHelp =
  "set THOUGHTSPOT_USERNAME and one of THOUGHTSPOT_PASSWORD, THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN " +
  "(or pass --username and --password-file), or use --sandbox for the embedded sandbox"

/** Resolves host and credentials, failing with a usage error that names the missing piece. */
export const resolveConnection = Effect.fn("OptionGate.resolveConnection")(function* (
  raw: RawConnectionOptions,
  env: SecretEnvironment,
  sources: SecretSources
): Effect.fn.Return<Connection, UsageError> {
  if (raw.sandbox) {
    if (Option.isSome(raw.host)) {
      return yield* usage("--sandbox and --host both given: pass only one (unset THOUGHTSPOT_HOST for the sandbox)")
    }
    return { _tag: "Sandbox" }
  }
  if (Option.isNone(raw.host) || raw.host.value.trim() === "") {
    return yield* usage(
      "no ThoughtSpot host: pass --host https://your-cluster.thoughtspot.cloud or set THOUGHTSPOT_HOST (or use --sandbox)"
    )
  }
  const host = yield* checkHost(raw.host.value, raw.allowInsecureHttp ?? false)
  if (Option.isSome(raw.orgId) && (!Number.isInteger(raw.orgId.value) || raw.orgId.value < 0)) {
    return yield* usage(`org id ${raw.orgId.value} is not valid: use --org-id with a whole number such as 0`)
  }
  const username = Option.filter(raw.username, (u) => u.trim() !== "")
  let credentials: Credentials
  if (Option.isSome(raw.passwordFile)) {
    if (Option.isNone(username)) return yield* usage(`--password-file needs a user: ${credentialHelp}`)
    const text = yield* sources.readPasswordFile(raw.passwordFile.value)
    const password = text.replace(/\r?\n$/, "")
    if (password === "") return yield* usage(`the password file ${raw.passwordFile.value} is empty`)
    credentials = { _tag: "Password", username: username.value, password: Redacted.make(password) }
  } else if (Option.isSome(env.token)) {
    credentials = { _tag: "Token", username, token: env.token.value }
  } else if (Option.isSome(env.secretKey) || Option.isSome(env.password)) {
    if (Option.isNone(username)) return yield* usage(`no user for the secret: ${credentialHelp}`)
    credentials = Option.isSome(env.secretKey)
      ? { _tag: "SecretKey", username: username.value, secretKey: env.secretKey.value }
      : { _tag: "Password", username: username.value, password: Option.getOrThrow(env.password) }
  } else if (Option.isSome(username) && Option.isSome(sources.prompt)) {
    const password = yield* sources.prompt.value(`Password for ${username.value} at ${host}`)
    credentials = { _tag: "Password", username: username.value, password }
  } else {
    return yield* usage(`no credentials: ${credentialHelp}`)
  }
  return { _tag: "Cluster", host, orgId: raw.orgId, credentials }
})

// The same rule as a job file's host (one function for every entry point).
const checkHost = (value: string, allowInsecureHttp: boolean): Effect.Effect<string, UsageError> => {
  const checked = checkHostUrl(value, allowInsecureHttp)
  return checked._tag === "Ok" ? Effect.succeed(checked.url) : usage(`--host / THOUGHTSPOT_HOST: ${checked.message}`)
}

/** Flags that would carry a secret as a value; spotpipe refuses them outright. */
const secretFlags = ["--password", "--secret-key", "--secret", "--token", "--bearer-token"]

/**
 * Scans raw arguments for a secret passed as a flag value, before the parser sees (and might echo) it.
 * Returns the usage error to raise, if any.
 */
export const rejectSecretFlags = (args: ReadonlyArray<string>): Option.Option<UsageError> => {
  for (const arg of args) {
    if (arg === "--") break
    const name = arg.split("=", 1)[0] ?? arg
    if (secretFlags.includes(name)) {
      return Option.some(
        new UsageError({
          message:
            `${name} is not accepted: secrets never go on the command line. Set THOUGHTSPOT_PASSWORD, ` +
            "THOUGHTSPOT_SECRET_KEY or THOUGHTSPOT_TOKEN, pass --password-file FILE, or let spotpipe prompt"
        })
      )
    }
  }
  return Option.none()
}
