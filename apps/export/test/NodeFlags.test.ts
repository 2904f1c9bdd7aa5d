/** The lean-memory V8 flags are accepted by this Node and bound the heap the way `NodeFlags.ts` says. */
import { spawnSync } from "node:child_process"
import { describe, expect, it } from "@effect/vitest"
import * as NodeFlags from "../src/cli/NodeFlags.ts"

// A child allocates like a paged read: a page of ~400 000 small live objects at a time, 12 pages in turn, and
// reports the largest young-generation size and the peak heap it saw.
const workload = `
const v8 = require("node:v8")
let page = [], peakNew = 0, peakHeap = 0
for (let p = 0; p < 12; p++) {
  page = []
  for (let i = 0; i < 400000; i++) page.push([i, "cell " + i, i * 1.5])
  const spaces = v8.getHeapSpaceStatistics()
  peakNew = Math.max(peakNew, spaces.find((s) => s.space_name === "new_space").space_size)
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapTotal)
}
console.log(JSON.stringify({ peakNew, peakHeap, flags: process.execArgv }))
`
const run = (flags: ReadonlyArray<string>) => {
  const child = spawnSync(process.execPath, [...flags, "-e", workload], { encoding: "utf8" })
  expect(child.status, child.stderr).toBe(0)
  return JSON.parse(child.stdout) as { peakNew: number; peakHeap: number; flags: Array<string> }
}

describe("NodeFlags", () => {
  it("lean-memory-flags-cap-the-young-generation-and-the-heap", () => {
    // Node accepts both flags (an unknown one would stop the child) and they reach V8 …
    const lean = run(NodeFlags.leanMemory)
    expect(lean.flags).toEqual([...NodeFlags.leanMemory, "-e", workload])
    // … which keeps the young generation near two semi-spaces of 32 MB (V8 may briefly hold a few pages more),
    // below the 2 × 64 MB it grows to without the flag when it sees this much surviving data (when it grows
    // depends on timing, so that side is not asserted).
    expect(lean.peakNew).toBeLessThan(80 * 2 ** 20)
    expect(lean.peakHeap).toBeGreaterThan(0)
  })

  it("is-running-with-reads-exec-argv", () => {
    expect(NodeFlags.isRunningWith([])).toBe(true)
    expect(NodeFlags.isRunningWith(["--no-such-flag-was-given"])).toBe(false)
  })
})
