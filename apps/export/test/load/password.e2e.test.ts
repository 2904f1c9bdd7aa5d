/**
 * The PostgreSQL password of `spotpipe load` and of a job file's `load` block reaches the server: a real load runs
 * end to end against PGlite behind a front that enforces a password (support/PasswordFront.ts), from
 * `--password-file`, from `PGPASSWORD`, from the variable a job's `load.passwordEnv` names and from a `.pgpass`
 * file; without one the load says in one line how to give it; the password never appears in what is printed.
 */
import * as NodeFs from "node:fs"
import * as Net from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { parseTarget } from "../../src/LoadTarget.ts"
import { type LoadFixture, startLoadFixture } from "./support/LoadFixture.ts"
import { cli, manifestOf, withPostgres } from "./support/loadHelpers.ts"
import { type PasswordFront, startPasswordFront } from "./support/PasswordFront.ts"
import type { PgliteServer } from "./support/PgliteServer.ts"

const secret = "Pw:s3cr3t %41 é"
const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-load-password-"))
const run = NodePath.join(root, "run")
const job = NodePath.join(root, "job.json")
let fixture: LoadFixture
let server: PgliteServer
let front: PasswordFront
let env: Record<string, string>

beforeAll(async () => {
  fixture = await startLoadFixture({ rows: 500, seed: 7, run, exports: [{ type: "answer", id: "Revenue by Month" }] })
  ;({ server, env } = fixture)
  front = await startPasswordFront(server.port, secret)
}, 120_000)

afterAll(async () => {
  await front?.close()
  await fixture?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const rowsLoaded = async () => {
  const output = manifestOf(run).outputs[0]!
  return withPostgres(server.url, async (q) =>
    Number((await q(`SELECT sum("rows") FROM spotpipe_loads WHERE file = '${output.file.replace(/'/g, "''")}'`))[0]![0])
  )
}

const shown = (result: { stdout: string; stderr: string }) => `${result.stdout}\n${result.stderr}`

describe("the PostgreSQL password", () => {
  it("from --password-file is the one the server checks", async () => {
    const file = NodePath.join(root, "pw.txt")
    NodeFs.writeFileSync(file, `${secret}\n`, { mode: 0o600 })
    const before = await rowsLoaded().catch(() => 0)
    const loaded = await cli(["load", run, "--into", front.url, "--password-file", file], env)
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
    expect(shown(loaded)).not.toContain(secret)
    expect(await rowsLoaded()).toBe(before + manifestOf(run).outputs[0]!.rows_written)
  }, 60_000)

  it("from PGPASSWORD", async () => {
    const loaded = await cli(["load", run, "--into", front.url, "--quiet"], { ...env, PGPASSWORD: secret })
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
  }, 60_000)

  it("from the variable a job file's load.passwordEnv names", async () => {
    NodeFs.writeFileSync(
      job,
      JSON.stringify({
        exports: [{ type: "answer", id: "Revenue by Month" }],
        load: { into: front.url, passwordEnv: "MY_PG_PW" }
      })
    )
    const ran = await cli(["run", job, "--out", NodePath.join(root, "job-run"), "--quiet"], {
      ...env,
      MY_PG_PW: secret
    })
    expect(ran.stderr).toBe("")
    expect(ran.code).toBe(0)
    expect(shown(ran)).not.toContain(secret)
  }, 60_000)

  it("from a .pgpass file (PGPASSFILE) when none is given", async () => {
    const file = NodePath.join(root, "pgpass")
    const escaped = secret.replace(/[\\:]/g, "\\$&")
    NodeFs.writeFileSync(file, `# comment\nother:*:*:*:wrong\n127.0.0.1:${front.port}:postgres:loader:${escaped}\n`, {
      mode: 0o600
    })
    const loaded = await cli(["load", run, "--into", front.url, "--quiet"], { ...env, PGPASSFILE: file })
    expect(loaded.stderr).toBe("")
    expect(loaded.code).toBe(0)
  }, 60_000)

  it("missing: one line says how to give it; a wrong one is the server's refusal; neither shows a password", async () => {
    const missing = await cli(["load", run, "--into", front.url], env)
    expect(missing.code).not.toBe(0)
    expect(missing.stderr).toContain("set PGPASSWORD or use --password-file")
    expect(missing.stderr).not.toContain("SASL")
    expect(missing.stderr).not.toContain("must be a string")
    expect(missing.stderr.trim().split("\n")).toHaveLength(1)
    const wrong = await cli(["load", run, "--into", front.url], { ...env, PGPASSWORD: "not-it" })
    expect(wrong.code).not.toBe(0)
    expect(wrong.stderr).toContain('password authentication failed for user "loader"')
    expect(shown(wrong)).not.toContain("not-it")
  }, 60_000)
})

describe("a job file's load password", () => {
  const jobWith = (load: Record<string, unknown>) => {
    const file = NodePath.join(root, `job-${Object.keys(load).join("-")}.json`)
    NodeFs.writeFileSync(
      file,
      JSON.stringify({ exports: [{ type: "answer", id: "Revenue by Month" }], load: { into: front.url, ...load } })
    )
    return file
  }

  it("wrong: the server's refusal names the variable it came from, never its value", async () => {
    const ran = await cli(["run", jobWith({ passwordEnv: "MY_PG_PW" }), "--out", NodePath.join(root, "wrong-pw")], {
      ...env,
      MY_PG_PW: "not-it-either",
      PGPASSWORD: secret
    })
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain('password authentication failed for user "loader"')
    expect(ran.stderr).toContain(`check the password in MY_PG_PW (the job file's "passwordEnv")`)
    expect(shown(ran)).not.toContain("not-it-either")
    expect(shown(ran)).not.toContain(secret)
  }, 60_000)

  it("missing: says to set PGPASSWORD or name a variable in the job file, not a flag the job cannot take", async () => {
    const ran = await cli(["run", jobWith({}), "--out", NodePath.join(root, "no-pw")], env)
    expect(ran.code).toBe(1)
    expect(ran.stderr).toContain(
      `the server asks for a password and none was given: set PGPASSWORD, or name the variable that holds it in the job file's "load": {"passwordEnv": …}`
    )
    expect(ran.stderr).not.toContain("--password-file")
  }, 60_000)
})

describe("the PostgreSQL URL's settings", () => {
  it("a Unix socket as libpq writes it, ?host=/folder", async () => {
    const folder = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-socket-"))
    // The socket PostgreSQL listens on in that folder, relayed to the front's port.
    const relay = Net.createServer((socket) => {
      const backend = Net.connect(front.port, "127.0.0.1")
      socket.pipe(backend).on("error", () => backend.destroy())
      backend.pipe(socket).on("error", () => socket.destroy())
    })
    await new Promise<void>((resolve) => relay.listen(NodePath.join(folder, ".s.PGSQL.5432"), resolve))
    try {
      const url = `postgresql:///postgres?host=${folder}&user=loader`
      expect(parseTarget(url)).toEqual({
        ok: { _tag: "Postgres", url, shown: `postgresql:///postgres?host=${folder}&user=loader` }
      })
      expect(parseTarget("postgresql:///postgres")).toHaveProperty("refused")
      const loaded = await cli(["load", run, "--into", url, "--quiet"], { ...env, PGPASSWORD: secret })
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
    } finally {
      await new Promise<void>((resolve) => relay.close(() => resolve()))
      NodeFs.rmSync(folder, { recursive: true, force: true })
    }
  }, 60_000)

  it("a socket in libpq's default folder (/tmp) takes the .pgpass line of localhost, another folder its own", async () => {
    // A port whose socket file is free in /tmp (a PostgreSQL of the machine may have its own there).
    let port = 40_000 + Math.floor(Math.random() * 20_000)
    while (NodeFs.existsSync(`/tmp/.s.PGSQL.${port}`)) port++
    const socket = `/tmp/.s.PGSQL.${port}`
    const folder = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-socket-"))
    const open = new Set<Net.Socket>()
    const relays = [socket, NodePath.join(folder, `.s.PGSQL.${port}`)].map((path) =>
      Net.createServer((client) => {
        const backend = Net.connect(front.port, "127.0.0.1")
        for (const end of [client, backend]) open.add(end).add(end.on("close", () => open.delete(end)))
        client.pipe(backend).on("error", () => backend.destroy())
        backend.pipe(client).on("error", () => client.destroy())
      }).listen(path)
    )
    await Promise.all(relays.map((relay) => new Promise((resolve) => relay.once("listening", resolve))))
    try {
      const escaped = secret.replace(/[\\:]/g, "\\$&")
      const file = NodePath.join(root, "pgpass-socket")
      NodeFs.writeFileSync(file, `localhost:${port}:postgres:loader:${escaped}\n${folder}:${port}:*:loader:wrong\n`, {
        mode: 0o600
      })
      const url = (host: string) => `postgresql:///postgres?host=${host}&port=${port}&user=loader`
      const loaded = await cli(["load", run, "--into", url("/tmp"), "--quiet"], { ...env, PGPASSFILE: file })
      expect(loaded.stderr).toBe("")
      expect(loaded.code).toBe(0)
      // Another folder is matched by its name only: the localhost line is not its.
      const refused = await cli(["load", run, "--into", url(folder), "--quiet"], { ...env, PGPASSFILE: file })
      expect(refused.code).toBe(1)
      expect(refused.stderr).toContain('password authentication failed for user "loader"')
      expect(shown(refused)).not.toContain(secret)
    } finally {
      for (const end of open) end.destroy()
      await Promise.all(relays.map((relay) => new Promise<void>((resolve) => relay.close(() => resolve()))))
      NodeFs.rmSync(folder, { recursive: true, force: true })
    }
  }, 60_000)

  it("sslmode has libpq's meaning: prefer speaks plain to a server without SSL, require refuses it; pg warns of nothing", async () => {
    const warnings: Array<string> = []
    const onWarning = (warning: Error) => warnings.push(warning.message)
    process.on("warning", onWarning)
    try {
      const prefer = await cli(["load", run, "--into", `${front.url}?sslmode=prefer`, "--quiet"], {
        ...env,
        PGPASSWORD: secret
      })
      expect(prefer.stderr).toBe("")
      expect(prefer.code).toBe(0)
      const require = await cli(["load", run, "--into", `${front.url}?sslmode=require`], { ...env, PGPASSWORD: secret })
      expect(require.code).toBe(1)
      expect(require.stderr).toContain("does not support SSL")
      expect(require.stderr).toContain("the sslmode (the URL's, or PGSSLMODE for a URL without one) asks for SSL")
      // The same from PGSSLMODE, for a URL without sslmode: the message names it too.
      const fromEnvironment = await cli(["load", run, "--into", front.url], {
        ...env,
        PGPASSWORD: secret,
        PGSSLMODE: "require"
      })
      expect(fromEnvironment.code).toBe(1)
      expect(fromEnvironment.stderr).toContain("or PGSSLMODE for a URL without one) asks for SSL")
      await new Promise((resolve) => setImmediate(resolve))
      expect(warnings.filter((w) => w.includes("SECURITY WARNING"))).toEqual([])
    } finally {
      process.off("warning", onWarning)
    }
  }, 60_000)
})
