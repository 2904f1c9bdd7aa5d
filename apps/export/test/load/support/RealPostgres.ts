/**
 * A real PostgreSQL server for the load tests that need more than one backend (PGlite has a single one, shared by
 * every connection, so locks between sessions cannot be seen there): Debian's PostgreSQL 15 binaries in a
 * temporary cluster, listening only on a Unix socket in that cluster's folder, run as the `postgres` user when the
 * tests run as root. Without the binaries it fails, saying what to install — never a skipped test.
 */
import { execFileSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { afterAll, beforeAll, expect } from "vitest"
import { sandboxEnv } from "../../support/Sandboxes.ts"
import { cli } from "./loadHelpers.ts"

/** A running server: its URL (trust authentication, user `postgres`) and how to stop it. */
export interface RealPostgres {
  readonly url: string
  /** The server's log file (its plans, with auto_explain). */
  readonly log: string
  readonly close: () => void
}

/** Where Debian's (or a source build's) server binaries are. */
const binFolders = ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"]

/** Starts a fresh cluster (initdb, pg_ctl start) in a temporary folder; `close` stops it and removes the folder. */
export const startRealPostgres = (): RealPostgres => {
  const bin = binFolders.find((d) => NodeFs.existsSync(`${d}/initdb`))
  if (bin === undefined) {
    throw new Error(
      "this test needs a PostgreSQL server's binaries (initdb, pg_ctl): apt-get install postgresql-15 (Debian), which puts them in /usr/lib/postgresql/15/bin"
    )
  }
  const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-pg-"))
  const data = NodePath.join(root, "data")
  NodeFs.mkdirSync(data)
  // initdb refuses to run as root: the cluster belongs to the postgres user then.
  const asPostgres = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : []
  if (asPostgres.length > 0) {
    NodeFs.chmodSync(root, 0o755)
    execFileSync("chown", ["postgres", data])
  }
  const run = (command: string, args: ReadonlyArray<string>) =>
    execFileSync(
      asPostgres[0] ?? command,
      [...asPostgres.slice(1), ...(asPostgres.length > 0 ? [command] : []), ...args],
      {
        stdio: "ignore"
      }
    )
  run(`${bin}/initdb`, ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"])
  // No TCP port at all: the socket in the cluster's own folder cannot collide with another server.
  const log = NodePath.join(data, "server.log")
  run(`${bin}/pg_ctl`, ["-D", data, "-o", `-c listen_addresses='' -k ${data} -F`, "-l", log, "-w", "start"])
  return {
    url: `postgresql:///postgres?host=${data}&user=postgres`,
    log,
    close: () => {
      run(`${bin}/pg_ctl`, ["-D", data, "-m", "immediate", "-w", "stop"])
      NodeFs.rmSync(root, { recursive: true, force: true })
    }
  }
}

/**
 * The hooks of a test file that loads one exported answer into a real PostgreSQL server: before the tests a fresh
 * cluster starts and a sandbox's "Revenue by Month" is exported into `run`; after them both stop and the folder
 * goes. `url` is the server's, `sandboxEnv` the sandbox's (read them in a test, once both have started).
 */
export const realPostgresAndRun = (prefix: string, seed: number) => {
  const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), prefix))
  const run = NodePath.join(root, "run")
  let postgres: RealPostgres | undefined
  let sandbox: RunningSandbox | undefined
  beforeAll(async () => {
    postgres = startRealPostgres()
    sandbox = await startSandbox({ rows: 500, seed })
    const exported = await cli(["answer", "Revenue by Month", "--out", run, "--quiet"], sandboxEnv(sandbox))
    expect(exported.stderr).toBe("")
  }, 120_000)
  afterAll(async () => {
    await sandbox?.close()
    postgres?.close()
    NodeFs.rmSync(root, { recursive: true, force: true })
  })
  return {
    root,
    run,
    get url(): string {
      if (postgres === undefined) throw new Error("the PostgreSQL server starts before the tests: read url in a test")
      return postgres.url
    },
    /** The sandbox's environment, for a test that exports again (read it in a test). */
    get sandboxEnv(): Record<string, string> {
      if (sandbox === undefined) throw new Error("the sandbox starts before the tests: read sandboxEnv in a test")
      return sandboxEnv(sandbox)
    }
  }
}
