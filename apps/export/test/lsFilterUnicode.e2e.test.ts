/**
 * `spotpipe ls --filter` compares names in NFC, as TML file names are written: a pattern typed with a decomposed
 * "ä" (a + combining diaeresis, as macOS and some terminals give it) matches a name ThoughtSpot sends composed,
 * as a substring and as a glob (`?` is the one character either way). The name comes through a loopback proxy
 * that renames a sandbox liveboard.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { type RenamingProxy, startRenamingProxy } from "./support/RenamingProxy.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"

const timeout = { timeout: 60_000 }
const composed = "Sales Overview \u2014 \u00c4rchive"

let sandbox: RunningSandbox
let proxy: RenamingProxy

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 })
  proxy = await startRenamingProxy(sandbox.url, [["Sales Overview", composed]])
})

afterAll(async () => {
  await proxy?.close()
  await sandbox?.close()
})

describe("ls --filter and Unicode", () => {
  it("a-decomposed-pattern-matches-a-composed-name", timeout, async () => {
    for (const pattern of ["a\u0308rch", "*\u2014 A\u0308rchive", "*\u2014 ?rchive"]) {
      const run = await runCliInProcess(["ls", "liveboards", "--filter", pattern, "--json"], {
        env: sandboxEnv(proxy)
      })
      expect(run.code, run.stderr).toBe(0)
      const names = run.stdout
        .trimEnd()
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => (JSON.parse(line) as { name: string }).name)
      expect(names, pattern).toEqual([composed])
    }
  })
})
