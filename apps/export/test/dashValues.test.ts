/**
 * A flag's value that starts with `-` (`--null-string -x`, `--timezone -08:00`): taken as the value when the word is
 * no flag of the command, where effect/cli alone calls it an unknown flag; a word that is a flag stays one. The
 * built-in flags that end a run (`-h`, `--version`) right after a flag that takes a value are that value, checked
 * as any other: they never print help or the version with exit 0 where a value was left out.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { NodeServices } from "@effect/platform-node"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { Command } from "effect/cli"
import { spotpipe } from "../src/cli/Cli.ts"
import { actionFlagNames } from "../src/cli/Flags.ts"
import { helpDocOf, joinDashValues } from "../src/cli/Program.ts"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-dash-")

// Never reached: each run here is refused before a request, or uses --sandbox.
const cluster = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_USERNAME: "ana", THOUGHTSPOT_PASSWORD: "pw-Zx81" }

const manifestOf = (dir: string) => {
  const name = NodeFs.readdirSync(dir).find((file) => file.startsWith("manifest") && file.endsWith(".json"))
  if (name === undefined) throw new Error(`no manifest in ${dir}`)
  return JSON.parse(NodeFs.readFileSync(NodePath.join(dir, name), "utf8")) as Record<string, unknown>
}

describe("a flag value that starts with a dash", () => {
  it.live("is-the-flags-value-without-an-equals-sign", () =>
    Effect.gen(function* () {
      const out = tempDir()
      const run = yield* runInProcess([
        "metadata",
        "--sandbox",
        "--null-string",
        "-x",
        "--timezone",
        "-08:00",
        "--out",
        out,
        "--quiet"
      ])
      expect(run.code, run.stderr).toBe(0)
      const manifest = manifestOf(out)
      expect(JSON.stringify(manifest)).toContain('"null_string":"-x"')
      expect(JSON.stringify(manifest)).toContain("-08:00")
    })
  )

  it.live("that-is-a-flag-of-the-command-stays-a-flag", () =>
    Effect.gen(function* () {
      // `-f` is `spotpipe api`'s own flag: --input's value is missing, not `-f`.
      const run = yield* runInProcess(["api", "GET", "system", "--input", "-f", "a=b"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("spotpipe: --input needs a value")
    })
  )

  it.live("with-two-dashes-stays-a-flag-and-the-message-says-how-to-give-it-as-a-value", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess(["answer", "A", "--null-string", "--x"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(
        'spotpipe: unknown flag --x for "spotpipe answer"; if it is the value of --null-string, give it as --null-string=--x'
      )
    })
  )

  it.live("after-the-end-of-flags-is-an-argument", () =>
    Effect.gen(function* () {
      // Words after `--` are never joined to a flag before it.
      const run = yield* runInProcess(["answer", "--out", "--", "-x"], cluster)
      expect(run.code).toBe(2)
      expect(run.stderr).toContain("--out needs a value")
    })
  )

  it.live("a-built-in-flag-after-a-flag-that-takes-a-value-is-that-value-on-every-command", () =>
    Effect.gen(function* () {
      // Every command of the tree, with each flag of it that takes a value (its own and the global ones).
      const paths: Array<ReadonlyArray<string>> = []
      const walk = (command: Command.Command.Any, path: ReadonlyArray<string>) => {
        paths.push(path)
        for (const sub of command.subcommands.flatMap((group) => group.commands)) walk(sub, [...path, sub.name])
      }
      walk(spotpipe, [])
      expect(paths.length).toBeGreaterThan(20)
      // The built-in flags that act are all taken as values: every global flag but the one setting, --log-level.
      const root = yield* helpDocOf([])
      const acting = (root?.globalFlags ?? [])
        .filter((flag) => flag.name !== "log-level")
        .flatMap((flag) => [`--${flag.name}`, ...flag.aliases.map((a) => (a.startsWith("-") ? a : `-${a}`))])
      expect(new Set(acting)).toEqual(actionFlagNames)
      let checked = 0
      for (const path of paths) {
        const doc = yield* helpDocOf(path)
        if (doc === undefined) throw new Error(`no help for spotpipe ${path.join(" ")}`)
        const valued = [...doc.flags, ...(doc.globalFlags ?? [])].filter((flag) => flag.type !== "boolean")
        for (const flag of valued) {
          for (const builtIn of actionFlagNames) {
            const joined = yield* joinDashValues([...path, `--${flag.name}`, builtIn])
            expect(joined, `spotpipe ${path.join(" ")} --${flag.name} ${builtIn}`).toEqual([
              ...path,
              `--${flag.name}=${builtIn}`
            ])
            checked++
          }
        }
      }
      expect(checked).toBeGreaterThan(100)
    }).pipe(Effect.provide(NodeServices.layer))
  )

  it.live("a-job-run-left-out-before-v-is-a-usage-error-not-the-version", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const job = NodePath.join(dir, "job.json")
      NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }] }))
      const run = yield* runInProcess(["run", job, "--sandbox", "--out", dir, "--job-run", "-v"])
      expect(run.code, run.stderr).toBe(2)
      expect(run.stdout).toBe("")
      expect(run.stderr).toContain(`spotpipe: --job-run is "-v", which starts with - as a flag does`)
      expect(NodeFs.readdirSync(dir)).toEqual(["job.json"])
    })
  )

  it.live("help-after-a-flag-that-takes-a-value-is-that-value", () =>
    Effect.gen(function* () {
      // --null-string takes any text: -h is written for nulls, and the export runs.
      const out = tempDir()
      const run = yield* runInProcess([
        "answer",
        "Revenue by Month",
        "--sandbox",
        "--out",
        out,
        "--quiet",
        "--null-string",
        "-h"
      ])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).not.toContain("USAGE")
      expect(JSON.stringify(manifestOf(out))).toContain('"null_string":"-h"')
      // Nor does --wizard start a wizard there (which without a terminal is refused).
      const wizard = yield* runInProcess([
        "answer",
        "Revenue by Month",
        "--sandbox",
        "--dry-run",
        "--null-string",
        "--wizard"
      ])
      expect(wizard.code, wizard.stderr).toBe(0)
      expect(wizard.stdout).toContain("Revenue by Month")
      // Checked as the flag checks any value.
      const zone = yield* runInProcess(["answer", "A", "--timezone", "--help"], cluster)
      expect(zone.code).toBe(2)
      expect(zone.stdout).toBe("")
      expect(zone.stderr).toContain("--timezone --help must be an IANA name")
    })
  )

  it.live("a-folder-or-file-name-that-is-a-built-in-flag-is-refused", () =>
    Effect.gen(function* () {
      for (const [args, flag, value] of [
        [["answer", "A", "--out", "--help"], "--out", "--help"],
        [["answer", "A", "--output-name", "-v"], "--output-name", "-v"],
        [["demo", "--out", "-h"], "--out", "-h"]
      ] as const) {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, args.join(" ")).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toContain(
          `spotpipe: ${flag} ${value}: ${value} is taken as the value of ${flag}, not as a flag; give ${flag} its value (${flag} ./${value} for a name like that)`
        )
      }
    })
  )

  it.live("help-and-version-elsewhere-still-print-and-exit-0", () =>
    Effect.gen(function* () {
      for (const args of [
        ["-h"],
        ["--help"],
        ["answer", "-h"],
        ["answer", "A", "--help"],
        ["answer", "A", "--null-string=x", "-h"],
        ["run", "job.json", "--resume", "-h"]
      ]) {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, args.join(" ")).toBe(0)
        expect(run.stdout, args.join(" ")).toContain("USAGE")
      }
      for (const args of [["--version"], ["-v"]]) {
        const run = yield* runInProcess(args, cluster)
        expect(run.code, args.join(" ")).toBe(0)
        expect(run.stdout).toMatch(/^spotpipe v\d/)
      }
    })
  )
})
