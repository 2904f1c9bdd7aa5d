/**
 * `--modified-since last` after a first full run (the built CLI, in-process, against a loopback sandbox): a full
 * `tml` run records the watermark of its listing (every object seen), so the next `last` run writes the TML of
 * exactly the objects changed since; a full `metadata` run records none, and `last` after it says so and what to
 * give, rather than that there was no earlier run.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { manifestIn, sandboxEnv, testSandbox, watermarksIn } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const shared = testSandbox()
const tempDir = tempFolders("spotpipe-incremental-after-full-")

interface Manifest {
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly source: { readonly id: string | null; readonly query: string | null }
    readonly watermark?: { readonly kind: string; readonly value: string }
  }>
}

describe("--modified-since last after a full run", () => {
  it(
    "tml-full-run-records-its-listings-watermark-and-last-then-writes-exactly-the-changed-objects",
    timeout,
    async () => {
      const dir = tempDir()
      const env = sandboxEnv(shared.sandbox)
      const tml = (...more: Array<string>) =>
        runCliInProcess(["tml", "--type", "ANSWER,LIVEBOARD", "--out", dir, "--quiet", "--force", ...more], { env })
      const sources = () =>
        manifestIn<Manifest>(dir)
          .outputs.map((o) => o.source.id!)
          .sort()

      const full = await tml()
      expect(full.code, full.stderr).toBe(0)
      const all = sources()
      expect(all.length).toBeGreaterThan(3)
      const marks = watermarksIn(dir)
      expect(marks.map((m) => m.kind)).toEqual(["modified"])
      expect(Number.isNaN(Date.parse(marks[0]!.value))).toBe(false)
      expect(manifestIn<Manifest>(dir).outputs.every((o) => o.watermark?.value === marks[0]!.value)).toBe(true)

      const chosen = [all[0]!, all[all.length - 1]!]
      shared.sandbox.touch(chosen)
      const next = await tml("--modified-since", "last")
      expect(next.code, next.stderr).toBe(0)
      expect(sources()).toEqual([...chosen].sort())
      for (const output of manifestIn<Manifest>(dir).outputs) {
        expect(output.source.query).toBe(`modified >= ${marks[0]!.value}`)
        expect(NodeFs.existsSync(NodePath.join(dir, output.file))).toBe(true)
      }
    }
  )

  it("metadata-full-run-records-none-and-last-says-so-and-what-to-give", timeout, async () => {
    const dir = tempDir()
    const env = sandboxEnv(shared.sandbox)
    const metadata = (...more: Array<string>) =>
      runCliInProcess(["metadata", "--type", "ANSWER", "--out", dir, "--quiet", "--force", ...more], { env })
    const full = await metadata()
    expect(full.code, full.stderr).toBe(0)
    const next = await metadata("--modified-since", "last")
    expect(next.code).toBe(2)
    expect(next.stderr).toContain(
      `metadata (ANSWER): --modified-since last needs an earlier successful run of this export into ${dir}, and ${dir}/.spotpipe-state/watermarks.json holds none (a run without --modified-since, or one that failed, records none): give --modified-since a starting point for the first run`
    )
  })
})
