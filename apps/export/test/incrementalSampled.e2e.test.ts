/**
 * An incremental answer or search whose cluster returns a sample (`sampling_ratio` < 1), end to end (the built CLI
 * against a loopback sandbox, whose "Sampled Orders" answer reports 0.5; a search's sample through a proxy that
 * rewrites the ratio, as the sandbox's searches are whole): the rows the sample leaves out are not written, so
 * the watermark stays at the run's starting point — a `--since last` run reads from there again rather than past
 * rows no run wrote — and the run says so, on stderr and in the output's manifest entry. Runs are in-process but
 * one, the answer's first run as users run it (a process of the built CLI).
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { linesIn as lines, manifestIn, watermarksIn as marks, sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }

const shared = testSandbox({ rows: 400 })

const tempDir = tempFolders("spotpipe-incremental-sampled-")

describe("answer --since-column on a sampled result", () => {
  it("keeps the watermark at the starting point and says why, on stderr and in the manifest", timeout, async () => {
    const env = sandboxEnv(shared.sandbox)
    const dir = tempDir()
    const answer = (since: string, run: typeof runCli | typeof runCliInProcess = runCliInProcess) =>
      run(
        [
          "answer",
          "Sampled Orders",
          "--format",
          "ndjson",
          "--out",
          dir,
          "--force",
          "--since-column",
          "Order ID",
          "--since",
          since
        ],
        { env }
      )
    // As users run it: a process of the built CLI.
    const first = await answer("0", runCli)
    expect(first.code, first.stderr).toBe(0)
    expect(lines(NodePath.join(dir, "answer-Sampled Orders.ndjson")).length).toBeGreaterThan(0)
    expect(marks(dir)).toEqual([expect.objectContaining({ kind: "column", column: "Order ID", value: "0" })])
    const said = "the cluster returns a sample of its result (sampling_ratio 0.5)"
    expect(first.stderr).toContain(said)
    const manifest = manifestIn<{ outputs: Array<{ warnings: ReadonlyArray<string> }> }>(dir)
    expect(manifest.outputs[0]!.warnings).toEqual(expect.arrayContaining([expect.stringContaining(said)]))
    // The next run starts where this one did.
    const second = await answer("last")
    expect(second.code, second.stderr).toBe(0)
    expect(marks(dir)).toEqual([expect.objectContaining({ value: "0" })])
  })
})

describe("search --since-column on a sampled result", () => {
  it("keeps the watermark at the starting point and says why, on stderr and in the manifest", timeout, async () => {
    const proxy = await startRewritingProxy(shared.sandbox.url, {
      response: (text, { url }) =>
        url.includes("searchdata") ? text.replace('"sampling_ratio":1', '"sampling_ratio":0.25') : text
    })
    try {
      const env = { ...sandboxEnv(shared.sandbox), THOUGHTSPOT_HOST: proxy.url }
      const dir = tempDir()
      const run = await runCliInProcess(
        [
          "search",
          "--table",
          "Orders",
          "--query",
          "[Order ID] [Revenue] sort by [Order ID]",
          "--out",
          dir,
          "--since-column",
          "Order ID",
          "--since",
          "5"
        ],
        { env }
      )
      expect(run.code, run.stderr).toBe(0)
      const said = "the cluster returns a sample of its result (sampling_ratio 0.25)"
      expect(run.stderr).toContain(said)
      expect(marks(dir)).toEqual([expect.objectContaining({ kind: "column", column: "Order ID", value: "5" })])
      const manifest = manifestIn<{ outputs: Array<{ warnings: ReadonlyArray<string> }> }>(dir)
      expect(manifest.outputs[0]!.warnings).toEqual(expect.arrayContaining([expect.stringContaining(said)]))
    } finally {
      await proxy.close()
    }
  })
})
