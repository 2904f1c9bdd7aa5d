/**
 * A job file's messages in its own words: `spotpipe run job.json` against a loopback sandbox, where a message about
 * a setting the job wrote as a key names that key (`"strict": true`, `exports[0].nullString`, `"type": "liveboard"`),
 * never a flag `spotpipe run` does not take. The same messages of a single command keep naming its flags.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ThoughtSpotError as CoreErrors } from "@spotpipe/core"
import { fixtures } from "@spotpipe/sandbox"
import { Effect } from "effect"
import { chooseTimeZone } from "../../src/engine/Engine.ts"
import { toExportError } from "../../src/Failure.ts"
import { settingNames } from "../../src/plan/SettingNames.ts"
import { runInProcess } from "../support/inProcess.ts"
import { sandboxEnv, testSandbox, writeJob } from "../support/Sandboxes.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-job-wording-")
const timeout = { timeout: 60_000 }
const sandbox = testSandbox({ rows: 250 })

/** `spotpipe run` of a job with `exports` into `dir` (default a fresh folder), with `more` flags. */
const runJob = (exports: ReadonlyArray<object>, more: ReadonlyArray<string> = [], dir = tempDir()) =>
  Effect.gen(function* () {
    const job = writeJob(tempDir(), { exports })
    const run = yield* runInProcess(["run", job, "--out", dir, ...more], sandboxEnv(sandbox.sandbox))
    return { ...run, dir }
  })

describe("a job file's messages", () => {
  it.live(
    "a-strict-export-that-fails-says-what-in-the-job-turns-it-off",
    () =>
      Effect.gen(function* () {
        const search = { type: "search", table: "Orders", query: "[Order ID] [Region]", timezone: "UTC", pageSize: 100 }
        const run = yield* runJob([{ ...search, strict: true }], ["--quiet"])
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr).toContain('(without "strict": true it is exported with this warning)')
        expect(run.stderr).not.toContain("--strict")
        // Given as `spotpipe run --strict`, the flag is what turns it off.
        const flagged = yield* runJob([search], ["--quiet", "--strict"])
        expect(flagged.code, flagged.stderr).toBe(1)
        expect(flagged.stderr).toContain("(without --strict it is exported with this warning)")
      }),
    timeout
  )

  it.live(
    "a-resume-that-starts-over-names-the-key-that-changed",
    () =>
      Effect.gen(function* () {
        const answer = { type: "answer", id: "Revenue by Month" }
        const first = yield* runJob([answer])
        expect(first.code, first.stderr).toBe(0)
        const again = yield* runJob([{ ...answer, nullString: "\\N", columnNames: "snake" }], ["--resume"], first.dir)
        expect(again.code, again.stderr).toBe(0)
        expect(again.stderr).toContain(
          "exports[0].columnNames changed since its output was written (original → snake): starting over"
        )
        expect(again.stderr).not.toContain("--column-names")
      }),
    timeout
  )

  it.live(
    "the-guid-of-another-type-says-which-export-type-reads-it",
    () =>
      Effect.gen(function* () {
        const liveboard = fixtures.liveboards["Sales Overview"]
        const run = yield* runJob([{ type: "answer", id: liveboard.id }])
        expect(run.code, run.stderr).toBe(1)
        expect(run.stderr).toContain(
          `${liveboard.id} in the job file is the GUID of liveboard "Sales Overview", not of an answer: export it as a liveboard ("type": "liveboard")`
        )
        const table = yield* runJob([{ type: "liveboard", id: fixtures.ordersTable.id }])
        expect(table.stderr).toContain('export it with a search on it ("type": "search" with "table")')
        expect(`${run.stderr}${table.stderr}`).not.toMatch(/spotpipe (liveboard|search)/)
      }),
    timeout
  )

  it.live(
    "a-job-files-own-mistakes-are-exit-2-before-any-request-in-the-files-words",
    () =>
      Effect.gen(function* () {
        const before = sandbox.requests("auth/token/full") + sandbox.requests("metadata/search")
        const run = (text: string | Buffer) =>
          Effect.gen(function* () {
            const job = NodePath.join(tempDir(), "nightly.json")
            NodeFs.writeFileSync(job, text)
            return yield* runInProcess(["run", job, "--out", tempDir()], sandboxEnv(sandbox.sandbox))
          })
        const utf16 = Buffer.concat([
          Buffer.from([0xff, 0xfe]),
          Buffer.from('{"exports": [{"type": "answer", "id": "Revenue by Month"}]}', "utf16le")
        ])
        const cases: ReadonlyArray<readonly [string | Buffer, string]> = [
          ["exports:\n  - type: answer\n    id: Revenue by Month\n", "looks like YAML, but a job file is JSON"],
          [utf16, "is not UTF-8 text (it looks like UTF-16"],
          ['{"exports": [{"type": "answer", "id": "Revenue by Month"},]}', "JSON has no comma after the last item"],
          [
            JSON.stringify({
              exports: [{ type: "search", table: "Orders", query: "[Region]", viz: ["x"], output: "regions" }]
            }),
            'exports[0].viz (output "regions"): unknown key: a job file writes the flag --viz as "visualizations", and "visualizations" is for liveboard exports, not a search export: remove it'
          ]
        ]
        for (const [text, said] of cases) {
          const refused = yield* run(text)
          expect(refused.code, refused.stderr).toBe(2)
          expect(refused.stderr).toContain(said)
        }
        const unused = yield* run(
          JSON.stringify({
            defaults: { nullString: "\\N" },
            exports: [{ type: "answer", id: "Revenue by Month", format: "ndjson", output: "revenue" }]
          })
        )
        expect(unused.code, unused.stderr).toBe(2)
        expect(unused.stderr).toContain("defaults.nullString: no export takes it")
        expect(sandbox.requests("auth/token/full") + sandbox.requests("metadata/search")).toBe(before)
      }),
    timeout
  )

  it("a-cluster-time-zone-this-user-may-not-read-says-how-a-job-file-gives-one-too", () => {
    const forbidden = new CoreErrors.ThoughtSpotError({
      operation: "system",
      reason: new CoreErrors.Forbidden({ description: "no privilege", status: 403 })
    })
    expect(toExportError(forbidden, "the cluster's time zone").message).toContain(
      'pass --timezone IANA_ZONE (a job file sets "timezone" in "defaults" or in each export)'
    )
  })

  it("a-cluster-time-zone-not-used-says-how-a-job-file-gives-one", () => {
    // `spotpipe run` takes no --timezone: a job gives the zone as a key.
    expect(chooseTimeZone(undefined, "Not/AZone", settingNames({ index: 2, givenIn: "job file" })).warning).toMatch(
      /; using UTC \(set "timezone" in "defaults" or in each export to choose\)$/
    )
    expect(chooseTimeZone(undefined, "Not/AZone").warning).toMatch(/; using UTC \(pass --timezone to choose\)$/)
  })
})
