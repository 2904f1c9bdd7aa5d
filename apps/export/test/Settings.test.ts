/** The checks across flags and the defaults that depend on other settings or on the machine. */
import { availableParallelism } from "node:os"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import {
  checkLogging,
  checkOutput,
  checkTimeLimits,
  defaultWorkers,
  type RawOutputOptions,
  startedWithLeanMalloc
} from "../src/cli/Settings.ts"
import { UsageError } from "../src/UsageError.ts"

const output: RawOutputOptions = {
  format: "csv",
  out: Option.none(),
  timezone: Option.none(),
  pageSize: Option.none(),
  concurrency: Option.none(),
  workers: Option.none(),
  newline: "crlf",
  force: false,
  escapeFormulae: false,
  periodEnd: false
}

const usageMessage = <A>(effect: Effect.Effect<A, UsageError>) =>
  Effect.map(Effect.flip(effect), (e) => {
    assert.instanceOf(e, UsageError)
    return e.message
  })

describe("output options", () => {
  it.effect("defaults-are-csv-crlf-10000-rows-into-the-current-directory", () =>
    Effect.gen(function* () {
      const settings = yield* checkOutput(output)
      assert.strictEqual(settings.format, "csv")
      assert.strictEqual(settings.newline, "\r\n")
      assert.strictEqual(settings.pageSize, 10_000)
      assert.deepStrictEqual(settings.destination, { _tag: "Directory", path: "." })
    })
  )

  it.effect("bad-timezone-is-refused-and-iana-names-pass", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(checkOutput({ ...output, timezone: Option.some("Mars/Olympus") }))
      assert.include(message, "IANA")
      for (const zone of ["UTC", "Asia/Kolkata", "America/Los_Angeles"]) {
        const settings = yield* checkOutput({ ...output, timezone: Option.some(zone) })
        assert.deepStrictEqual(settings.timezone, Option.some(zone))
      }
    })
  )

  it.effect("a-timezone-abbreviation-is-refused-with-the-zone-and-the-offset-to-use", () =>
    Effect.gen(function* () {
      // Intl reads PST as America/Los_Angeles (daylight saving included): a user may mean UTC-8 all year.
      const message = yield* usageMessage(checkOutput({ ...output, timezone: Option.some("PST") }))
      assert.strictEqual(
        message,
        "--timezone PST is an abbreviation, not a time zone: use America/Los_Angeles (Pacific time, with daylight saving) or -08:00 (UTC-8 all year)"
      )
      for (const zone of ["-08:00", "EST", "US/Pacific"]) {
        const settings = yield* checkOutput({ ...output, timezone: Option.some(zone) })
        assert.deepStrictEqual(settings.timezone, Option.some(zone))
      }
    })
  )

  it.effect("out-dash-means-stdout-and-lf-newline-is-accepted", () =>
    Effect.gen(function* () {
      const settings = yield* checkOutput({ ...output, out: Option.some("-"), newline: "lf", format: "ndjson" })
      assert.deepStrictEqual(settings.destination, { _tag: "Stdout" })
      assert.strictEqual(settings.newline, "\n")
      assert.strictEqual(settings.format, "ndjson")
    })
  )

  it.effect("defaults-fetch-one-large-page-ahead-and-use-one-worker-thread-on-two-cores-with-the-lean-malloc-env", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* checkOutput(output)).concurrency, 2)
      assert.strictEqual((yield* checkOutput({ ...output, pageSize: Option.some(49_999) })).concurrency, 2)
      assert.strictEqual((yield* checkOutput({ ...output, pageSize: Option.some(100_000) })).concurrency, 1)
      const chosen = { ...output, pageSize: Option.some(100_000), concurrency: Option.some(3) }
      assert.strictEqual((yield* checkOutput(chosen)).concurrency, 3)
      assert.strictEqual(
        (yield* checkOutput(output)).workers,
        defaultWorkers(availableParallelism(), startedWithLeanMalloc())
      )
      assert.deepStrictEqual(
        [1, 2, 8].map((cores) => defaultWorkers(cores, true)),
        [0, 1, 1]
      )
      assert.deepStrictEqual(
        [1, 2, 8].map((cores) => defaultWorkers(cores, false)),
        [0, 0, 0]
      )
      assert.isTrue(startedWithLeanMalloc({ MALLOC_MMAP_THRESHOLD_: "1048576" }))
      assert.isFalse(startedWithLeanMalloc({}))
      assert.strictEqual((yield* checkOutput({ ...output, workers: Option.some(2) })).workers, 2)
    })
  )

  it.effect("quiet-and-verbose-conflict", () =>
    Effect.gen(function* () {
      assert.include(yield* usageMessage(checkLogging({ quiet: true, verbose: true, logFormat: "text" })), "--quiet")
      assert.deepStrictEqual(yield* checkLogging({ quiet: false, verbose: true, logFormat: "json" }), {
        quiet: false,
        verbose: true,
        format: "json"
      })
    })
  )
})

describe("time limits", () => {
  it.effect("flags-win-over-the-job-file-which-wins-over-the-defaults", () =>
    Effect.gen(function* () {
      const none = { timeout: Option.none<number>(), deadline: Option.none<number>() }
      assert.deepStrictEqual(yield* checkTimeLimits(none), { attemptTimeoutMillis: 120_000, deadlineMillis: 600_000 })
      assert.deepStrictEqual(yield* checkTimeLimits(none, { timeoutSeconds: 30, deadlineSeconds: 90 }), {
        attemptTimeoutMillis: 30_000,
        deadlineMillis: 90_000
      })
      assert.deepStrictEqual(
        yield* checkTimeLimits({ timeout: Option.some(5), deadline: Option.none() }, { timeoutSeconds: 30 }),
        { attemptTimeoutMillis: 5_000, deadlineMillis: 600_000 }
      )
    })
  )

  it.effect("a-deadline-shorter-than-one-attempt-is-a-usage-error-naming-both-flags", () =>
    Effect.gen(function* () {
      const message = yield* usageMessage(checkTimeLimits({ timeout: Option.some(60), deadline: Option.some(30) }))
      assert.include(message, "raise --deadline or lower --timeout")
      // Also when one of them comes from the job file.
      const fromJob = yield* usageMessage(
        checkTimeLimits({ timeout: Option.some(60), deadline: Option.none() }, { deadlineSeconds: 30 })
      )
      assert.include(fromJob, "raise --deadline or lower --timeout")
    })
  )
})
