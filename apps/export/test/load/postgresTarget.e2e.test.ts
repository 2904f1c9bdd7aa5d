/**
 * A PostgreSQL target against a real server (Debian's PostgreSQL 15, over its Unix socket): a URL whose query a load
 * would not honour (a mistyped `sslmode`, an invalid one) is a usage error before anything connects, never a load in
 * plain text; a job file's `passwordEnv` that is not set stops the run before any export; and the failures a
 * misconfigured target meets — no schema to create in, no CREATE privilege, nothing listening, a view on a table a
 * replace drops — keep the server's words and say what to do, with the URL shown with its user.
 */
import * as NodeFs from "node:fs"
import * as Net from "node:net"
import * as NodePath from "node:path"
import { describe, expect, it } from "vitest"
import { readRunManifest } from "../../src/load/RunManifest.ts"
import { runCli } from "../support/runCli.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { realPostgresAndRun } from "./support/RealPostgres.ts"

const pg = realPostgresAndRun("spotpipe-pg-target-", 11)
const { root, run } = pg

const query = (sql: string) => withPostgres(pg.url, (q) => q(sql))
const recorded = async () => (await query("SELECT to_regclass('spotpipe_loads') IS NOT NULL"))[0]![0]

describe("a PostgreSQL URL whose query a load would not honour", () => {
  it("is refused before connecting (exit 2), naming the parameter meant; nothing is loaded in plain text", async () => {
    for (const [extra, says] of [
      ["sslmod=verify-full", '"sslmod" is not one libpq knows: did you mean "sslmode"?'],
      ["ssl_mode=require", '"ssl_mode" is not one libpq knows: did you mean "sslmode"?'],
      ["SSLMODE=require", '"SSLMODE" is not one libpq knows: did you mean "sslmode"?'],
      ["sslmode=bogus", 'sslmode="bogus" is not a valid sslmode'],
      ["sslmode=require&sslmode=disable", 'gives "sslmode" more than once']
    ] as const) {
      const loaded = await cli(["load", run, "--into", `${pg.url}&${extra}`, "--quiet"], {})
      expect(loaded.stderr).toContain(says)
      expect(loaded.code).toBe(2)
      expect(await recorded()).toBe(false)
    }
    const plain = await cli(["load", run, "--into", `${pg.url}&sslmode=disable`, "--quiet"], {})
    expect(plain.stderr).toBe("")
    expect(plain.code).toBe(0)
    expect(await recorded()).toBe(true)
  }, 60_000)
})

describe("a Unix socket", () => {
  it("is spoken to without SSL whatever sslmode says, as libpq does (no SSL request the server would refuse)", async () => {
    for (const extra of ["&sslmode=require", "&sslmode=verify-full", "&sslmode=prefer&uselibpqcompat=true"]) {
      const loaded = await cli(["load", run, "--into", `${pg.url}${extra}`, "--quiet"], {})
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
    }
  }, 60_000)
})

describe("PGSSLMODE, libpq's sslmode for a URL without one", () => {
  // A process of its own: pg reads PGSSLMODE from the process's environment.
  it("is refused when invalid (exit 2), never read as no SSL at all; a valid one is taken", async () => {
    const bogus = await runCli(["load", run, "--into", pg.url, "--quiet"], { env: { PGSSLMODE: "requir" } })
    expect(bogus.stderr).toContain('PGSSLMODE="requir" is not a valid sslmode')
    expect(bogus.stderr).toContain("disable, allow, prefer, require, verify-ca or verify-full")
    expect(bogus.code).toBe(2)
    const plain = await runCli(["load", run, "--into", pg.url, "--quiet"], { env: { PGSSLMODE: "disable" } })
    expect(plain.stderr).toBe("")
    expect(plain.code).toBe(0)
  }, 60_000)
})

describe("a job file's load.passwordEnv", () => {
  it("that is not set stops the run before any export (exit 2), naming it, even with PGPASSWORD set", async () => {
    const job = NodePath.join(root, "unset-password.json")
    const out = NodePath.join(root, "unset-password-out")
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "answer", id: "Revenue by Month" }],
        load: { into: pg.url, passwordEnv: "WH_PW" }
      })
    )
    const ran = await cli(["run", job, "--out", out, "--quiet"], { ...pg.sandboxEnv, PGPASSWORD: "elsewhere" })
    expect(ran.stderr).toContain(
      "the job file's load.passwordEnv names WH_PW for the PostgreSQL password, but WH_PW is not set (PGPASSWORD is not read in its place): export WH_PW=… (the password) before the run"
    )
    expect(ran.stderr).not.toContain("elsewhere")
    expect(ran.code).toBe(2)
    expect(NodeFs.existsSync(NodePath.join(out, "manifest.json"))).toBe(false)
  }, 60_000)
})

describe("a misconfigured target's failure says what to do", () => {
  const output = () => readRunManifest(run).outputs[0]!

  it("a search_path whose schemas do not exist: names the path and how to fix it, before any table", async () => {
    const loaded = await cli(["load", run, "--into", `${pg.url}&options=-c%20search_path%3Dnowhere`], {})
    expect(loaded.code).toBe(1)
    expect(loaded.stderr).toContain("no schema of the search_path (nowhere) exists in database postgres")
    expect(loaded.stderr).toContain("CREATE SCHEMA")
    expect(loaded.stderr).toContain(`load into ${pg.url}:`)
  }, 60_000)

  it("a user without CREATE on the schema: the server's words and the GRANT that fixes it", async () => {
    await query("CREATE ROLE reader LOGIN")
    const url = pg.url.replace("user=postgres", "user=reader")
    const loaded = await cli(["load", run, "--into", url], {})
    expect(loaded.code).toBe(1)
    expect(loaded.stderr).toContain("permission denied for schema public")
    expect(loaded.stderr).toContain("GRANT USAGE, CREATE ON SCHEMA public TO reader")
    expect(loaded.stderr).toContain("user=reader")
  }, 60_000)

  it("nothing listening on the port: the error and what to check, the URL shown with its user", async () => {
    const loaded = await cli(["load", run, "--into", "postgresql://loader@127.0.0.1:1/analytics"], {})
    expect(loaded.code).toBe(1)
    expect(loaded.stderr).toContain("cannot connect to PostgreSQL at postgresql://loader@127.0.0.1:1/analytics")
    expect(loaded.stderr).toContain("ECONNREFUSED 127.0.0.1:1")
    expect(loaded.stderr).toContain("check the URL's host and port")
  }, 60_000)

  it("a database or a user the server does not have: the server's words and what to check", async () => {
    const database = await cli(["load", run, "--into", pg.url.replace(":///postgres?", ":///nowhere?")], {})
    expect(database.code).toBe(1)
    expect(database.stderr).toContain('database "nowhere" does not exist: check the database in the URL\'s path')
    const user = await cli(["load", run, "--into", pg.url.replace("user=postgres", "user=ghost")], {})
    expect(user.code).toBe(1)
    expect(user.stderr).toContain('role "ghost" does not exist: check the URL\'s user')
  }, 60_000)

  it("a replace by a user that does not own the table: the server's words and the ways out", async () => {
    const first = await cli(["load", run, "--into", pg.url, "--quiet"], {})
    expect(first.code).toBe(0)
    const table = output().table
    await query(
      `CREATE ROLE loader LOGIN; GRANT CREATE ON SCHEMA public TO loader; GRANT ALL ON "${table}", spotpipe_loads TO loader`
    )
    const again = await cli(["load", run, "--into", pg.url.replace("user=postgres", "user=loader")], {})
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`must be owner of table ${table}`)
    expect(again.stderr).toContain("load as its owner")
  }, 60_000)

  it("a certificate file the URL names that does not exist: says which parameters name files, not a socket", async () => {
    const url = `${pg.url}&sslmode=verify-ca&sslrootcert=${NodePath.join(root, "no-ca.pem")}`
    const loaded = await cli(["load", run, "--into", url], {})
    expect(loaded.code).toBe(1)
    expect(loaded.stderr).toContain("no such file or directory")
    expect(loaded.stderr).toContain("a file the URL names (sslrootcert, sslcert or sslkey) cannot be read")
    expect(loaded.stderr).not.toContain("socket")
  }, 60_000)

  it("a server that never answers: the URL's connect_timeout ends the wait, and the message names it", async () => {
    const held = new Set<Net.Socket>()
    const silent = Net.createServer((socket) => held.add(socket))
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve))
    const port = (silent.address() as Net.AddressInfo).port
    try {
      const url = `postgresql://loader@127.0.0.1:${port}/analytics?connect_timeout=2`
      const loaded = await cli(["load", run, "--into", url], {})
      expect(loaded.code).toBe(1)
      expect(loaded.stderr).toContain(`cannot connect to PostgreSQL at postgresql://loader@127.0.0.1:${port}/analytics`)
      expect(loaded.stderr).toContain("no connection within the URL's connect_timeout")
    } finally {
      for (const socket of held) socket.destroy()
      await new Promise<void>((resolve) => silent.close(() => resolve()))
    }
  }, 60_000)

  it("a view on the table a replace drops: names the view and the ways out, the table left as it was", async () => {
    const first = await cli(["load", run, "--into", pg.url, "--quiet"], {})
    expect(first.code).toBe(0)
    const table = output().table
    await query(`CREATE VIEW revenue_view AS SELECT * FROM "${table}"`)
    const again = await cli(["load", run, "--into", pg.url], {})
    expect(again.code).toBe(1)
    expect(again.stderr).toContain(`cannot drop table ${table} because other objects depend on it`)
    expect(again.stderr).toContain(`view revenue_view depends on table ${table}`)
    expect(again.stderr).toContain("load with --mode append or merge")
    expect(await query("SELECT count(*)::int FROM revenue_view")).toEqual([[output().rows]])
  }, 60_000)
})
