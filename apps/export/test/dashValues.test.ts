/**
 * A flag's value that starts with `-` (`--null-string -x`, `--timezone -08:00`): taken as the value when the word is
 * no flag of the command, where effect/cli alone calls it an unknown flag; a word that is a flag stays one.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
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
})
