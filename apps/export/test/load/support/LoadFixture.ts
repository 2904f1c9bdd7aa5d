/**
 * The setup most load tests share: a sandbox, a PGlite server (a real PostgreSQL engine over the wire protocol)
 * and a finished run to load.
 */
import * as NodeFs from "node:fs"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { sandboxEnv } from "../../support/Sandboxes.ts"
import { cli } from "./loadHelpers.ts"
import { type PgliteServer, startPgliteServer } from "./PgliteServer.ts"

/** A sandbox, a PGlite server and a finished run, for a load test; `close` stops both servers. */
export interface LoadFixture {
  readonly sandbox: RunningSandbox
  readonly server: PgliteServer
  /** THOUGHTSPOT_* for the sandbox. */
  readonly env: Record<string, string>
  readonly close: () => Promise<void>
}

/** How the run to load is exported: `spotpipe args…` with `env`, e.g. the CLI in this process or a child. */
export type Runner = (
  args: ReadonlyArray<string>,
  env: Record<string, string>
) => Promise<{ readonly code: number | null; readonly stderr: string }>

/**
 * Starts a sandbox (`rows`, `seed`) and a PGlite server, then runs the job file of `exports` into `run` with
 * `runner` (default: the CLI in this process), which must succeed without a word on stderr.
 */
export const startLoadFixture = async (options: {
  readonly rows: number
  readonly seed: number
  readonly exports: ReadonlyArray<Record<string, unknown>>
  readonly run: string
  readonly runner?: Runner
}): Promise<LoadFixture> => {
  const sandbox = await startSandbox({ rows: options.rows, seed: options.seed })
  const server = await startPgliteServer()
  const env = sandboxEnv(sandbox)
  const close = async () => {
    await server.close()
    await sandbox.close()
  }
  const job = `${options.run}.job.json`
  NodeFs.writeFileSync(job, JSON.stringify({ exports: options.exports }))
  const exported = await (options.runner ?? cli)(["run", job, "--out", options.run, "--quiet"], env)
  if (exported.code !== 0 || exported.stderr !== "") {
    await close()
    throw new Error(`the run to load failed (exit ${exported.code}): ${exported.stderr}`)
  }
  return { sandbox, server, env, close }
}
