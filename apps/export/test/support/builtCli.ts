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
 *
 * Beside it, the same sources bundled from the tests' step-probe entry points (scripts/bundle.ts with other
 * entries, in a folder where DuckDB resolves): test/chaos/src/KillAtStep.ts (`spotpipeKillAtStep`) and
 * PauseAtStep.ts (`spotpipePauseAtStep`), which start in ~0.2 s of CPU where their sources take ~0.9 s. The
 * package never holds them.
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
    /** The bundled test/chaos/src/KillAtStep.ts (DuckDB resolves). */
    spotpipeKillAtStep: string
    /** The bundled apps/export/test/support/PauseAtStep.ts (DuckDB resolves). */
    spotpipePauseAtStep: string
  }
}

interface Shared {
  users: number
  /** Every folder built in this run (a rerun builds anew; a cancelled run may still use the one before). */
  readonly dirs: Array<string>
  bin: Promise<Built>
  refreshing: boolean
}

/** The two builds' launchers, and the step-probe entry points. */
interface Built {
  readonly bin: string
  readonly withDuckDb: string
  readonly killAtStep: string
  readonly pauseAtStep: string
}

/** The step-probe entry points: module name → source, relative to the repository (as scripts/bundle.ts takes them). */
const probeEntries = {
  KillAtStep: "test/chaos/src/KillAtStep.ts",
  PauseAtStep: "apps/export/test/support/PauseAtStep.ts"
} as const

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
 * Runs `script args…` in a Node process of its own (esbuild's plugin resolves with `import.meta.resolve`, which the
 * module runner that loads global setups lacks); resolves to what it printed.
 */
const runScript = (script: string, args: ReadonlyArray<string>, what: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const path = fileURLToPath(new URL(`../../scripts/${script}`, import.meta.url))
    execFile(process.execPath, [path, ...args], { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`building ${what} for the tests failed: ${error.message}\n${stderr}`))
      else resolve(stdout.trim())
    })
  })

/**
 * Stages the package (`packCli.ts --stage-into`) and, at the same time, bundles the step-probe entries into
 * `probes/dist/` with DuckDB in `probes/node_modules/`; resolves to the launchers and entries.
 */
const stage = async (shared: Shared): Promise<Built> => {
  const dir = mkdtempSync(join(tmpdir(), "spotpipe-test-cli-"))
  shared.dirs.push(dir)
  const probes = join(dir, "probes")
  mkdirSync(join(probes, "node_modules"), { recursive: true })
  symlinkSync(duckDbScope, join(probes, "node_modules", "@duckdb"), "dir")
  const entries = Object.entries(probeEntries).map(([name, source]) => `${name}=${source}`)
  const [bin] = await Promise.all([
    runScript("packCli.ts", ["--stage-into", join(dir, "spotpipe")], "the CLI"),
    runScript("bundle.ts", [join(probes, "dist"), ...entries], "the step-probe CLIs")
  ])
  return {
    bin,
    withDuckDb: besideDuckDb(dir, bin),
    killAtStep: join(probes, "dist", "KillAtStep.js"),
    pauseAtStep: join(probes, "dist", "PauseAtStep.js")
  }
}

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
    const none = { bin: "", withDuckDb: "", killAtStep: "", pauseAtStep: "" }
    shared = { users: 0, dirs: [], bin: Promise.resolve(none), refreshing: false }
    shared.bin = stage(shared)
    registry[key] = shared
  }
  shared.users += 1
  const own = shared
  const provide = (built: Built) => {
    project.provide("spotpipeBin", built.bin)
    project.provide("spotpipeBinWithDuckDb", built.withDuckDb)
    project.provide("spotpipeKillAtStep", built.killAtStep)
    project.provide("spotpipePauseAtStep", built.pauseAtStep)
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
