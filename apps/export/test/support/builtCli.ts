/**
 * Vitest global setup of every suite that starts the `spotpipe` process (apps/export, test/chaos,
 * test/integration): builds the installable package once per test run (packCli.ts's `stagePackage`: the bundle
 * and the launcher, ~0.8 s) into a temp folder of its own, and hands its `bin/spotpipe.js` to the tests
 * (`inject("spotpipeBin")`, read by runCli.ts and test/chaos/src/SpotpipeProcess.ts), and a copy with DuckDB
 * installed beside it, as `npm install -g @duckdb/node-api` gives a user (`spotpipeBinWithDuckDb`: Parquet files
 * and DuckDB loads; the first one has none, as npm leaves an optional peer). So the tests run what users
 * install, built from the sources as they are at the start of the run (or of each rerun in watch mode); a folder
 * per build means that two test runs, or a `pnpm bundle`, never replace files under a running CLI. The projects
 * of one run share one build.
 */
import { execFile } from "node:child_process"
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The test run's build of the installable package: its `bin/spotpipe.js`. */
    spotpipeBin: string
    /** The same package with DuckDB installed beside it: its `bin/spotpipe.js`. */
    spotpipeBinWithDuckDb: string
  }
}

interface Shared {
  users: number
  /** Every folder built in this run (a rerun builds anew; a cancelled run may still use the one before). */
  readonly dirs: Array<string>
  bin: Promise<Built>
  refreshing: boolean
}

/** The two builds' launchers. */
interface Built {
  readonly bin: string
  readonly withDuckDb: string
}

/** The workspace's DuckDB packages (`@duckdb/…`, symlinks into pnpm's store). */
const duckDbScope = fileURLToPath(new URL("../../node_modules/@duckdb", import.meta.url))

/** A copy of the staged package in `dir` with DuckDB beside it; returns the copy's launcher. */
const besideDuckDb = (dir: string, bin: string): string => {
  const pkg = join(dir, "spotpipe")
  const beside = join(dir, "with-duckdb")
  cpSync(pkg, join(beside, "spotpipe"), { recursive: true })
  mkdirSync(join(beside, "node_modules"))
  symlinkSync(duckDbScope, join(beside, "node_modules", "@duckdb"), "dir")
  return join(beside, "spotpipe", relative(pkg, bin))
}

// Each project loads this file on its own; the build is shared through the process (global setup runs in the
// main process).
const key = Symbol.for("spotpipe.test.builtCli")
const registry = globalThis as { [key]?: Shared }

/**
 * Runs `packCli.ts --stage-into` in a Node process of its own (esbuild's plugin resolves with
 * `import.meta.resolve`, which the module runner that loads global setups lacks); resolves to the staged bin.
 */
const stage = (shared: Shared): Promise<Built> =>
  new Promise((resolve, reject) => {
    const dir = mkdtempSync(join(tmpdir(), "spotpipe-test-cli-"))
    shared.dirs.push(dir)
    const script = fileURLToPath(new URL("../../scripts/packCli.ts", import.meta.url))
    const args = [script, "--stage-into", join(dir, "spotpipe")]
    execFile(process.execPath, args, { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`building the CLI for the tests failed: ${error.message}\n${stderr}`))
      else {
        const bin = stdout.trim()
        resolve({ bin, withDuckDb: besideDuckDb(dir, bin) })
      }
    })
  })

const release = (shared: Shared) => {
  shared.users -= 1
  if (shared.users > 0) return
  if (registry[key] === shared) delete registry[key]
  for (const dir of shared.dirs) rmSync(dir, { recursive: true, force: true })
}

/**
 * Builds (or joins the run's build) and provides `spotpipeBin`; in watch mode each rerun builds again from the
 * sources as they are then. The last teardown removes the folders.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  let shared = registry[key]
  if (shared === undefined) {
    shared = { users: 0, dirs: [], bin: Promise.resolve({ bin: "", withDuckDb: "" }), refreshing: false }
    shared.bin = stage(shared)
    registry[key] = shared
  }
  shared.users += 1
  const own = shared
  const provide = (built: Built) => {
    project.provide("spotpipeBin", built.bin)
    project.provide("spotpipeBinWithDuckDb", built.withDuckDb)
  }
  try {
    provide(await own.bin)
  } catch (error) {
    release(own)
    throw error
  }
  project.onTestsRerun(async () => {
    // Every project's callback runs for the same rerun, at once: the first starts the build, the rest join it.
    if (!own.refreshing) {
      own.refreshing = true
      own.bin = stage(own).finally(() => {
        own.refreshing = false
      })
    }
    provide(await own.bin)
  })
  return () => release(own)
}
