/**
 * The admin endpoints over a fake ThoughtSpot (no sockets): TML export outcomes per object, batched TML, audit
 * logs by windows, the paged user and group listings and their completeness checks, the one-request searches,
 * permissions, and one token per Org.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Auth } from "../src/index.ts"
import { failureOf } from "./exits.ts"
import { makeFake, type Reply, type Seen, testOptions, tokenReply, useClient, withTime, withTokens } from "./fake.ts"

const calls = (seen: ReadonlyArray<Seen>, path: string) => seen.filter((s) => s.path === path)

const ok = (id: string, edoc: string) => ({
  info: { id, name: `n-${id}`, filename: `n-${id}.liveboard.tml`, type: "liveboard", status: { status_code: "OK" } },
  edoc
})

describe("text that is not UTF-8", () => {
  it.effect("an admin answer with bytes that are not UTF-8 fails instead of carrying replacement characters", () =>
    Effect.gen(function* () {
      // "Müller" in Latin-1 (0xFC), as a proxy re-encoding the answer would send it.
      const latin1 = (json: string) => Buffer.from(json, "latin1")
      const fake = makeFake(
        withTokens((r) =>
          r.path === "users/search"
            ? {
                body:
                  r.body.record_offset === 0
                    ? latin1('[{"id":"u-1","name":"M\u00fcller","display_name":"Müller","visibility":"SHARABLE"}]')
                    : []
              }
            : r.path === "metadata/tml/export"
              ? { body: latin1(JSON.stringify([ok("a", "guid: a\nliveboard:\n  name: Umsatz Q1 für Süd\n")])) }
              : { status: 404 }
        )
      )
      const users = failureOf(
        yield* Effect.exit(useClient(fake, testOptions(), (client) => Stream.runCollect(client.searchUsers())))
      )
      expect(users.reason._tag).toBe("ResponseDecode")
      expect(users.message, users.message).toContain("not valid UTF-8")
      const tml = failureOf(
        yield* Effect.exit(
          useClient(fake, testOptions(), (client) => client.exportTml({ metadata: [{ identifier: "a" }] }))
        )
      )
      expect(tml.reason._tag).toBe("ResponseDecode")
      expect(tml.message).toContain("not valid UTF-8")
    })
  )
})

describe("TML export", () => {
  it.effect("every object's outcome is listed: exported, warned, failed, OK without TML, unknown status", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) =>
          r.path === "metadata/tml/export"
            ? {
                body: [
                  ok("a", "guid: a\nliveboard:\n  name: A\n"),
                  {
                    info: { id: "b", name: "B", status: { status_code: "WARNING", error_message: "old chart" } },
                    edoc: "guid: b\n"
                  },
                  { info: { id: "c", status: { status_code: "ERROR", error_message: "no access to c" } } },
                  { info: { id: "d", status: { status_code: "OK" } }, edoc: null },
                  { info: { id: "e", status: { status_code: "PARTIAL" } }, edoc: "guid: e\n" }
                ]
              }
            : { status: 404 }
        )
      )
      const items = yield* useClient(fake, testOptions(), (client) =>
        client.exportTml({
          metadata: ["a", "b", "c", "d", "e"].map((identifier) => ({ identifier })),
          edoc_format: "YAML",
          export_associated: true
        })
      )
      expect(calls(fake.seen, "metadata/tml/export")[0]!.body).toEqual({
        metadata: ["a", "b", "c", "d", "e"].map((identifier) => ({ identifier })),
        edoc_format: "YAML",
        export_associated: true
      })
      expect(items.map((i) => [i._tag, i.id])).toEqual([
        ["TmlExported", "a"],
        ["TmlExported", "b"],
        ["TmlFailed", "c"],
        ["TmlFailed", "d"],
        ["TmlFailed", "e"]
      ])
      const [a, b, c, d, e] = items
      expect(a).toMatchObject({
        edoc: "guid: a\nliveboard:\n  name: A\n",
        filename: "n-a.liveboard.tml",
        warning: undefined
      })
      expect(b).toMatchObject({ edoc: "guid: b\n", warning: "old chart" })
      expect(c).toMatchObject({ statusCode: "ERROR", message: "no access to c" })
      expect(d).toMatchObject({ statusCode: "OK" })
      expect(d?._tag === "TmlFailed" && d.message).toContain("sent no TML")
      expect(e?._tag === "TmlFailed" && e.message).toContain('undocumented status "PARTIAL"')
    })
  )

  it.effect("an answer with fewer items than objects asked for fails Incomplete", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "metadata/tml/export" ? { body: [ok("a", "{}")] } : {})))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) =>
          client.exportTml({ metadata: [{ identifier: "a" }, { identifier: "b" }] })
        )
      )
      const error = failureOf(exit)
      expect([error.operation, error.reason._tag]).toEqual(["exportTml", "Incomplete"])
    })
  )

  it.effect("an object's feedback (type FEEDBACK) may give no item: ThoughtSpot exports none when there is none", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "metadata/tml/export" ? { body: [ok("a", "{}")] } : {})))
      const items = yield* useClient(fake, testOptions(), (client) =>
        client.exportTml({ metadata: [{ identifier: "a" }, { identifier: "a", type: "FEEDBACK" }] })
      )
      expect(items.map((i) => i.id)).toEqual(["a"])
    })
  )

  it.effect("a response that is not an array of items is a ResponseDecode, not an empty export", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "metadata/tml/export" ? { body: { object: [] } } : {})))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) => client.exportTml({ metadata: [{ identifier: "a" }] }))
      )
      expect(failureOf(exit).reason._tag).toBe("ResponseDecode")
    })
  )

  it.effect("batches are read with batch_offset/batch_size, each from the previous one's last item, to the end", () =>
    Effect.gen(function* () {
      const users = Array.from({ length: 5 }, (_, i) => ok(`u${i}`, `guid: u${i}\n`))
      const fake = makeFake(
        withTokens((r) => {
          if (r.path !== "metadata/tml/export/batch") return { status: 404 }
          const offset = Number(r.body.batch_offset)
          return { body: users.slice(offset, offset + Number(r.body.batch_size)) }
        })
      )
      const items = yield* useClient(fake, testOptions(), (client) =>
        Stream.runCollect(client.exportTmlBatch({ metadata_type: "USER", edoc_format: "JSON" }, { batchSize: 2 }))
      )
      expect(items.map((i) => i.id)).toEqual(["u0", "u1", "u2", "u3", "u4"])
      expect(calls(fake.seen, "metadata/tml/export/batch").map((s) => s.body)).toEqual(
        // A batch of 2 overlaps the previous one by 1: one object more per request; the last brings nothing new.
        [0, 1, 2, 3, 4].map((batch_offset) => ({
          metadata_type: "USER",
          edoc_format: "JSON",
          batch_offset,
          batch_size: 2
        }))
      )
    })
  )

  it.effect(
    "a batch answered as { edocs: [...] } is read; another object is a ResponseDecode, not an empty batch",
    () =>
      Effect.gen(function* () {
        const answer = (body: unknown) =>
          makeFake(withTokens((r) => (r.path === "metadata/tml/export/batch" ? { body } : { status: 404 })))
        const edocs = answer({ edocs: [] })
        const none = yield* useClient(edocs, testOptions(), (client) =>
          Stream.runCollect(client.exportTmlBatch({ metadata_type: "ROLE" }))
        )
        expect(none).toEqual([])
        const exit = yield* Effect.exit(
          useClient(answer({ items: [ok("r1", "{}")] }), testOptions(), (client) =>
            Stream.runCollect(client.exportTmlBatch({ metadata_type: "ROLE" }))
          )
        )
        expect(failureOf(exit).reason._tag).toBe("ResponseDecode")
      })
  )

  it.effect("a batch size beyond ThoughtSpot's 200 is refused before any request", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ status: 404 })))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) =>
          Stream.runCollect(client.exportTmlBatch({ metadata_type: "ROLE" }, { batchSize: 201 }))
        )
      )
      expect(failureOf(exit).reason._tag).toBe("BadRequest")
      expect(calls(fake.seen, "metadata/tml/export/batch")).toEqual([])
    })
  )
})

describe("listings", () => {
  const user = (i: number) => ({
    id: `u${i}`,
    name: `user${i}`,
    display_name: `User ${i}`,
    visibility: "SHARABLE",
    undocumented_field: { kept: i }
  })

  it.effect("users are read page by page, each from the previous page's last user, with every field kept", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) => {
          if (r.path !== "users/search") return { status: 404 }
          const offset = Number(r.body.record_offset)
          const size = Number(r.body.record_size)
          return { body: Array.from({ length: Math.max(0, Math.min(size, 7 - offset)) }, (_, i) => user(offset + i)) }
        })
      )
      const users = yield* useClient(fake, testOptions(), (client) =>
        Stream.runCollect(client.searchUsers({ account_status: "ACTIVE" }, { pageSize: 3 }))
      )
      expect(users.map((u) => u.id)).toEqual(["u0", "u1", "u2", "u3", "u4", "u5", "u6"])
      expect(users[6]!["undocumented_field"]).toEqual({ kept: 6 })
      expect(
        calls(fake.seen, "users/search").map((s) => [s.body.record_offset, s.body.record_size, s.body.account_status])
      ).toEqual([
        [0, 3, "ACTIVE"],
        [2, 3, "ACTIVE"],
        [4, 3, "ACTIVE"],
        [6, 3, "ACTIVE"]
      ])
    })
  )

  const listingFailure = (pages: (offset: number) => ReadonlyArray<unknown>) =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) =>
          r.path === "groups/search" ? { body: pages(Number(r.body.record_offset)) } : { status: 404 }
        )
      )
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) => Stream.runCollect(client.searchGroups({}, { pageSize: 2 })))
      )
      return failureOf(exit)
    })
  const group = (i: number) => ({ id: `g${i}`, name: `g${i}`, display_name: `G${i}`, visibility: "SHARABLE" })

  it.effect("a page longer than asked for fails Incomplete", () =>
    Effect.gen(function* () {
      const error = yield* listingFailure((offset) => (offset === 0 ? [group(0), group(1), group(2)] : []))
      expect([error.operation, error.reason._tag]).toEqual(["searchGroups", "Incomplete"])
    })
  )

  it.effect("an item listed again on a later page fails Incomplete", () =>
    Effect.gen(function* () {
      const error = yield* listingFailure((offset) =>
        offset === 0 ? [group(0), group(1)] : offset === 1 ? [group(1), group(0)] : []
      )
      expect(error.reason._tag).toBe("Incomplete")
      expect(error.reason.description).toContain("item g0 came at position 1 and again at position 3")
    })
  )

  it.effect("a user without a documented required field is a ResponseDecode", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "users/search" ? { body: [{ id: "u0", name: "x" }] } : {})))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) => Stream.runCollect(client.searchUsers()))
      )
      expect(failureOf(exit).reason._tag).toBe("ResponseDecode")
    })
  )

  it.effect("roles, Orgs and tags are one request each; permissions pass the request through", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r): Reply => {
          switch (r.path) {
            case "roles/search":
              return { body: [{ id: "r1", name: "Admin", description: "all", privileges: ["ADMINISTRATION"] }] }
            case "orgs/search":
              return {
                body: [
                  { id: 0, name: "Primary", status: "ACTIVE" },
                  { id: 7, name: "Sales" }
                ]
              }
            case "tags/search":
              return { body: [{ id: "t1", name: "finance", color: null }] }
            case "security/metadata/fetch-permissions":
              return { body: { metadata_permission_details: { lb1: { principal_permission_details: [] } } } }
            default:
              return { status: 404 }
          }
        })
      )
      const result = yield* useClient(fake, testOptions(), (client) =>
        Effect.all([
          client.searchRoles(),
          client.searchOrgs({ status: "ACTIVE" }),
          client.searchTags({ name_pattern: "fin%" }),
          client.fetchPermissions({ metadata: [{ identifier: "lb1", type: "LIVEBOARD" }] })
        ])
      )
      expect(result[0].map((r) => r.name)).toEqual(["Admin"])
      expect(result[1].map((o) => o.id)).toEqual([0, 7])
      expect(result[2].map((t) => t.id)).toEqual(["t1"])
      expect(result[3].metadata_permission_details).toEqual({ lb1: { principal_permission_details: [] } })
      expect(calls(fake.seen, "orgs/search")[0]!.body).toEqual({ status: "ACTIVE" })
      expect(calls(fake.seen, "security/metadata/fetch-permissions")[0]!.body).toEqual({
        metadata: [{ identifier: "lb1", type: "LIVEBOARD" }]
      })
    })
  )
})

describe("audit logs", () => {
  const HOUR = 3_600_000
  const T0 = Date.UTC(2026, 0, 1)
  const entry = (millis: number, micros = "000") => ({
    date: `${new Date(millis).toISOString().slice(0, -1)}${micros}Z`,
    log: JSON.stringify({ id: `TS-${millis}`, type: "LOGIN_SUCCESSFUL" })
  })

  it.effect("30 hours are two requests of at most 24 h; an event on a window's edge comes once", () =>
    Effect.gen(function* () {
      const edge = T0 + 24 * HOUR - 1 // the first window's end: the second window's start
      const events = [
        entry(T0 - 1),
        entry(T0),
        entry(T0 + 5 * HOUR),
        entry(edge),
        entry(edge, "999"),
        entry(T0 + 30 * HOUR)
      ]
      // Both ends inclusive: the answer at `edge` comes in both requests.
      const fake = makeFake(
        withTokens((r) => {
          if (r.path !== "logs/fetch") return { status: 404 }
          const start = Number(r.body.start_epoch_time_in_millis)
          const end = Number(r.body.end_epoch_time_in_millis)
          return { body: events.filter((e) => Date.parse(e.date) >= start && Date.parse(e.date) <= end).reverse() }
        })
      )
      const got = yield* useClient(fake, testOptions(), (client) =>
        Stream.runCollect(client.auditLogs({ since: T0, until: T0 + 30 * HOUR }, { allLogs: false }))
      )
      expect(got.map((e) => [e.timeMillis - T0, e.date])).toEqual([
        [0, events[1]!.date],
        [5 * HOUR, events[2]!.date],
        // The same millisecond: in the server's order (it answered newest first).
        [edge - T0, events[4]!.date],
        [edge - T0, events[3]!.date]
      ])
      const requests = calls(fake.seen, "logs/fetch").map((s) => s.body)
      expect(requests).toEqual([
        {
          log_type: "SECURITY_AUDIT",
          start_epoch_time_in_millis: T0 - 1,
          end_epoch_time_in_millis: edge,
          get_all_logs: false
        },
        {
          log_type: "SECURITY_AUDIT",
          start_epoch_time_in_millis: edge - 1,
          end_epoch_time_in_millis: T0 + 30 * HOUR,
          get_all_logs: false
        }
      ])
    })
  )

  it.effect("an event outside the requested range fails the read instead of being dropped", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens((r) => (r.path === "logs/fetch" ? { body: [entry(T0 - 2 * HOUR)] } : {})))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) => Stream.runCollect(client.auditLogs({ since: T0, until: T0 + HOUR })))
      )
      const error = failureOf(exit)
      expect([error.operation, error.reason._tag]).toEqual(["auditLogs", "ResponseDecode"])
      expect(error.reason.description).toContain("did not apply the time range")
    })
  )

  it.effect("an entry whose date is not an instant fails the read", () =>
    Effect.gen(function* () {
      const fake = makeFake(
        withTokens((r) => (r.path === "logs/fetch" ? { body: [{ date: "yesterday", log: "{}" }] } : {}))
      )
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) => Stream.runCollect(client.auditLogs({ since: T0, until: T0 + HOUR })))
      )
      expect(failureOf(exit).reason.description).toContain("not an ISO-8601 instant")
    })
  )

  it.effect("a reversed range is refused before any request", () =>
    Effect.gen(function* () {
      const fake = makeFake(withTokens(() => ({ status: 404 })))
      const exit = yield* Effect.exit(
        useClient(fake, testOptions(), (client) => Stream.runCollect(client.auditLogs({ since: T0, until: T0 - 1 })))
      )
      expect(failureOf(exit).reason._tag).toBe("BadRequest")
      expect(calls(fake.seen, "logs/fetch")).toEqual([])
    })
  )
})

describe("one token per Org", () => {
  /** Tokens named after the Org they were asked for; `users/search` answers with the caller's token. */
  const orgAware = () =>
    makeFake((r, n): Reply => {
      if (r.path === "auth/token/full") return tokenReply(`tok-org${String(r.body.org_id ?? "none")}-${n}`, r.at)
      if (r.path === "auth/token/revoke") return { status: 204 }
      if (r.path === "orgs/search")
        return {
          body: [
            { id: 3, name: "Sales EU" },
            { id: 4, name: "Sales" }
          ]
        }
      if (r.path === "system") return { body: { id: r.headers["authorization"] } }
      return { status: 404 }
    })

  it.effect("each Org gets its own token with org_id, the same Org the same client; all are revoked on close", () =>
    Effect.gen(function* () {
      const fake = orgAware()
      const seenBy = yield* useClient(fake, testOptions(), (client) =>
        Effect.gen(function* () {
          const root = yield* client.system
          const org7 = yield* client.forOrg(7)
          const again = yield* client.forOrg("7")
          const org7Id = yield* org7.system
          const byName = yield* org7.forOrg("Sales") // resolved with orgs/search, through the root client
          const salesId = yield* byName.system
          return { root: root.id, org7: org7Id.id, sales: salesId.id, same: org7 === again }
        })
      )
      const tokens = calls(fake.seen, "auth/token/full").map((s) => s.body.org_id)
      expect(tokens).toEqual([undefined, 7, 4])
      expect(seenBy.same).toBe(true)
      expect(seenBy.root).toMatch(/^Bearer tok-orgnone-/)
      expect(seenBy.org7).toMatch(/^Bearer tok-org7-/)
      expect(seenBy.sales).toMatch(/^Bearer tok-org4-/)
      expect(calls(fake.seen, "orgs/search")[0]!.body).toEqual({ org_identifier: "Sales" })
      expect(
        calls(fake.seen, "auth/token/revoke")
          .map((s) => String(s.body.token).replace(/-\d+$/, ""))
          .sort()
      ).toEqual(["tok-org4", "tok-org7", "tok-orgnone"])
    })
  )

  it.effect("an Org's token is renewed on its own, with its org_id, as it nears expiry", () =>
    Effect.gen(function* () {
      const fake = makeFake((r, n): Reply => {
        if (r.path === "auth/token/full")
          return tokenReply(`tok-org${String(r.body.org_id ?? "none")}-${n}`, r.at, 60_000)
        if (r.path === "auth/token/revoke") return { status: 204 }
        if (r.path === "system") return { body: { id: r.headers["authorization"] } }
        return { status: 404 }
      })
      const seen = yield* useClient(fake, testOptions(), (client) =>
        withTime(
          Effect.gen(function* () {
            const org = yield* client.forOrg(7)
            const first = yield* org.system
            yield* Effect.sleep("2 minutes")
            const second = yield* org.system
            return [first.id, second.id]
          }),
          1_000
        )
      )
      expect(calls(fake.seen, "auth/token/full").map((s) => s.body.org_id)).toEqual([7, 7])
      expect(seen[0]).not.toEqual(seen[1])
      expect(seen.every((id) => id?.startsWith("Bearer tok-org7-"))).toBe(true)
    })
  )

  it.effect("Org clients share the client's concurrency bound (one requester for every Org)", () =>
    Effect.gen(function* () {
      const fake = makeFake((r, n): Reply => {
        if (r.path === "auth/token/full") return tokenReply(`tok-${n}`, r.at)
        if (r.path === "auth/token/revoke") return { status: 204 }
        if (r.path === "system") return { body: {}, delayMillis: 100 }
        return { status: 404 }
      })
      yield* useClient(fake, testOptions({ concurrency: 1 }), (client) =>
        withTime(
          Effect.gen(function* () {
            const orgs = yield* Effect.forEach([1, 2, 3], (id) => client.forOrg(id))
            yield* Effect.all(
              [client, ...orgs].flatMap((c) => [c.system, c.system]),
              { concurrency: "unbounded" }
            )
          }),
          10
        )
      )
      expect(calls(fake.seen, "system")).toHaveLength(8)
      expect(fake.flight.peak).toBe(1)
    })
  )

  it.effect("concurrent callers for one Org cause one token request", () =>
    Effect.gen(function* () {
      const fake = orgAware()
      yield* useClient(fake, testOptions(), (client) =>
        Effect.all(
          Array.from({ length: 8 }, () => Effect.flatMap(client.forOrg(9), (org) => org.system)),
          { concurrency: "unbounded" }
        )
      )
      expect(calls(fake.seen, "auth/token/full").filter((s) => s.body.org_id === 9)).toHaveLength(1)
    })
  )

  it.effect("an Org name that matches no Org exactly is refused, naming what to give", () =>
    Effect.gen(function* () {
      const fake = orgAware()
      const exit = yield* Effect.exit(useClient(fake, testOptions(), (client) => client.forOrg("sales")))
      const error = failureOf(exit)
      expect([error.operation, error.reason._tag]).toEqual(["forOrg", "BadRequest"])
      expect(error.reason.description).toContain('no Org is named "sales"')
    })
  )

  it.effect("a cookie session logs into the Org with org_identifier; a bearer token cannot switch Orgs", () =>
    Effect.gen(function* () {
      const fake = makeFake((r): Reply => {
        if (r.path === "auth/session/login") {
          return { status: 204, headers: { "set-cookie": `JSESSIONID=s-${String(r.body.org_identifier ?? "none")}` } }
        }
        if (r.path === "auth/session/logout") return { status: 204 }
        if (r.path === "system") return { body: { id: r.headers["cookie"] } }
        return { status: 404 }
      })
      const cookie = yield* useClient(
        fake,
        testOptions({ auth: Auth.cookieSession({ username: "tsUserA", password: "pw-1234567" }) }),
        (client) => Effect.flatMap(client.forOrg(5), (org) => org.system)
      )
      expect(cookie.id).toBe("JSESSIONID=s-5")
      const bearer = makeFake(() => ({ status: 404 }))
      const exit = yield* Effect.exit(
        useClient(bearer, testOptions({ auth: Auth.bearerToken("pre-issued-token") }), (client) => client.forOrg(5))
      )
      expect(failureOf(exit).reason.description).toContain("bearer token")
    })
  )
})
