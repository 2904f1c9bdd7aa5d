/**
 * Vitest global setup of every project (first in each project's `globalSetup`): the test run gets one temporary
 * folder of its own, and TMPDIR (TMP, TEMP) points there, so what the tests, vitest's workers and the processes
 * they start put in `os.tmpdir()` — their folders, Node's compile cache of the run's CLI build — lands inside it;
 * the last teardown removes it. A run leaves nothing in the OS temp folder, whether or not a test cleans up after
 * itself. Global setup runs in vitest's main process before any worker starts, and workers copy its environment.
 *
 * Project configs do not inherit the root config's `globalSetup` (and the root's runs after the projects'), so
 * each project lists this file; the projects of one run share one folder (one module instance per project: the
 * folder is kept on `globalThis`).
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"

/** The names under which Node (TMPDIR; TMP, TEMP on Windows) and other programs look for the temp folder. */
const variables = ["TMPDIR", "TMP", "TEMP"] as const

/** The prefix of a run's folder in the OS temp folder (what a killed run can leave behind). */
export const runFolderPrefix = "spotpipe-test-run-"

interface Shared {
  users: number
  readonly folder: string
  /** The variables as they were before the run, restored at the end. */
  readonly before: ReadonlyMap<string, string | undefined>
}

const key = Symbol.for("spotpipe.test.runTempFolder")
const registry = globalThis as { [key]?: Shared }

const release = (shared: Shared) => {
  shared.users -= 1
  if (shared.users > 0) return
  delete registry[key]
  for (const [name, value] of shared.before) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  rmSync(shared.folder, { recursive: true, force: true, maxRetries: 3 })
}

/** Makes (or joins) the run's temp folder and points TMPDIR at it; the returned teardown releases it. */
export default function setup(): () => void {
  let shared = registry[key]
  if (shared === undefined) {
    const folder = mkdtempSync(join(tmpdir(), runFolderPrefix))
    // The real-PostgreSQL load tests run the server as the `postgres` user when the tests run as root: it must
    // be able to reach its cluster's folder inside this one (the folders made in here are private: mkdtemp's 0700).
    chmodSync(folder, 0o755)
    shared = { users: 0, folder, before: new Map(variables.map((name) => [name, process.env[name]])) }
    for (const name of variables) process.env[name] = folder
    registry[key] = shared
  }
  shared.users += 1
  const own = shared
  return () => release(own)
}
