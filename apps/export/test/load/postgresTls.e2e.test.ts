/**
 * TLS settings of a PostgreSQL URL that cannot work, against a real server (Debian's PostgreSQL 15, reached over
 * TCP through a loopback relay to its Unix socket): `sslnegotiation=direct`, which a server before PostgreSQL 17
 * does not take, and `sslmode=verify-ca` without `sslrootcert` each fail the load (exit 1) saying what happened and
 * what to do, nothing loaded, as does a certificate that verify-ca or verify-full refuses (behind a TLS front on
 * loopback); over a Unix socket TLS settings are ignored, as libpq ignores them there.
 */
import { execFileSync } from "node:child_process"
import * as NodeFs from "node:fs"
import * as NodeNet from "node:net"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import * as NodeTls from "node:tls"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { runCli } from "../support/runCli.ts"
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
/** The server over TLS: a loopback port that answers PostgreSQL's SSLRequest and speaks TLS with `certificate`. */
let tlsUrl = ""
let tlsFront: NodeNet.Server | undefined
/** The front's self-signed certificate (it names only the host db.internal), and another one. */
const certificate = NodePath.join(root, "server.crt")
const otherCertificate = NodePath.join(root, "other.crt")

/** A self-signed certificate and its key, made by openssl. */
const selfSigned = (name: string, crt: string) => {
  const key = crt.replace(/\.crt$/, ".key")
  execFileSync(
    "openssl",
    ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", crt, "-days", "2"].concat([
      "-subj",
      `/CN=${name}`,
      "-addext",
      `subjectAltName=DNS:${name}`
    ]),
    { stdio: "ignore" }
  )
  return { key: NodeFs.readFileSync(key), cert: NodeFs.readFileSync(crt) }
}

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
  const credentials = selfSigned("db.internal", certificate)
  selfSigned("other.internal", otherCertificate)
  tlsFront = NodeNet.createServer((client) => {
    relayed.add(client)
    client.on("close", () => relayed.delete(client))
    client.on("error", () => client.destroy())
    // The client's SSLRequest (8 bytes), answered "S", then TLS on the same connection; the rest goes to the server.
    client.once("readable", () => {
      const request = client.read(8) as Buffer | null
      if (request === null || request.readInt32BE(4) !== 80877103) return client.destroy()
      client.write("S")
      const secure = new NodeTls.TLSSocket(client, { isServer: true, ...credentials })
      secure.on("error", () => client.destroy())
      const upstream = NodeNet.connect(socket)
      relayed.add(upstream)
      upstream.on("close", () => relayed.delete(upstream))
      upstream.on("error", () => client.destroy())
      secure.pipe(upstream).pipe(secure)
    })
  })
  await new Promise<void>((resolve) => tlsFront!.listen(0, "127.0.0.1", resolve))
  tlsUrl = `postgresql://postgres@127.0.0.1:${(tlsFront.address() as NodeNet.AddressInfo).port}/postgres`
}, 60_000)

afterAll(async () => {
  for (const s of relayed) s.destroy()
  await new Promise((resolve) => relay?.close(resolve))
  await new Promise((resolve) => tlsFront?.close(resolve))
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

describe("PGSSLNEGOTIATION, libpq's sslnegotiation for a URL without one", () => {
  // A process of its own: pg reads PGSSLNEGOTIATION from the process's environment.
  it("direct, to a server that does not take it, or without an sslmode that allows it: says what to do", async () => {
    const env = { PGSSLNEGOTIATION: "direct" }
    const hungUp = await runCli(["load", run, "--into", `${tcpUrl}?sslmode=require`], { env })
    expect(hungUp.code, hungUp.stderr).toBe(1)
    expect(hungUp.stderr).toContain(
      "the server hung up as TLS began: sslnegotiation=direct starts TLS without asking first, which only PostgreSQL 17 or later with SSL on accepts (not an older server, nor a pooler or proxy in front that does not take it): unset PGSSLNEGOTIATION, which asks for it"
    )
    const weak = await runCli(["load", run, "--into", tcpUrl], { env })
    expect(weak.code, weak.stderr).toBe(1)
    expect(weak.stderr).toContain(
      `cannot connect to PostgreSQL at ${tcpUrl}: PGSSLNEGOTIATION=direct needs sslmode=require, verify-ca or verify-full (libpq's rule): give one in the URL (or PGSSLMODE), or unset PGSSLNEGOTIATION`
    )
    const invalid = await runCli(["load", run, "--into", tcpUrl], { env: { PGSSLNEGOTIATION: "directly" } })
    expect(invalid.code, invalid.stderr).toBe(1)
    expect(invalid.stderr).toContain(
      "the environment variable PGSSLNEGOTIATION is neither postgres nor direct: set it to one of them, or unset it"
    )
    expect(await loaded()).toBe(false)
  }, 60_000)
})

describe("a server certificate that sslmode=verify-ca or verify-full refuses", () => {
  it("signed by no CA the load trusts: says to name the CA with sslrootcert, nothing loaded", async () => {
    for (const query of ["sslmode=verify-full", `sslmode=verify-ca&sslrootcert=${otherCertificate}`]) {
      const failed = await cli(["load", run, "--into", `${tlsUrl}?${query}`])
      expect(failed.code, failed.stderr).toBe(1)
      expect(failed.stderr).toContain(
        `cannot connect to PostgreSQL at ${tlsUrl}: self-signed certificate: the server's certificate is not signed by a certificate authority (CA) the load trusts, which the sslmode (verify-ca or verify-full) checks: name the CA that signed it with sslrootcert=/path/to/ca.crt in the URL`
      )
      // Node's hint names a flag of node, which spotpipe does not take.
      expect(failed.stderr).not.toContain("try running Node.js")
    }
    expect(await loaded()).toBe(false)
  }, 60_000)

  it("naming another host than the URL's (verify-full): says so and what to do; verify-ca with its CA loads", async () => {
    const failed = await cli(["load", run, "--into", `${tlsUrl}?sslmode=verify-full&sslrootcert=${certificate}`])
    expect(failed.code, failed.stderr).toBe(1)
    expect(failed.stderr).toContain(
      "the server's certificate does not name the URL's host, which sslmode=verify-full checks: connect with a host name the certificate names, or use sslmode=verify-ca, which checks the CA only"
    )
    expect(await loaded()).toBe(false)
    const done = await cli(["load", run, "--into", `${tlsUrl}?sslmode=verify-ca&sslrootcert=${certificate}`, "--quiet"])
    expect(done.stderr).toBe("")
    expect(done.code).toBe(0)
    expect(await loaded()).toBe(true)
    await withPostgres(server!.url, (q) => q("DROP TABLE orders, spotpipe_loads"))
  }, 60_000)
})

describe("a Unix socket", () => {
  it("takes sslnegotiation=direct as libpq does there (no TLS at all), and loads", async () => {
    const done = await cli(["load", run, "--into", `${server!.url}&sslmode=require&sslnegotiation=direct`, "--quiet"])
    expect(done.stderr).toBe("")
    expect(done.code).toBe(0)
    expect(await withPostgres(server!.url, (q) => q("SELECT count(*) FROM orders"))).toEqual([["2"]])
  }, 60_000)

  it("takes no TLS from PGSSLNEGOTIATION=direct either, and loads", async () => {
    const done = await runCli(["load", run, "--into", server!.url, "--quiet"], {
      env: { PGSSLNEGOTIATION: "direct" }
    })
    expect(done.stderr).toBe("")
    expect(done.code).toBe(0)
  }, 60_000)

  it("named as the URL's host, percent-encoded: spoken to without TLS whatever sslmode says, and loads", async () => {
    const folder = encodeURIComponent(new URL(server!.url).searchParams.get("host")!)
    const url = `postgresql://postgres@${folder}/postgres?sslmode=require`
    const done = await cli(["load", run, "--into", url, "--quiet"])
    expect(done.stderr).toBe("")
    expect(done.code).toBe(0)
  }, 60_000)
})
