/**
 * A list flag with an empty item (`--orgs 0,,1`, `--type ANSWER,`) is refused (exit 2) before anything is asked:
 * most often a shell variable that expanded to nothing, whose value was left out without a word.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"

describe("list flags with an empty item", () => {
  it.live("are-refused-naming-the-flag-and-the-empty-item", () =>
    Effect.gen(function* () {
      for (const [args, flag, text] of [
        [["metadata", "--sandbox", "--type", "ANSWER,", "--dry-run"], "type", "ANSWER,"],
        [["metadata", "--sandbox", "--orgs", "0,,1", "--dry-run"], "orgs", "0,,1"],
        [["tml", "--sandbox", "--type", ",ANSWER", "--dry-run"], "type", ",ANSWER"],
        [
          ["answer", "Revenue by Month", "--sandbox", "--ddl", "duckdb, ,postgres", "--dry-run"],
          "ddl",
          "duckdb, ,postgres"
        ],
        [["liveboard", "Sales Overview", "--sandbox", "--viz", "a,,b", "--dry-run"], "viz", "a,,b"],
        [["load", "./nowhere", "--into", "duckdb:x.duckdb", "--mode", "merge", "--key", "id,"], "key", "id,"]
      ] as const) {
        const run = yield* runInProcess([...args], {})
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain(
          `--${flag} ${JSON.stringify(text)} has an empty item (two commas in a row, or one at an end: a variable that was empty?)`
        )
      }
      // Spaces around items stay fine.
      const spaced = yield* runInProcess(["metadata", "--sandbox", "--type", " ANSWER , LIVEBOARD ", "--dry-run"], {})
      expect(spaced.code, spaced.stderr).toBe(0)
    })
  )
})
