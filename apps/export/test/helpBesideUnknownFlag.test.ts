/**
 * `-h`, `--help`, `-v` and `--version` end a run with help or the version: beside a mistyped flag they no longer
 * hide it (the unknown flag wins, exit 2, as without them), and `config set KEY VALUE` takes `-v` or `-h` as VALUE.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-help-typo-")

// Never reached: each run here is refused or answered before a request.
const cluster = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }

describe("a help or version flag beside an unknown flag", () => {
  for (const [args, line] of [
    [["answer", "X", "--fromat", "-h"], 'unknown flag --fromat for "spotpipe answer"; did you mean --format?'],
    [["answer", "X", "--bogus", "--version"], 'unknown flag --bogus for "spotpipe answer"'],
    [["answer", "X", "--viz", "-h"], 'unknown flag --viz for "spotpipe answer"'],
    [["-h", "answer", "X", "--fromat"], 'unknown flag --fromat for "spotpipe answer"'],
    [["metadata", "--help", "--typ", "ANSWER"], 'unknown flag --typ for "spotpipe metadata"'],
    // A cluster of one-letter flags is its letters: -z is unknown, whatever -v and -h beside it do.
    [["answer", "X", "-zv"], 'unknown flag -z for "spotpipe answer"'],
    [["answer", "X", "-zh"], 'unknown flag -z for "spotpipe answer"'],
    // Any word of one dash is read letter by letter: a value written against -o (another tool's habit) held a v.
    [["answer", "X", "-o/tmp/v.csv"], 'unknown flag -o for "spotpipe answer"; did you mean --out'],
    [["answer", "X", "-ov=1"], 'unknown flag -o for "spotpipe answer"']
  ] as const) {
    it.live(`is-a-usage-error-naming-the-unknown-flag: ${args.join(" ")}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, run.stdout).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(`spotpipe: ${line}`)
        // Only the word's first letter is worth a line: the rest are the value's characters.
        expect(run.stderr.match(/unknown flag/g)).toHaveLength(1)
      })
    )
  }

  it.live("alone-still-shows-help-and-the-version", () =>
    Effect.gen(function* () {
      const help = yield* runInProcess(["answer", "X", "-h"], cluster)
      expect(help.code).toBe(0)
      expect(help.stdout).toContain("Export the data of a saved answer")
      const version = yield* runInProcess(["answer", "X", "--version"], cluster)
      expect(version.code).toBe(0)
      expect(version.stdout).toMatch(/^spotpipe v\d/)
    })
  )
})

describe("config set KEY VALUE with a VALUE that looks like a flag", () => {
  it.live("saves--v-as-the-value", () =>
    Effect.gen(function* () {
      const file = NodePath.join(tempDir(), "config.json")
      const run = yield* runInProcess(["config", "set", "username", "-v", "--profile", "p"], { SPOTPIPE_CONFIG: file })
      expect(run.code, run.stderr).toBe(0)
      expect(JSON.parse(NodeFs.readFileSync(file, "utf8")).profiles.p.username).toBe("-v")
    })
  )

  it.live("checks--h-as-the-value-instead-of-showing-help", () =>
    Effect.gen(function* () {
      const file = NodePath.join(tempDir(), "config.json")
      const run = yield* runInProcess(["config", "set", "org-id", "-h", "--profile", "p"], { SPOTPIPE_CONFIG: file })
      expect(run.code).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain('org-id "-h" is not a whole number')
      expect(NodeFs.existsSync(file)).toBe(false)
    })
  )

  it.live("without-a-key-shows-help", () =>
    Effect.gen(function* () {
      const file = NodePath.join(tempDir(), "config.json")
      for (const args of [
        ["config", "set", "-h"],
        ["config", "-h"]
      ]) {
        const run = yield* runInProcess(args, { SPOTPIPE_CONFIG: file })
        expect(run.code).toBe(0)
        expect(run.stdout).toContain("DESCRIPTION")
      }
    })
  )
})
