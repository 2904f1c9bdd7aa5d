/**
 * A stop signal that comes while the `spotpipe` process is still loading its modules (a Ctrl-C right after Enter):
 * Node's default would end it silently, with no word of what it left. The process is held as its entry point
 * imports the rest (support/holdEntryImport.mjs), the signal sent then, and the process let go: the run then
 * stops as a signal stops it anywhere else.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "./support/inProcess.ts"
import { cliEnv, mainPath, mainWithDuckDbPath } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-early-")
const holdHook = fileURLToPath(new URL("./support/holdEntryImport.mjs", import.meta.url))

/** Runs `spotpipe args…` held as it loads, sends `signal` during the hold, and resolves with how it ended. */
const signalWhileLoading = (args: ReadonlyArray<string>, signal: NodeJS.Signals, bin = mainPath) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
    const hold = NodePath.join(tempDir(), "hold")
    const child = spawn(process.execPath, ["--import", holdHook, bin, ...args], {
      env: cliEnv({ SPOTPIPE_HOLD_ENTRY_IMPORT: hold }),
      stdio: ["ignore", "ignore", "pipe"]
    })
    let stderr = ""
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    const guard = setTimeout(() => child.kill("SIGKILL"), 45_000)
    const poll = setInterval(() => {
      if (!NodeFs.existsSync(hold)) return
      clearInterval(poll)
      child.kill(signal)
      NodeFs.rmSync(hold)
    }, 10)
    child.on("error", reject)
    child.on("close", (code, by) => {
      clearTimeout(guard)
      clearInterval(poll)
      resolve({ code, signal: by, stderr })
    })
  })

describe("a stop signal while the CLI loads", () => {
  it("sigint-stops-a-load-with-130-saying-nothing-was-loaded", { timeout: 60_000 }, async () => {
    const run = tempDir()
    const exported = await runCliInProcess(["metadata", "--sandbox", "--out", run, "--quiet"])
    expect(exported.code, exported.stderr).toBe(0)
    const database = NodePath.join(tempDir(), "warehouse.duckdb")
    const load = await signalWhileLoading(["load", run, "--into", `duckdb:${database}`], "SIGINT", mainWithDuckDbPath)
    expect(load.signal).toBe(null)
    expect(load.code, load.stderr).toBe(130)
    expect(load.stderr.trimEnd().split("\n").at(-1)).toMatch(/^spotpipe: interrupted; nothing was loaded/)
  })

  it("sigterm-stops-an-export-with-143-and-json-logs-say-so-in-one-line", { timeout: 60_000 }, async () => {
    const out = tempDir()
    const run = await signalWhileLoading(["metadata", "--sandbox", "--out", out, "--log-format", "json"], "SIGTERM")
    expect(run.signal).toBe(null)
    expect(run.code, run.stderr).toBe(143)
    const last = JSON.parse(run.stderr.trimEnd().split("\n").at(-1) ?? "")
    expect(last.message).toBe("spotpipe: interrupted; no partial file was published")
    expect(last.exit_code).toBe(143)
    expect(NodeFs.readdirSync(out)).toEqual([])
  })
})
