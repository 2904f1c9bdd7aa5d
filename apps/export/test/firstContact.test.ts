/**
 * What a newcomer types on a first try and gets wrong: a flag before its command, an empty value from an unset
 * shell variable, the demo pointed at stdout. Each gets a usage error that says what happened, before any request:
 * the configured host is unreachable, so reaching it would be exit 1.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"

// No request may happen: this host is never reachable, so reaching it would fail with exit 1, not 2.
const cluster = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }

describe("a flag given before its command", () => {
  for (const [args, flag, command] of [
    [["--sandbox", "answer", "Revenue by Month"], "--sandbox", "spotpipe answer"],
    [["--format", "ndjson", "answer", "A", "--out", "-"], "--format", "spotpipe answer"],
    [["--out=./x", "metadata"], "--out", "spotpipe metadata"],
    [["ls", "--quiet", "answers"], "--quiet", "spotpipe ls answers"],
    [["-f", "a=b", "api", "GET", "system"], "-f", "spotpipe api"]
  ] as const) {
    it.live(`is-said-to-go-after-the-command-not-called-unknown: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toBe(
          `spotpipe: ${flag} is given before "${command.split(" ").at(-1)}": a command's flags go after its name (${command} … ${flag}); run "${command} --help" for usage`
        )
      })
    )
  }

  it.live("that-is-no-flag-of-the-command-either-is-still-unknown", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["--output", "x", "answer", "A"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('unknown flag --output for "spotpipe"')
    })
  )

  it.live("a-global-flag-before-the-command-still-works", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["--log-level", "debug", "answer", "A", "--format", "xlsx"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("--format csv, ndjson or parquet")
    })
  )
})

describe("a mistyped short flag", () => {
  it.live("suggests-the-short-flags-as-they-are-typed", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["api", "GET", "system", "-g", "a=b"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain('unknown flag -g for "spotpipe api"; did you mean -f, -F or -h?')
    })
  )
})

describe("an empty connection flag (a shell variable that is not set)", () => {
  for (const [flag, says] of [
    ["--host", "--host is empty: give the cluster's URL"],
    ["--username", "--username is empty: give the ThoughtSpot user"],
    ["--password-file", "--password-file is empty: give the path of the file"]
  ] as const) {
    it.live(`${flag}-empty-is-refused-as-empty-not-as-missing-when-the-environment-gives-it`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(["ls", "answers", flag, ""], cluster)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(says)
        // THOUGHTSPOT_HOST and THOUGHTSPOT_USERNAME are set: "set THOUGHTSPOT_HOST" would not help.
        expect(run.stderr).not.toContain("no ThoughtSpot host")
        expect(run.stderr).not.toContain("no user for the password")
      })
    )
  }
})

describe("the demo's --out", () => {
  for (const [out, says] of [
    ["-", "spotpipe demo writes many files: give --out a folder, not -"],
    ["", "--out is empty: give a folder"]
  ] as const) {
    it.live(`${out === "" ? "empty" : "stdout"}-is-a-usage-error-before-the-sandbox-starts`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(["demo", "--out", out])
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(says)
        expect(run.stderr).not.toContain("--viz")
      })
    )
  }
})
