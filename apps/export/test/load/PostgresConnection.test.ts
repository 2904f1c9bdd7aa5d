/**
 * How a PostgreSQL load connects, read as libpq reads it: the URLs it tries for each `sslmode` (with pg's
 * `uselibpqcompat=true` in the query, never in a `#fragment`) and the `.pgpass` line that gives the password, for a
 * host and for a Unix socket's folder (libpq matches `localhost` for its default socket folder).
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { connectionUrls, openPostgres, pgpassLookup } from "../../src/load/PostgresEngine.ts"
import { startPasswordFront } from "./support/PasswordFront.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-pg-connection-"))
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

describe("connectionUrls", () => {
  it("puts uselibpqcompat=true in the query, before a #fragment", () => {
    for (const url of [
      "postgresql://loader@db.internal:5432/analytics?sslmode=require#primary",
      "postgresql://loader@db.internal:5432/analytics?sslmode=prefer#primary",
      "postgresql://loader@db.internal:5432/analytics?sslmode=verify-ca&sslrootcert=/ca.pem#",
      "postgresql://loader@db.internal:5432/analytics?sslmode=require"
    ]) {
      const [first, ...rest] = connectionUrls(url)
      const parsed = new URL(first!)
      expect(parsed.searchParams.get("uselibpqcompat")).toBe("true")
      expect(parsed.hash).toBe(new URL(url).hash)
      // The plain-text fallback of prefer: the URL as given, its sslmode disabled.
      for (const fallback of rest) expect(new URL(fallback).searchParams.get("sslmode")).toBe("disable")
    }
    expect(connectionUrls("postgresql://loader@db/analytics?sslmode=prefer#x")).toEqual([
      "postgresql://loader@db/analytics?sslmode=prefer&uselibpqcompat=true#x",
      "postgresql://loader@db/analytics?sslmode=disable#x"
    ])
  })
})

describe("connectionUrls for a Unix socket", () => {
  it("speaks without TLS whatever sslmode and sslnegotiation say, as libpq does there", () => {
    expect(
      connectionUrls("postgresql:///analytics?host=/run/pg&sslmode=require&sslnegotiation=direct&user=loader#x")
    ).toEqual(["postgresql:///analytics?host=/run/pg&user=loader&sslmode=disable&sslnegotiation=postgres#x"])
    // The folder as the URL's host, percent-encoded, as libpq takes it too.
    expect(connectionUrls("postgresql://loader@%2Frun%2Fpg:5433/analytics?sslmode=verify-full")).toEqual([
      "postgresql://loader@%2Frun%2Fpg:5433/analytics?sslmode=disable&sslnegotiation=postgres"
    ])
    expect(connectionUrls("postgresql:///analytics?host=/run/pg&sslmode=disable")).toEqual([
      "postgresql:///analytics?host=/run/pg&sslmode=disable&sslnegotiation=postgres"
    ])
  })
})

describe("pgpassLookup", () => {
  const passFile = (lines: ReadonlyArray<string>) => {
    const file = NodePath.join(root, `pgpass-${lines.length}-${Math.random().toString(36).slice(2)}`)
    NodeFs.writeFileSync(file, `${lines.join("\n")}\n`, { mode: 0o600 })
    return file
  }
  const lookup = (file: string, host: string) =>
    pgpassLookup(file, { host, port: 5432, database: "analytics", user: "loader" }, () => {})

  it("matches localhost for libpq's default socket folder, and the folder as written", () => {
    const file = passFile(["localhost:5432:analytics:loader:by-localhost"])
    expect(lookup(file, "/tmp")).toBe("by-localhost")
    expect(lookup(file, "/var/run/postgresql")).toBe("by-localhost")
    expect(lookup(passFile(["/var/run/postgresql:5432:analytics:loader:by-folder"]), "/var/run/postgresql")).toBe(
      "by-folder"
    )
  })

  it("matches another socket folder only by its own name, compared as written", () => {
    const file = passFile([
      "localhost:5432:analytics:loader:by-localhost",
      "/srv/pg/:5432:analytics:loader:with-slash",
      "/srv/pg:5432:analytics:loader:by-folder"
    ])
    expect(lookup(file, "/srv/pg")).toBe("by-folder")
    expect(lookup(file, "/srv/pg/")).toBe("with-slash")
    expect(lookup(passFile(["localhost:5432:analytics:loader:by-localhost"]), "/srv/pg")).toBeUndefined()
  })

  it("matches a TCP host by its name, the first matching line winning, * matching anything", () => {
    const file = passFile([
      "other:5432:analytics:loader:other",
      "db.internal:5433:analytics:loader:other-port",
      "db.internal:*:analytics:loader:first",
      "*:*:*:*:any"
    ])
    expect(lookup(file, "db.internal")).toBe("first")
    expect(lookup(file, "localhost")).toBe("any")
  })
})

describe("openPostgres", () => {
  it("closes its connection when it cannot sign in: nothing stays open in the process that loads", async () => {
    // Nothing behind the front: the sign-in fails before any relay is made.
    const front = await startPasswordFront(1, "the-password")
    try {
      const failed = await openPostgres(front.url, "the front", { password: undefined, passFile: undefined }).then(
        () => "connected",
        (error: Error) => error.message
      )
      expect(failed).toMatch(/the server asks for a password and none was given/)
      // The client's socket closes shortly after the refusal (the front sees it go).
      for (let waited = 0; front.open() > 0 && waited < 5_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      expect(front.open()).toBe(0)
    } finally {
      await front.close()
    }
  })
})
