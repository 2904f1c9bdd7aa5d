/**
 * `--datetime-offset zone` as the README describes it: the data zone's offset on each DATE_TIME, and `Z` where that
 * offset is zero, so a column in a zone with summer time holds both forms.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"

describe("--datetime-offset zone", () => {
  it.live("writes-a-zero-offset-as-z-so-a-london-column-mixes-z-and-plus-01-00", () =>
    Effect.gen(function* () {
      const run = yield* runInProcess([
        "metadata",
        "--sandbox",
        "--out",
        "-",
        "--datetime-offset",
        "zone",
        "--timezone",
        "Europe/London"
      ])
      expect(run.code, run.stderr).toBe(0)
      // Every DATE_TIME cell of the listing (created, modified).
      const times = run.stdout.match(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)/g) ?? []
      expect(times.some((t) => t?.endsWith("Z"))).toBe(true)
      expect(times.some((t) => t?.endsWith("+01:00"))).toBe(true)
      expect(run.stdout).not.toContain("+00:00")
    })
  )
})
