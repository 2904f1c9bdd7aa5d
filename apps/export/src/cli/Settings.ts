/**
 * The settings a command runs with, from its parsed flags (Flags.ts, which already checked each flag on its own):
 * the defaults that depend on other settings (requests in flight per page size, worker threads per machine), and
 * the checks that need more than one flag or more than the flag's text (`--deadline` shorter than `--timeout`,
 * `--quiet` with `--verbose`, a time zone this runtime knows). Every failure is a {@link UsageError} that says
 * what to do, raised before any request. Host and credentials are resolved in cluster/Connection.ts.
 */
import { availableParallelism } from "node:os"
import { Effect, Option } from "effect"
import type { Format } from "../formats/RowFormat.ts"
import { timeZoneProblem } from "../plan/JobFile.ts"
import { UsageError } from "../UsageError.ts"
import * as NodeFlags from "./NodeFlags.ts"

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
 * export about a sixth faster (see BENCHMARKS.md). Its memory cost depends on that threshold: with it, peak RSS is the
 * same as without a worker (247–253 MiB at 10 M rows); without it, the worker thread's malloc arena and the
 * main one's fragment, and peak RSS varied 274–336 MiB (over the 300 MB target). More workers would only help
 * with several pages in flight.
 */
export const defaultWorkers = (cores: number, leanMalloc: boolean): number => (cores >= 2 && leanMalloc ? 1 : 0)

/** Whether this process started with `NodeFlags.leanMemoryEnv` (glibc read it then; see {@link defaultWorkers}). */
export const startedWithLeanMalloc = (env: NodeJS.ProcessEnv = process.env): boolean =>
  Object.entries(NodeFlags.leanMemoryEnv).every(([name, value]) => env[name] === value)

/** Output flags as the command line parsed them (each one already checked on its own). */
export interface RawOutputOptions {
  readonly format: Format
  readonly out: Option.Option<string>
  readonly timezone: Option.Option<string>
  readonly pageSize: Option.Option<number>
  readonly concurrency: Option.Option<number>
  readonly workers: Option.Option<number>
  readonly newline: "crlf" | "lf"
  readonly force: boolean
  /** `--resume`, where the command has it: it contradicts `--force`. */
  readonly resume?: boolean
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
 * The time limits from `--timeout` and `--deadline` (seconds, each in range already); a value the flags leave out
 * comes from `job` (a job file's `client` block), else the default. The deadline must leave room for at least one
 * whole attempt.
 */
export const checkTimeLimits = (
  flags: { readonly timeout: Option.Option<number>; readonly deadline: Option.Option<number> },
  job: { readonly timeoutSeconds?: number; readonly deadlineSeconds?: number } = {}
): Effect.Effect<TimeLimits, UsageError> => {
  const timeout = Option.getOrElse(flags.timeout, () => job.timeoutSeconds ?? defaultTimeoutSeconds)
  const deadline = Option.getOrElse(flags.deadline, () => job.deadlineSeconds ?? defaultDeadlineSeconds)
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
  readonly logFormat: "text" | "json"
}

/** Checked logging settings. */
export interface LogSettings {
  readonly quiet: boolean
  readonly verbose: boolean
  readonly format: "text" | "json"
}

const usage = (message: string) => Effect.fail(new UsageError({ message }))

/**
 * The output settings: `--page-size`, `--concurrency` and `--workers` get their defaults, `--timezone` must be a
 * zone this runtime knows; the default directory is `defaultOut`.
 */
export const checkOutput = (raw: RawOutputOptions, defaultOut = "."): Effect.Effect<OutputSettings, UsageError> => {
  if (raw.resume === true && raw.force) {
    return usage(
      "--resume and --force contradict each other: --resume keeps the files that are complete and verified and continues the others, --force writes every file anew; pass only one"
    )
  }
  if (Option.isSome(raw.timezone)) {
    const problem = timeZoneProblem(raw.timezone.value)
    if (problem !== undefined) return usage(`--timezone ${raw.timezone.value} ${problem}`)
  }
  const pageSize = Option.getOrElse(raw.pageSize, () => defaultPageSize)
  const out = Option.getOrElse(raw.out, () => defaultOut)
  if (out === "-" && raw.format === "parquet") {
    return usage(
      "--format parquet writes a file (its footer comes last), not a stream: use --out DIR, or csv/ndjson with --out -"
    )
  }
  return Effect.succeed({
    format: raw.format,
    destination: out === "-" ? { _tag: "Stdout" } : { _tag: "Directory", path: out },
    timezone: raw.timezone,
    pageSize,
    concurrency: Option.getOrElse(raw.concurrency, () => defaultConcurrency(pageSize)),
    workers: Option.getOrElse(raw.workers, () => defaultWorkers(availableParallelism(), startedWithLeanMalloc())),
    newline: raw.newline === "crlf" ? "\r\n" : "\n",
    force: raw.force,
    escapeFormulae: raw.escapeFormulae,
    periodEnd: raw.periodEnd
  })
}

/** Checks the logging flags: `--quiet` and `--verbose` exclude each other. */
export const checkLogging = (raw: RawLogOptions): Effect.Effect<LogSettings, UsageError> => {
  if (raw.quiet && raw.verbose) return usage("--quiet and --verbose contradict each other: pass only one")
  return Effect.succeed({ quiet: raw.quiet, verbose: raw.verbose, format: raw.logFormat })
}
