/**
 * One stop signal delivered twice (coreutils `timeout -s TERM` signals the run, then its process group) is one
 * signal: the run cleans up as after one, revoking its token, rather than stopping at once.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { startCli, waitFor } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-doubled-signal-")
const revocations: Array<string> = []
let slow: RunningSandbox

beforeAll(async () => {
  slow = await startSandbox({
    rows: 20_000,
    faults: { routes: { "*": { latencyMs: 150 } } },
    log: (line) => {
      if (line.includes("auth/token/revoke")) revocations.push(line)
    }
  })
})

afterAll(async () => {
  await slow?.close()
})

describe("a signal delivered twice", () => {
  it("a-sigterm-sent-to-the-run-and-again-to-its-group-cleans-up-once-and-revokes", { timeout: 60_000 }, async () => {
    const dir = tempDir()
    const run = startCli(["answer", "Order Details", "--page-size", "500", "--out", dir], {
      PATH: process.env["PATH"] ?? "",
      HOME: process.env["HOME"] ?? "/tmp",
      THOUGHTSPOT_HOST: slow.url,
      THOUGHTSPOT_USERNAME: fixtures.user.username,
      THOUGHTSPOT_PASSWORD: fixtures.user.password
    })
    const state = NodePath.join(dir, ".spotpipe-state")
    await waitFor(
      () => NodeFs.existsSync(state) && NodeFs.readdirSync(state).some((f) => f.endsWith(".partial")),
      run.stderr
    )
    revocations.length = 0
    // As `timeout` does: the run first, then its process group, which it is in.
    run.child.kill("SIGTERM")
    run.child.kill("SIGTERM")
    expect(await run.exited).toBe(143)
    expect(run.stderr()).not.toContain("stopped at once")
    expect(run.stderr()).toContain("spotpipe: interrupted")
    expect(revocations.length).toBe(1)
  })
})
