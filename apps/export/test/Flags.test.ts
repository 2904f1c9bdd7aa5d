/** Each flag checks its own value as it is parsed, with a message that says what to do. */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Option } from "effect"
import type { Argument, Flag } from "effect/cli"
import {
  connectionFlags,
  defaultsOf,
  exportFlags,
  jobArgument,
  loadFlags,
  logFlags,
  runFlags,
  timeLimitFlags
} from "../src/cli/Flags.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-job-")

/** The value `flag` parses `values` to (as `--name value …`). */
const parse = <A>(flag: Flag.Flag<A>, name: string, ...values: ReadonlyArray<string>) =>
  Effect.map(flag.parse({ flags: { [name]: values }, arguments: [] }), ([, value]) => value).pipe(
    Effect.provide(NodeServices.layer)
  )

/** The message `flag` refuses `value` with. */
const refusal = <A>(flag: Flag.Flag<A>, name: string, value: string) =>
  Effect.map(Effect.flip(parse(flag, name, value)), (e) => e.message)

const parseArgument = <A>(argument: Argument.Argument<A>, value: string) =>
  Effect.map(argument.parse({ flags: {}, arguments: [value] }), ([, parsed]) => parsed).pipe(
    Effect.provide(NodeServices.layer)
  )

describe("choices", () => {
  it.effect("unknown-format-says-which-formats-exist-and-case-does-not-matter", () =>
    Effect.gen(function* () {
      assert.strictEqual(
        yield* refusal(exportFlags.format, "format", "xlsx"),
        'unknown format "xlsx": use --format csv, ndjson or parquet'
      )
      assert.strictEqual(yield* parse(exportFlags.format, "format", "NDJSON"), "ndjson")
      assert.strictEqual(yield* parse(exportFlags.format, "format", "Csv"), "csv")
    })
  )

  it.effect("newline-datetime-offset-and-log-format-name-their-choices", () =>
    Effect.gen(function* () {
      assert.include(
        yield* refusal(exportFlags.newline, "newline", "cr"),
        "use --newline crlf (the CSV default) or --newline lf"
      )
      assert.strictEqual(yield* parse(exportFlags.newline, "newline", "LF"), "lf")
      assert.include(
        yield* refusal(exportFlags.datetimeOffset, "datetime-offset", "local"),
        'unknown --datetime-offset "local": use utc'
      )
      assert.strictEqual(yield* parse(exportFlags.datetimeOffset, "datetime-offset", "Zone"), "zone")
      assert.include(
        yield* refusal(logFlags.logFormat, "log-format", "xml"),
        "use --log-format text or --log-format json"
      )
      assert.strictEqual(yield* parse(logFlags.logFormat, "log-format", "JSON"), "json")
    })
  )
})

describe("ranges", () => {
  it.effect("page-size-outside-1-to-100000-is-refused", () =>
    Effect.gen(function* () {
      for (const size of ["0", "-5", "100001"]) {
        assert.include(yield* refusal(exportFlags.pageSize, "page-size", size), "use --page-size between 1 and 100000")
      }
      for (const text of ["1.5", "many", ""]) {
        assert.strictEqual(
          yield* refusal(exportFlags.pageSize, "page-size", text),
          `page size "${text}" is not a whole number: use --page-size between 1 and 100000 (ThoughtSpot's per-call limit)`
        )
      }
      for (const size of [1, 100_000]) {
        assert.deepStrictEqual(yield* parse(exportFlags.pageSize, "page-size", String(size)), Option.some(size))
      }
    })
  )

  it.effect("concurrency-workers-and-org-id-have-their-bounds", () =>
    Effect.gen(function* () {
      assert.include(yield* refusal(exportFlags.concurrency, "concurrency", "0"), "--concurrency between 1 and 16")
      assert.include(yield* refusal(runFlags.concurrency, "concurrency", "17"), "--concurrency between 1 and 16")
      for (const bad of ["-1", "17", "1.5"]) {
        assert.include(yield* refusal(exportFlags.workers, "workers", bad), "--workers")
      }
      assert.deepStrictEqual(yield* parse(exportFlags.workers, "workers", "0"), Option.some(0))
      assert.include(yield* refusal(connectionFlags.orgId, "org-id", "-1"), "use --org-id with a whole number")
      assert.deepStrictEqual(yield* parse(connectionFlags.orgId, "org-id", "0"), Option.some(0))
    })
  )

  it.effect("timeout-and-deadline-out-of-range-name-the-flag", () =>
    Effect.gen(function* () {
      for (const [flag, name, value, says] of [
        [timeLimitFlags.timeout, "timeout", "0", "--timeout with whole seconds from 1 to 3600"],
        [timeLimitFlags.timeout, "timeout", "3601", "--timeout with whole seconds from 1 to 3600"],
        [timeLimitFlags.deadline, "deadline", "0", "--deadline with whole seconds from 1 to 86400"],
        [timeLimitFlags.deadline, "deadline", "86401", "--deadline with whole seconds from 1 to 86400"]
      ] as const) {
        assert.include(yield* refusal(flag, name, value), says)
      }
    })
  )
})

describe("text", () => {
  it.effect("empty-out-and-output-name-are-refused-and-run-refuses-stdout", () =>
    Effect.gen(function* () {
      assert.include(yield* refusal(exportFlags.out, "out", " "), "--out is empty")
      assert.deepStrictEqual(yield* parse(exportFlags.out, "out", "-"), Option.some("-"))
      assert.include(yield* refusal(exportFlags.outputName, "output-name", ""), "--output-name is empty")
      assert.include(
        yield* refusal(runFlags.out, "out", "-"),
        "spotpipe run writes files: give --out a directory, not -"
      )
      assert.include(yield* refusal(runFlags.shard, "shard", "4/3"), "--shard must be i/n")
      const shard = yield* parse(runFlags.shard, "shard", "2/3")
      assert.isTrue(Option.isSome(shard) && shard.value.text === "2/3")
    })
  )
})

describe("defaults", () => {
  it.effect("a-group-parsed-from-nothing-gives-every-default", () =>
    Effect.gen(function* () {
      const defaults = yield* defaultsOf({ ...connectionFlags, ...exportFlags, ...logFlags }).pipe(
        Effect.provide(NodeServices.layer)
      )
      assert.strictEqual(defaults.format, "csv")
      assert.strictEqual(defaults.newline, "crlf")
      assert.strictEqual(defaults.datetimeOffset, "utc")
      assert.strictEqual(defaults.logFormat, "text")
      assert.isFalse(defaults.sandbox)
      assert.isTrue(Option.isNone(defaults.host))
      assert.isTrue(Option.isNone(defaults.pageSize))
    })
  )
})

describe("job file argument", () => {
  it.effect("the-job-file-is-read-and-decoded-as-it-is-parsed", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const good = NodePath.join(dir, "good.json")
      NodeFs.writeFileSync(good, JSON.stringify({ exports: [{ type: "answer", id: "A" }] }))
      const parsed = yield* parseArgument(jobArgument, good)
      assert.strictEqual(parsed.path, good)
      assert.strictEqual(parsed.job.exports.length, 1)

      const bad = NodePath.join(dir, "bad.json")
      NodeFs.writeFileSync(bad, JSON.stringify({ exports: [{ type: "answer" }] }))
      const invalid = yield* Effect.flip(parseArgument(jobArgument, bad))
      assert.strictEqual(invalid.message, `job file ${bad} is not valid:\n  exports[0].id: is required`)

      const missing = NodePath.join(dir, "none.json")
      const unread = yield* Effect.flip(parseArgument(jobArgument, missing))
      assert.strictEqual(unread.message, `cannot read the job file ${missing}: there is no such file; check the path`)
    })
  )
})

describe("load --key", () => {
  it.effect("a-repeated-key-takes-each-column-name-verbatim-commas-and-edge-spaces-included", () =>
    Effect.gen(function* () {
      // A job file's "key" array could name these columns; the command line could not (one --key was split).
      assert.deepStrictEqual(yield* parse(loadFlags.key, "key", "Revenue (USD, net)", " Region "), [
        "Revenue (USD, net)",
        " Region "
      ])
      // One --key keeps its comma-separated, trimmed list.
      assert.deepStrictEqual(yield* parse(loadFlags.key, "key", "id, Region"), ["id", "Region"])
      assert.deepStrictEqual(yield* parse(loadFlags.key, "key"), [])
      assert.strictEqual(yield* refusal(loadFlags.key, "key", " , "), "--key lists no column: give COLUMN[,COLUMN…]")
      assert.strictEqual(
        yield* Effect.map(Effect.flip(parse(loadFlags.key, "key", "id", "")), (e) => e.message),
        "a --key is empty: a repeated --key gives one column name each, as the files name it"
      )
    })
  )
})
