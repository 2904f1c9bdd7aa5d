/**
 * Vitest global setup of every suite that starts the `spotpipe` process (apps/export, test/chaos,
 * test/integration): builds the installable package once per test run (packCli.ts's `stagePackage`: the bundle
 * and the launcher, ~0.6 s) into a temp folder of its own, and hands its `bin/spotpipe.js` to the tests
 * (`inject("spotpipeBin")`, read by runCli.ts and test/chaos/src/SpotpipeProcess.ts). So the tests run what users
 * install, built from the sources as they are at the start of the run; a folder per run means that two test runs,
 * or a `pnpm bundle`, never replace files under a running CLI. The projects of one run share one build.
 */
import { execFile } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import type { TestProject } from "vitest/node"

declare module "vitest" {
  export interface ProvidedContext {
    /** The test run's build of the installable package: its `bin/spotpipe.js`. */
    spotpipeBin: string
  }
}

interface Shared {
  users: number
  readonly dir: string
  readonly bin: Promise<string>
}

// Each project loads this file on its own; the build is shared through the process (global setup runs in the
// main process).
const key = Symbol.for("spotpipe.test.builtCli")
const registry = globalThis as { [key]?: Shared }

/**
 * Runs `packCli.ts --stage-into` in a Node process of its own (esbuild's plugin resolves with
 * `import.meta.resolve`, which the module runner that loads global setups lacks); resolves to the staged bin.
 */
const stage = (pkg: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const script = fileURLToPath(new URL("../../scripts/packCli.ts", import.meta.url))
    execFile(process.execPath, [script, "--stage-into", pkg], { encoding: "utf8" }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`building the CLI for the tests failed: ${error.message}\n${stderr}`))
      else resolve(stdout.trim())
    })
  })

const release = (shared: Shared) => {
  shared.users -= 1
  if (shared.users > 0) return
  if (registry[key] === shared) delete registry[key]
  rmSync(shared.dir, { recursive: true, force: true })
}

/** Builds (or joins the run's build) and provides `spotpipeBin`; the last teardown removes the folder. */
export default async function setup(project: TestProject): Promise<() => void> {
  let shared = registry[key]
  if (shared === undefined) {
    const dir = mkdtempSync(join(tmpdir(), "spotpipe-test-cli-"))
    shared = { users: 0, dir, bin: stage(join(dir, "spotpipe")) }
    registry[key] = shared
  }
  shared.users += 1
  const own = shared
  try {
    project.provide("spotpipeBin", await own.bin)
  } catch (error) {
    release(own)
    throw error
  }
  return () => release(own)
}
