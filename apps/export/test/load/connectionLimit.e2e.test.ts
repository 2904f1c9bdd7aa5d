/**
 * A PostgreSQL load as a role that may open one session (`CONNECTION LIMIT 1`), on a real server: the load needs no
 * other. A lock it waits for is waited for and the load goes on once it is released; Ctrl-C while it waits cancels
 * the waiting statement on the server (PostgreSQL's cancel request, which opens no session), so nothing of the
 * load stays in the lock's queue ahead of the table's later readers. A role or database whose sessions are all in
 * use fails the load at once, saying which limit and what to do. A load as a role (or into a database) with a
 * CONNECTION LIMIT never opens a second session, which another load may need: it says once that it does not ask
 * whom a long statement waits for.
 */
import { spawn } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { cliEnv, mainPath } from "../support/runCli.ts"
import { craftRun } from "./support/CraftedRun.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-connection-limit-"))
const run = craftRun(NodePath.join(root, "run"), [
  {
    file: "orders.csv",
    columns: [
      { name: "id", type: "INT64" },
      { name: "name", type: "VARCHAR" }
    ],
    rows: [
      ["1", "one"],
      ["2", "two"]
    ]
  }
])

let server: RealPostgres | undefined
/** The URL of the role `solo`, which may open one session. */
let solo = ""
beforeAll(async () => {
  server = startRealPostgres()
  await withPostgres(server.url, (q) =>
    q("CREATE ROLE solo LOGIN CONNECTION LIMIT 1; CREATE SCHEMA solo AUTHORIZATION solo")
  )
  solo = server.url.replace("user=postgres", "user=solo")
  const first = await cli(["load", run, "--into", solo, "--quiet"])
  expect(first.code, first.stderr).toBe(0)
}, 60_000)
afterAll(() => {
  server?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

/** A superuser's session (no connection limit) that holds a lock on the table until it ends its transaction. */
const analyst = async () => {
  const client = new pg.Client({ connectionString: server!.url })
  await client.connect()
  await client.query("BEGIN; LOCK TABLE solo.orders IN SHARE MODE")
  return client
}

/** Until `sql` (asked on a session of its own) counts `wanted`. */
const until = (sql: string, wanted: string) =>
  withPostgres(server!.url, async (q) => {
    for (;;) {
      if (String((await q(sql))[0]![0]) === wanted) return
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
  })
const soloWaiting = "SELECT count(*) FROM pg_stat_activity WHERE usename = 'solo' AND wait_event_type = 'Lock'"
const soloSessions = "SELECT count(*) FROM pg_stat_activity WHERE usename = 'solo'"

/** `spotpipe load …` as a process of its own. */
const loadProcess = (args: ReadonlyArray<string>) => {
  const child = spawn(process.execPath, [mainPath, ...args], { env: cliEnv(), stdio: ["ignore", "pipe", "pipe"] })
  let stderr = ""
  const waits: Array<() => void> = []
  child.stderr.setEncoding("utf8").on("data", (text: string) => {
    stderr += text
    for (const wait of waits.splice(0)) wait()
  })
  const ended = new Promise<{ code: number | null; stderr: string }>((resolve) =>
    child.on("close", (code) => resolve({ code, stderr }))
  )
  /** Until its stderr matches `text`, or it ends. */
  const said = async (text: RegExp): Promise<void> => {
    let done = false
    void ended.then(() => {
      done = true
    })
    while (!text.test(stderr) && !done) {
      await Promise.race([new Promise<void>((resolve) => waits.push(resolve)), ended])
    }
  }
  return { ended, said, interrupt: () => child.kill("SIGINT") }
}

describe("a database with CONNECTION LIMIT 1", () => {
  it("its one session in use elsewhere: the load fails at once (exit 1), naming the database's limit", async () => {
    await withPostgres(server!.url, async (q) => {
      await q("CREATE ROLE duo LOGIN")
      await q("CREATE DATABASE narrow OWNER duo CONNECTION LIMIT 1")
    })
    const narrow = server!.url.replace("/postgres?", "/narrow?").replace("user=postgres", "user=duo")
    const other = new pg.Client({ connectionString: narrow })
    await other.connect()
    try {
      const refused = await cli(["load", run, "--into", narrow])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        'too many connections for database "narrow": the database narrow may open no more sessions (its CONNECTION LIMIT)'
      )
      expect(refused.stderr).toContain("(ALTER DATABASE narrow CONNECTION LIMIT …)")
    } finally {
      await other.end()
    }
  }, 60_000)
})

describe("a role with CONNECTION LIMIT 1", () => {
  it("a lock the load waits for: it loads once the lock is released", async () => {
    const holder = await analyst()
    let load: ReturnType<typeof loadProcess> | undefined
    try {
      load = loadProcess(["load", run, "--into", solo, "--mode", "append"])
      await until(soloWaiting, "1")
      await holder.query("COMMIT")
    } finally {
      await holder.end()
    }
    const done = await load.ended
    expect(done.code, done.stderr).toBe(0)
    expect(await withPostgres(server!.url, (q) => q("SELECT count(*) FROM solo.orders"))).toEqual([["4"]])
  }, 60_000)

  it("its one session in use elsewhere: the load fails at once (exit 1), saying why and what to do", async () => {
    const other = new pg.Client({ connectionString: solo })
    await other.connect()
    try {
      const refused = await cli(["load", run, "--into", solo])
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain(
        'too many connections for role "solo": the role solo may open no more sessions (its CONNECTION LIMIT), and its other sessions use them all: load once one of them has ended (pg_stat_activity shows them), or have an administrator raise the limit (ALTER ROLE solo CONNECTION LIMIT …); a load needs one session'
      )
    } finally {
      await other.end()
    }
  }, 60_000)

  it("Ctrl-C while it waits: exit 130, its statement cancelled on the server while the lock is still held", async () => {
    const holder = await analyst()
    try {
      const load = loadProcess(["load", run, "--into", solo])
      await until(soloWaiting, "1")
      load.interrupt()
      const stopped = await load.ended
      expect(stopped.code, stopped.stderr).toBe(130)
      // Gone from the server while the analyst still holds the lock: nothing of the load waits in the lock's queue
      // (ahead of every later reader of the table) until the analyst lets go.
      await until(soloSessions, "0")
      expect((await holder.query("SELECT count(*) FROM solo.orders")).rows).toEqual([{ count: "4" }])
      await holder.query("ROLLBACK")
    } finally {
      await holder.end()
    }
    expect(
      await withPostgres(server!.url, (q) => q("SELECT mode FROM solo.spotpipe_loads ORDER BY loaded_at"))
    ).toEqual([["replace"], ["append"]])
  }, 60_000)
})

describe("a role with CONNECTION LIMIT 2 and two loads", () => {
  it("one that waits opens no second session, so the other load gets the role's other one; both load", async () => {
    await withPostgres(server!.url, (q) =>
      q("CREATE ROLE pair LOGIN CONNECTION LIMIT 2; CREATE SCHEMA pair AUTHORIZATION pair")
    )
    const url = server!.url.replace("user=postgres", "user=pair")
    expect((await cli(["load", run, "--into", url, "--quiet"])).code).toBe(0)
    const holder = new pg.Client({ connectionString: server!.url })
    await holder.connect()
    await holder.query("BEGIN; LOCK TABLE pair.orders IN SHARE MODE")
    let loads: Array<ReturnType<typeof loadProcess>> = []
    try {
      const first = loadProcess(["load", run, "--into", url, "--mode", "append"])
      loads = [first]
      // Its first look at what it waits for: with a second session it would name the holder.
      await first.said(/a statement is still running after a second|waiting for a lock on/)
      expect(await Promise.race([first.ended, "running"])).toBe("running")
      const second = loadProcess(["load", run, "--into", url, "--mode", "append"])
      loads = [first, second]
      const bothWait = until(
        "SELECT count(*) FROM pg_stat_activity WHERE usename = 'pair' AND wait_event_type = 'Lock'",
        "2"
      )
      const refused = await Promise.race([bothWait.then(() => undefined), second.ended])
      expect(refused?.stderr ?? "").toBe("")
      await holder.query("COMMIT")
    } finally {
      await holder.end()
    }
    const ended = await Promise.all(loads.map((l) => l.ended))
    for (const e of ended) expect(e.code, e.stderr).toBe(0)
    expect(ended[0]!.stderr).toContain(
      "a statement is still running after a second (if it waits for another session's lock, give --lock-timeout SECONDS to bound such a wait); the load does not ask whether it waits, or for which session, as asking takes a second session, which the role pair's CONNECTION LIMIT counts (a load needs one)"
    )
    // The same file: the second, its turn come, finds it appended by the first.
    expect(ended[1]!.stderr).toContain("orders.csv: already appended to orders by the load of")
    expect(await withPostgres(server!.url, (q) => q("SELECT count(*) FROM pair.orders"))).toEqual([["4"]])
  }, 60_000)
})
