/**
 * What an unknown flag's error suggests: only flags close to it (compared without the dashes every long flag has),
 * the commands that have it when it belongs to another command, and for `spotpipe run` the job-file key of an
 * export setting given as a flag.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-flag-typo-")

// Never reached: each run here is refused before a request.
const cluster = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }

const firstLine = (args: ReadonlyArray<string>) =>
  Effect.map(runInProcess(args, cluster), (run) => {
    expect(run.code, run.stderr).toBe(2)
    return run.stderr.split("\n")[0]
  })

const jobFile = () => {
  const file = NodePath.join(tempDir(), "job.json")
  NodeFs.writeFileSync(file, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
  return file
}

describe("an unknown flag of spotpipe run that is an export setting", () => {
  it.live("names-its-job-file-key-and-where-it-goes", () =>
    Effect.gen(function* () {
      const job = jobFile()
      expect(yield* firstLine(["run", job, "--format", "ndjson"])).toBe(
        'spotpipe: --format is an export setting, which "spotpipe run" reads from the job file: set "format" there, in "defaults" (for every export) or in an export'
      )
      expect(yield* firstLine(["run", job, "--timezone", "UTC"])).toContain('set "timezone" there')
      expect(yield* firstLine(["run", job, "--page-size", "10"])).toContain('set "pageSize" there')
      expect(yield* firstLine(["run", job, "--viz", "Chart"])).toBe(
        'spotpipe: --viz is an export setting, which "spotpipe run" reads from the job file: set "visualizations" there, in each export'
      )
    })
  )
})

describe("an unknown flag elsewhere", () => {
  it.live("suggests-no-flag-that-only-shares-its-dashes-or-a-word", () =>
    Effect.gen(function* () {
      const sort = yield* firstLine(["metadata", "--sort", "x"])
      expect(sort).not.toContain("did you mean")
      const out = yield* firstLine(["ls", "answers", "--out", "x"])
      expect(out).not.toContain("did you mean")
    })
  )

  it.live("names-the-commands-that-have-it", () =>
    Effect.gen(function* () {
      expect(yield* firstLine(["answer", "X", "--viz", "Chart"])).toBe(
        'spotpipe: unknown flag --viz for "spotpipe answer" (spotpipe liveboard has --viz)'
      )
      expect(yield* firstLine(["metadata", "--sort", "x"])).toBe(
        'spotpipe: unknown flag --sort for "spotpipe metadata" (spotpipe answer, spotpipe liveboard and spotpipe search have --sort)'
      )
      expect(yield* firstLine(["ls", "answers", "--out", "x"])).toMatch(
        /^spotpipe: unknown flag --out for "spotpipe ls answers" \(spotpipe \w+, spotpipe \w+ and \d+ more have --out\)$/
      )
    })
  )

  it.live("still-suggests-close-ones", () =>
    Effect.gen(function* () {
      expect(yield* firstLine(["answer", "X", "--fromat", "csv"])).toBe(
        'spotpipe: unknown flag --fromat for "spotpipe answer"; did you mean --format?'
      )
      expect(yield* firstLine(["metadata", "--hots", "x"])).toContain("did you mean --host?")
      expect(yield* firstLine(["answer", "X", "--output", "x"])).toContain("did you mean --out or --output-name?")
    })
  )
})
