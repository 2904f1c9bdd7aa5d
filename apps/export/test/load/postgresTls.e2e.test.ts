/**
 * TLS settings of a PostgreSQL URL that cannot work, against a real server (Debian's PostgreSQL 15, reached over
 * TCP through a loopback relay to its Unix socket): `sslnegotiation=direct`, which a server before PostgreSQL 17
 * does not take, and `sslmode=verify-ca` without `sslrootcert` each fail the load (exit 1) saying what happened and
 * what to do, nothing loaded; over a Unix socket both are ignored, as libpq ignores them there.
 */
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { craftRun } from "./support/CraftedRun.ts"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { type RealPostgres, startRealPostgres } from "./support/RealPostgres.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-pg-tls-"))
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
let relay: NodeNet.Server | undefined
const relayed = new Set<NodeNet.Socket>()
/** The server over TCP: a loopback port whose connections are relayed to the server's Unix socket. */
let tcpUrl = ""

beforeAll(async () => {
  server = startRealPostgres()
  const socket = `${new URL(server.url).searchParams.get("host")}/.s.PGSQL.5432`
  relay = NodeNet.createServer((client) => {
    const upstream = NodeNet.connect(socket)
    for (const s of [client, upstream]) {
      relayed.add(s)
      s.on("close", () => relayed.delete(s))
    }
    client.pipe(upstream).pipe(client)
    client.on("error", () => upstream.destroy())
    upstream.on("error", () => client.destroy())
  })
  await new Promise<void>((resolve) => relay!.listen(0, "127.0.0.1", resolve))
  tcpUrl = `postgresql://postgres@127.0.0.1:${(relay.address() as NodeNet.AddressInfo).port}/postgres`
}, 60_000)

afterAll(async () => {
  for (const s of relayed) s.destroy()
  await new Promise((resolve) => relay?.close(resolve))
  server?.close()
  NodeFs.rmSync(root, { recursive: true, force: true })
})

const loaded = async () =>
  (await withPostgres(server!.url, (q) => q("SELECT to_regclass('spotpipe_loads') IS NOT NULL")))[0]![0]

describe("a PostgreSQL URL's TLS settings that cannot work", () => {
  it("sslnegotiation=direct against a server that does not take it: says to remove it, nothing loaded", async () => {
    const failed = await cli(["load", run, "--into", `${tcpUrl}?sslmode=require&sslnegotiation=direct`])
    expect(failed.code, failed.stderr).toBe(1)
    expect(failed.stderr).toContain(
      `cannot connect to PostgreSQL at ${tcpUrl}: Client network socket disconnected before secure TLS connection was established: the server hung up as TLS began: sslnegotiation=direct starts TLS without asking first, which only PostgreSQL 17 or later with SSL on accepts`
    )
    expect(failed.stderr).toContain(
      "remove sslnegotiation=direct from the URL (the default, postgres, asks the server for SSL first)"
    )
    expect(await loaded()).toBe(false)
  }, 60_000)

  it("sslmode=verify-ca without sslrootcert: says how to name the CA, nothing loaded, nothing connected", async () => {
    const failed = await cli(["load", run, "--into", `${tcpUrl}?sslmode=verify-ca`])
    expect(failed.code, failed.stderr).toBe(1)
    expect(failed.stderr).toContain(
      `cannot connect to PostgreSQL at ${tcpUrl}: sslmode=verify-ca (the URL's, or PGSSLMODE for a URL without one) checks the server's certificate against the certificate authority (CA) that sslrootcert names, and the URL names none: add sslrootcert=/path/to/ca.crt to the URL`
    )
    // Not the client library's warning, which names no file to give.
    expect(failed.stderr).not.toContain("SECURITY WARNING")
    expect(failed.stderr.trim().split("\n")).toHaveLength(1)
    expect(await loaded()).toBe(false)
  }, 60_000)
})

describe("a Unix socket", () => {
  it("takes sslnegotiation=direct as libpq does there (no TLS at all), and loads", async () => {
    const done = await cli(["load", run, "--into", `${server!.url}&sslmode=require&sslnegotiation=direct`, "--quiet"])
    expect(done.stderr).toBe("")
    expect(done.code).toBe(0)
    expect(await withPostgres(server!.url, (q) => q("SELECT count(*) FROM orders"))).toEqual([["2"]])
  }, 60_000)

  it("named as the URL's host, percent-encoded: spoken to without TLS whatever sslmode says, and loads", async () => {
    const folder = encodeURIComponent(new URL(server!.url).searchParams.get("host")!)
    const url = `postgresql://postgres@${folder}/postgres?sslmode=require`
    const done = await cli(["load", run, "--into", url, "--quiet"])
    expect(done.stderr).toBe("")
    expect(done.code).toBe(0)
  }, 60_000)
})
