/**
 * `spotpipe audit`: the examples of its help, run in order into one folder as a newcomer copies them, all succeed;
 * and a range that ends before it starts says what to do — after `--since last` with an `--until` before now, when
 * the same command works and which later `--until` does now; with two times, which to change.
 */
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-audit-range-")
const sandbox = testSandbox({ rows: 50 })
const timeout = { timeout: 60_000 }

describe("audit", () => {
  it("help-examples-run-in-order-into-one-folder-all-succeed", timeout, async () => {
    const env = sandboxEnv(sandbox.sandbox)
    const help = await runCliInProcess(["audit", "--help"], { env })
    expect(help.code, help.stderr).toBe(0)
    const examples = help.stdout
      .slice(help.stdout.lastIndexOf("EXAMPLES"))
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line.startsWith("spotpipe audit "))
    expect(examples.length).toBeGreaterThan(1)
    const out = NodePath.join(tempDir(), "audit")
    for (const example of examples) {
      const words = example
        .split(/\s+/)
        .slice(1)
        .map((word) => (word === "./audit" ? out : word))
      const ran = await runCliInProcess([...words, "--quiet"], { env })
      expect(ran.code, `${example}: ${ran.stderr}`).toBe(0)
    }
  })

  it("since-last-past-this-until-says-when-the-command-works-and-which-until-does-now", timeout, async () => {
    const env = sandboxEnv(sandbox.sandbox)
    const out = tempDir()
    const first = await runCliInProcess(["audit", "--since", "30d", "--format", "ndjson", "--out", out, "--quiet"], {
      env
    })
    expect(first.code, first.stderr).toBe(0)
    const next = await runCliInProcess(["audit", "--since", "last", "--until", "1h", "--out", out, "--force"], { env })
    expect(next.code).toBe(2)
    const said = next.stderr.match(
      /ended at (\S+), later than this --until: run it again from (\S+) on \((\d+) minutes from now\)/
    )
    expect(said, next.stderr).not.toBeNull()
    // An hour on from the previous end, as --until 1h is an hour before now.
    expect(Date.parse(said![2]!) - Date.parse(said![1]!)).toBeGreaterThan(59 * 60_000)
    expect(next.stderr).toContain(
      "when this --until has reached that end, or give a later --until (--until now, or any time from"
    )
    const now = await runCliInProcess(
      ["audit", "--since", "last", "--until", "now", "--out", out, "--force", "--quiet"],
      {
        env
      }
    )
    expect(now.code, now.stderr).toBe(0)
  })

  it("two-times-in-the-wrong-order-say-which-to-change", timeout, async () => {
    const ran = await runCliInProcess(["audit", "--since", "1h", "--until", "2h", "--out", tempDir()], {
      env: sandboxEnv(sandbox.sandbox)
    })
    expect(ran.code).toBe(2)
    expect(ran.stderr).toContain("give --since a time before --until, or give a later --until")
  })
})
