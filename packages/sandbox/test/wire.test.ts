/** The wire layer: documented header checks, error shapes, rate limiting, every injected fault, logging. */
import { request } from "node:http"
import fc from "fast-check"
import { describe, expect, it } from "vitest"
import { faultProfiles } from "../src/index.ts"
import { corruptJson } from "../src/internal/Corrupt.ts"
import { nestedError, sandbox } from "./harness.ts"

/** A raw request (fetch always adds a User-Agent). */
const raw = (url: string, headers: Record<string, string>, body?: string) =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(url, { method: body === undefined ? "GET" : "POST", headers }, (res) => {
      let text = ""
      res.setEncoding("utf8")
      res.on("data", (c: string) => {
        text += c
      })
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }))
    })
    req.on("error", reject)
    req.end(body)
  })

const login = { username: "tsUserA", password: "Guest@123!" }

describe("request checks", () => {
  it("missing-user-agent-gives-400-unless-switched-off", async () => {
    const strict = await sandbox()
    const r = await raw(`${strict.base}/auth/token/full`, { "content-type": "application/json" }, JSON.stringify(login))
    expect(r.status).toBe(400)
    expect(nestedError(r.text).debug[0]).toContain("User-Agent")
    const lax = await sandbox({ requireUserAgent: false })
    expect(
      (await raw(`${lax.base}/auth/token/full`, { "content-type": "application/json" }, JSON.stringify(login))).status
    ).toBe(200)
  })

  it("non-json-content-type-gives-415", async () => {
    const { call } = await sandbox()
    const r = await call("auth/token/full", "username=tsUserA", {
      headers: { "content-type": "application/x-www-form-urlencoded" }
    })
    expect(r.status).toBe(415)
    const plain = await call("auth/token/full", JSON.stringify(login), { headers: { "content-type": "text/plain" } })
    expect(plain.status).toBe(415)
    const charset = await call("auth/token/full", JSON.stringify(login), {
      headers: { "content-type": "application/json; charset=utf-8" }
    })
    expect(charset.status).toBe(200)
  })

  it("invalid-json-body-gives-400", async () => {
    const { call } = await sandbox()
    expect((await call("auth/token/full", "{not json")).status).toBe(400)
    expect((await call("auth/token/full", "[1,2]")).status).toBe(400)
  })

  it("unknown-endpoint-gives-404-and-wrong-method-405", async () => {
    const { call, token } = await sandbox()
    const t = await token()
    expect((await call("no/such/thing", {}, { token: t })).status).toBe(404)
    expect((await call("system", {}, { token: t })).status).toBe(405)
  })

  it("flat-error-shape-behind-a-switch", async () => {
    const { call } = await sandbox({ errorShape: "flat" })
    const r = await call("metadata/search", {})
    expect(r.status).toBe(401)
    const body = JSON.parse(r.text) as { error: { message: Record<string, unknown> } }
    expect(body.error.message["code"]).toBe(10097)
    expect(typeof body.error.message["debug"]).toBe("string")
    expect(typeof body.error.message["incident_id_guid"]).toBe("string")
  })

  it("nested-error-shape-by-default", async () => {
    const { call } = await sandbox()
    const r = await call("metadata/search", {})
    const inner = (JSON.parse(r.text) as { error: { message: { debug: Record<string, unknown> } } }).error.message.debug
    expect(Object.keys(inner).sort()).toEqual(["code", "debug", "incident_id_guid", "trace_id_guid"])
    expect(JSON.parse(inner["debug"] as string)).toHaveLength(1)
  })
})

describe("rate limit", () => {
  it("allows-100-per-second-plus-a-burst-of-10-then-429", async () => {
    const { call, clock, sb } = await sandbox()
    const statuses: Array<number> = []
    for (let i = 0; i < 111; i++) statuses.push((await call("metadata/search", {})).status)
    expect(statuses.slice(0, 110).every((s) => s === 401)).toBe(true)
    expect(statuses[110]).toBe(429)
    const limited = await call("metadata/search", {})
    expect(limited.headers.get("retry-after")).toBeNull() // ThoughtSpot documents no Retry-After; off by default
    clock.advance(10) // one token per 10 ms at 100/s
    expect((await call("metadata/search", {})).status).toBe(401)
    expect((await call("metadata/search", {})).status).toBe(429)
    expect(sb.stats().rateLimited).toBe(3)
  })

  it("rate-limit-profile-sends-retry-after", async () => {
    const { call, clock } = await sandbox({ faults: "rate-limit" })
    const statuses: Array<number> = []
    for (let i = 0; i < 8; i++) statuses.push((await call("auth/token/full", login)).status)
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 429])
    const r = await call("auth/token/full", login)
    expect(r.status).toBe(429)
    expect(r.headers.get("retry-after")).toBe("1")
    clock.advance(1000)
    expect((await call("auth/token/full", login)).status).toBe(200)
  })

  it("can-be-disabled", async () => {
    const { call } = await sandbox({ faults: { rateLimit: false } })
    for (let i = 0; i < 150; i++) expect((await call("metadata/search", {})).status).toBe(401)
  })
})

describe("injected faults", () => {
  it("status-faults-are-per-attempt-and-a-streak-ends", async () => {
    const { call, sb } = await sandbox({
      faults: { routes: { "auth/token/full": { error503: 1 } }, maxConsecutiveFaults: 2 }
    })
    const statuses: Array<number> = []
    for (let i = 0; i < 6; i++) statuses.push((await call("auth/token/full", login)).status)
    expect(statuses).toEqual([503, 503, 200, 503, 503, 200])
    expect(sb.stats().faultsInjected.error503).toBe(4)
    // Other routes are untouched.
    const t = (await call("auth/token/full", login)).status
    expect([200, 503]).toContain(t)
  })

  it("500-502-and-429-faults-carry-error-bodies", async () => {
    for (const [kind, status] of [
      ["error500", 500],
      ["error502", 502],
      ["error429", 429]
    ] as const) {
      const { call } = await sandbox({ faults: { routes: { "*": { [kind]: 1 } }, retryAfter: true } })
      const r = await call("auth/token/full", login)
      expect(r.status).toBe(status)
      expect(nestedError(r.text).code).toBe(10000)
      if (status === 429) expect(r.headers.get("retry-after")).toBe("1")
    }
  })

  it("connection-reset-mid-body", async () => {
    const { call, token, sb } = await sandbox({ rows: 20_000, faults: { routes: { searchdata: { reset: 1 } } } })
    const t = await token()
    await expect(
      call(
        "searchdata",
        { query_string: "[Order ID] [Customer]", logical_table_identifier: "Orders", record_size: 20_000 },
        { token: t }
      )
    ).rejects.toThrow()
    expect(sb.stats().faultsInjected.reset).toBe(1)
  })

  it("connection-closed-before-content-length", async () => {
    const { call, token, sb } = await sandbox({ rows: 20_000, faults: { routes: { searchdata: { disconnect: 1 } } } })
    const t = await token()
    await expect(
      call(
        "searchdata",
        { query_string: "[Order ID] [Customer]", logical_table_identifier: "Orders", record_size: 20_000 },
        { token: t }
      )
    ).rejects.toThrow()
    expect(sb.stats().faultsInjected.disconnect).toBe(1)
  })

  it("truncated-body-is-a-prefix-that-does-not-parse", async () => {
    const clean = await sandbox({ rows: 300 })
    const body = { query_string: "[Order ID] [Customer]", logical_table_identifier: "Orders", record_size: 300 }
    const expected = (await clean.call("searchdata", body, { token: await clean.token() })).text
    const { call, token } = await sandbox({ rows: 300, faults: { routes: { searchdata: { truncate: 1 } } } })
    const r = await call("searchdata", body, { token: await token() })
    expect(r.status).toBe(200)
    expect(r.text.length).toBeLessThan(expected.length)
    expect(expected.startsWith(r.text)).toBe(true)
    expect(() => JSON.parse(r.text)).toThrow()
  })

  it("malformed-body-does-not-parse", async () => {
    const { call, token } = await sandbox({ faults: { routes: { system: { malformed: 1 } } } })
    const r = await call("system", undefined, { token: await token() })
    expect(r.status).toBe(200)
    expect(() => JSON.parse(r.text)).toThrow()
  })

  it("malformed-never-lands-inside-a-string-where-it-would-stay-valid-json", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value)
        const damaged = Buffer.concat(corruptJson(Buffer.from(text))).toString("utf8")
        expect(damaged).toContain("<<corrupted>>")
        expect(() => JSON.parse(damaged)).toThrow()
      }),
      { numRuns: 500 }
    )
    // A body whose midpoint is inside a long string: the marker moves past the string.
    const body = JSON.stringify({
      rows: [
        ["a", "x".repeat(1000)],
        ["b", 1]
      ]
    })
    expect(() => JSON.parse(Buffer.concat(corruptJson(Buffer.from(body))).toString())).toThrow()
  })

  it("latency-and-slow-bodies-go-through-the-clock", async () => {
    const { call, token, clock } = await sandbox({
      rows: 100,
      faults: { routes: { searchdata: { latencyMs: 250, slowBody: { chunkBytes: 100, delayMs: 7 } } } }
    })
    const t = await token()
    const r = await call(
      "searchdata",
      { query_string: "[Customer]", logical_table_identifier: "Orders", record_size: 100 },
      { token: t }
    )
    expect(r.status).toBe(200)
    expect(JSON.parse(r.text)).toBeTruthy()
    expect(clock.slept[0]).toBe(250)
    const chunks = clock.slept.slice(1)
    expect(chunks.every((ms) => ms === 7)).toBe(true)
    expect(chunks).toHaveLength(Math.ceil(Buffer.byteLength(r.text) / 100))
  })

  it("latency-range-is-seeded", async () => {
    const a = await sandbox({ seed: 5, faults: { routes: { "*": { latencyMs: [10, 90] } } } })
    const b = await sandbox({ seed: 5, faults: { routes: { "*": { latencyMs: [10, 90] } } } })
    for (let i = 0; i < 10; i++) {
      await a.call("metadata/search", {})
      await b.call("metadata/search", {})
    }
    expect(a.clock.slept).toEqual(b.clock.slept)
    expect(a.clock.slept.every((ms) => ms >= 10 && ms <= 90)).toBe(true)
    expect(new Set(a.clock.slept).size).toBeGreaterThan(3)
  })

  it("flaky-profile-is-reproducible-and-every-request-succeeds-with-retries", async () => {
    const run = async () => {
      const { call, sb } = await sandbox({ seed: 11, faults: "flaky" })
      const outcomes: Array<string> = []
      for (let i = 0; i < 60; i++) {
        for (let attempt = 1; ; attempt++) {
          const r = await call("auth/token/full", login).catch(() => ({ status: 0, text: "" }))
          let ok = r.status === 200
          if (ok) {
            try {
              JSON.parse(r.text)
            } catch {
              ok = false
            }
          }
          outcomes.push(ok ? "ok" : String(r.status))
          if (ok) break
          expect(attempt).toBeLessThanOrEqual(3)
        }
      }
      return { outcomes, stats: sb.stats() }
    }
    const first = await run()
    const second = await run()
    expect(second.outcomes).toEqual(first.outcomes)
    expect(first.outcomes.filter((o) => o !== "ok").length).toBeGreaterThan(3)
    const injected = Object.values(first.stats.faultsInjected).reduce((a, b) => a + b, 0)
    expect(injected).toBe(first.outcomes.filter((o) => o !== "ok").length)
  })

  it("expiring-tokens-profile-shortens-validity", async () => {
    const { call, clock } = await sandbox({ faults: "expiring-tokens" })
    const r = await call("auth/token/full", { ...login, validity_time_in_sec: 3600 })
    expect(r.json<{ expiration_time_in_millis: number }>().expiration_time_in_millis).toBe(clock.nowMs + 5000)
  })

  it("every-profile-lets-a-retrying-client-through", async () => {
    for (const profile of Object.keys(faultProfiles)) {
      const { call, clock } = await sandbox({ seed: 2, faults: profile })
      for (let i = 0; i < 15; i++) {
        for (let attempt = 1; ; attempt++) {
          const r = await call("auth/token/full", login).catch(() => undefined)
          let ok = r?.status === 200
          if (ok && r !== undefined) {
            try {
              JSON.parse(r.text)
            } catch {
              ok = false
            }
          }
          if (ok) break
          if (r?.status === 429) clock.advance(1000) // a client honouring Retry-After waits
          expect(attempt, `${profile}: request ${i} still failing`).toBeLessThanOrEqual(5)
        }
      }
      if (profile === "slow") expect(clock.slept.length).toBeGreaterThan(15)
    }
  })

  it("profiles-are-listed", () => {
    expect(Object.keys(faultProfiles)).toEqual(["none", "flaky", "rate-limit", "slow", "expiring-tokens", "chaos"])
  })
})

describe("logging", () => {
  it("logs-one-line-per-request-without-secrets", async () => {
    const lines: Array<string> = []
    const { call, token } = await sandbox({ log: (l) => lines.push(l), secretKey: "super-secret-key" })
    const t = await token()
    await call("system", undefined, { token: t })
    await call("auth/token/full", { username: "tsUserA", secret_key: "super-secret-key" })
    await new Promise((resolve) => setImmediate(resolve))
    expect(lines).toHaveLength(3)
    expect(lines[0]).toMatch(/^POST \/api\/rest\/2\.0\/auth\/token\/full 200 \d+\.\dms$/)
    expect(lines[1]).toMatch(/^GET \/api\/rest\/2\.0\/system 200 /)
    for (const l of lines) {
      expect(l).not.toContain(t)
      expect(l).not.toContain("Guest@123!")
      expect(l).not.toContain("super-secret-key")
    }
  })
})
