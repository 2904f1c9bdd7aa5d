/**
 * One check of a job file reports every mistake it holds: an inline secret does not hide the other fields'
 * problems, nor do those hide the checks between fields (an output name with its extension) or the host's.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { JobFileError, parseJobFile } from "../../src/plan/JobFile.ts"
import { runInProcess } from "../support/inProcess.ts"
import { tempFolders } from "../support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-job-all-")

const secret = "hunter2-Zq"

/** A job file with six mistakes in five places, one of them a password written inline. */
const sixMistakes = JSON.stringify({
  connection: { host: `https://alice:${secret}@ts.example.com` },
  defaults: { pagesize: 100 },
  exports: [
    { type: "answer", id: "Revenue by Month", password: secret },
    { type: "search", table: "Orders", query: "[Region]", visualizations: ["Revenue by Region"] },
    { type: "answer", id: "Sales", pageSize: "500" },
    { type: "answer", id: "Other", output: "a.csv" }
  ]
})

const problemsOf = (text: string) => {
  const exit = parseJobFile(text, "job.json")
  if (Exit.isSuccess(exit)) throw new Error("expected the job file to be refused")
  const reason = exit.cause.reasons.find((r) => r._tag === "Fail")
  if (reason === undefined || reason._tag !== "Fail") throw new Error("expected a typed failure")
  expect(reason.error).toBeInstanceOf(JobFileError)
  return reason.error
}

describe("a job file's mistakes are reported at once", () => {
  it("a-secret-a-bad-field-a-bad-output-and-a-host-with-a-password-are-all-reported-in-one-pass", () => {
    const error = problemsOf(sixMistakes)
    expect(error.problems.map((p) => p.path)).toEqual([
      "connection.host",
      "defaults.pagesize",
      "exports[0].password",
      "exports[1].visualizations",
      "exports[2].pageSize",
      "exports[3].output"
    ])
    expect(error.problems[0]!.message).toBe(
      'the host must not contain a user name or password: name the user with "username" (or "usernameEnv") and the variable that holds the password with "passwordEnv" in "connection"'
    )
    expect(error.problems[2]!.message).toMatch(/^secrets must not be written in a job file/)
    // The secret key is a secret, reported once: not a second time as an unknown key.
    expect(error.problems.filter((p) => p.path === "exports[0].password")).toHaveLength(1)
    expect(error.message).not.toContain(secret)
    expect(error.message).not.toContain("alice")
  })

  it("a-key-given-twice-is-reported-with-the-other-mistakes", () => {
    const text = '{"exports": [{"type": "answer", "id": "A", "format": "csv", "format": "xlsx", "token": "t"}]}'
    expect(problemsOf(text).problems).toEqual([
      {
        path: "exports[0].format",
        message: "is given twice in one object, and only the last would count: keep one (merge the two if both matter)"
      },
      { path: "exports[0].token", message: expect.stringMatching(/^secrets must not be written in a job file/) },
      { path: "exports[0].format", message: "must be csv, ndjson or parquet (any case)" }
    ])
  })

  it("a-check-that-needs-a-default-waits-for-it-to-be-valid", () => {
    // With "format" not valid, whether "a.ndjson" names its extension is not known: no guess either way.
    const { problems } = problemsOf(
      JSON.stringify({
        defaults: { format: "ndjsn" },
        exports: [
          { type: "answer", id: "A", output: "a.ndjson" },
          { type: "answer", id: "B", format: "csv", output: "b.csv" }
        ]
      })
    )
    expect(problems.map((p) => p.path)).toEqual(["defaults.format", "exports[1].output"])
  })

  it.effect("spotpipe-run-says-every-mistake-with-exit-2-before-any-request", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const job = NodePath.join(dir, "job.json")
      NodeFs.writeFileSync(job, sixMistakes)
      const run = yield* runInProcess(["run", job, "--out", NodePath.join(dir, "out")])
      expect(run.code).toBe(2)
      for (const path of ["connection.host", "defaults.pagesize", "exports[0].password", "exports[3].output"]) {
        expect(run.stderr).toContain(path)
      }
      expect(run.stderr).not.toContain(secret)
      expect(NodeFs.existsSync(NodePath.join(dir, "out"))).toBe(false)
    })
  )
})
