/**
 * A test run leaves nothing in the OS temp folder: every project lists test/support/runTempFolder.ts first in its
 * global setup, which gives the run a folder of its own, points TMPDIR there for the tests, vitest's workers and the
 * processes they start, and removes it at the end — whatever the tests themselves clean up.
 */
import { execFile, execFileSync } from "node:child_process"
import { chmodSync, globSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { tmpdir } from "node:os"
import { basename, dirname, join, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "vitest"
import { runNode } from "../../../apps/export/test/support/runCli.ts"
import { runFolderPrefix } from "../../support/runTempFolder.ts"

const root = fileURLToPath(new URL("../../../", import.meta.url))
const setupFile = join(root, "test", "support", "runTempFolder.ts")
const fixture = fileURLToPath(new URL("fixtures/runTempFolder/", import.meta.url))

const temps: Array<string> = []
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true })
})

/** A config file's `test` options (vitest's defineConfig/defineProject return the object they are given). */
const testOptions = async (file: string): Promise<{ globalSetup?: unknown; projects?: unknown }> => {
  const loaded = (await import(file)) as { default?: { test?: { globalSetup?: unknown; projects?: unknown } } }
  if (loaded.default?.test === undefined) throw new Error(`${file} exports no config object with test options`)
  return loaded.default.test
}

describe("the run's temp folder", () => {
  it("every-project-of-the-root-config-lists-the-setup-first", async () => {
    const projects = (await testOptions(join(root, "vitest.config.ts"))).projects
    expect(Array.isArray(projects)).toBe(true)
    const files = (projects as Array<string>).flatMap((pattern) => globSync(pattern, { cwd: root })).sort()
    expect(files.length).toBeGreaterThanOrEqual(7)
    const first = await Promise.all(
      files.map(async (file) => {
        const setups = (await testOptions(join(root, file))).globalSetup
        const listed = Array.isArray(setups) ? setups[0] : undefined
        return [file, typeof listed === "string" ? resolve(root, dirname(file), listed) : listed]
      })
    )
    expect(first).toEqual(files.map((file) => [file, setupFile]))
  })

  it("tests-their-processes-and-the-cli-s-processes-use-it", async () => {
    const folder = tmpdir()
    expect(basename(folder).startsWith(runFolderPrefix)).toBe(true)
    expect(process.env["TMPDIR"]).toBe(folder)
    // The real-PostgreSQL tests' server runs as another user, which must reach its cluster's folder inside.
    expect(statSync(folder).mode & 0o777).toBe(0o755)
    const print = ["-e", "process.stdout.write(require('node:os').tmpdir())"]
    expect(execFileSync(process.execPath, print, { encoding: "utf8" })).toBe(folder)
    // runCli's processes get a clean environment, with the run's temp folder in it.
    const ran = await runNode(print)
    expect([ran.code, ran.stdout, ran.stderr]).toEqual([0, folder, ""])
  })

  it("a-run-leaves-nothing-in-the-temp-folder-it-started-with-from-forks-threads-and-their-processes", async () => {
    const outer = mkdtempSync(join(tmpdir(), "spotpipe-outer-temp-"))
    temps.push(outer)
    chmodSync(outer, 0o755)
    const vitest = join(root, "node_modules", "vitest", "vitest.mjs")
    const args = [vitest, "run", "--root", fixture, "--config", join(fixture, "vitest.config.ts"), "--reporter=dot"]
    // Nothing of vitest's own in the checkout: no result cache (node_modules/.vite), no bundled config (.vite-temp).
    args.push("--no-cache", "--configLoader=runner", "--no-fsModuleCache")
    const env = { ...process.env, TMPDIR: outer, TMP: outer, TEMP: outer, NO_COLOR: "1", FORCE_COLOR: "0" }
    const ran = await new Promise<{ code: number; output: string }>((done) => {
      execFile(process.execPath, args, { cwd: fixture, env, encoding: "utf8" }, (error, stdout, stderr) =>
        done({ code: error === null ? 0 : Number(error.code ?? 1), output: stdout + stderr })
      )
    })
    expect(ran.code, ran.output).toBe(0)
    expect(ran.output).toMatch(/Tests\s+2 passed/)
    expect(readdirSync(outer)).toEqual([])
  })
})
