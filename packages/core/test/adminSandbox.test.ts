/**
 * The admin endpoints against `@spotpipe/sandbox` over loopback: TML export with per-object outcomes, batched
 * TML, the paged user and group listings read whole, the one-request searches, permissions, one token per Org,
 * and audit logs read in windows with every event once (the sandbox puts events on window edges).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { Effect, Exit, Stream } from "effect"
import { Auth, ThoughtSpotClient } from "../src/index.ts"

const HOUR = 3_600_000
const DAY = 24 * HOUR

let sandbox: RunningSandbox
beforeAll(async () => {
  sandbox = await startSandbox({ rows: 100 })
})
afterAll(() => sandbox.close())

const run = <A, E>(use: (client: ThoughtSpotClient.Service) => Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromiseExit(
    Effect.flatMap(ThoughtSpotClient.ThoughtSpotClient, use).pipe(
      Effect.provide(
        ThoughtSpotClient.layerNode({
          host: sandbox.url,
          auth: Auth.password({ username: fixtures.user.username, password: fixtures.user.password })
        })
      )
    )
  ).then((exit) => {
    if (Exit.isFailure(exit)) throw new Error(`expected success: ${String(exit.cause)}`)
    return exit.value
  })

const primary = fixtures.orgs[0]!
const emea = fixtures.orgs.find((o) => o.name === "Sales EMEA")!

describe("admin endpoints on the sandbox", () => {
  it("TML export lists an object that cannot be exported next to those that were", async () => {
    const items = await run((client) =>
      client.exportTml({
        metadata: [{ identifier: fixtures.ordersTable.id }, { identifier: "00000000-0000-0000-0000-000000000000" }],
        edoc_format: "YAML"
      })
    )
    expect(items.map((i) => i._tag)).toEqual(["TmlExported", "TmlFailed"])
    const [model, missing] = items
    expect(model?._tag === "TmlExported" && model.edoc).toMatch(new RegExp(`^guid: "?${fixtures.ordersTable.id}"?\n`))
    expect(model?.id).toBe(fixtures.ordersTable.id)
    expect(missing).toMatchObject({ statusCode: "ERROR", id: "00000000-0000-0000-0000-000000000000" })
  })

  it("export_associated adds the model an answer is built on", async () => {
    const answer = Object.values(primary.objects).find((o) => o.type === "ANSWER")!
    const items = await run((client) =>
      client.exportTml({ metadata: [{ identifier: answer.id }], export_associated: true })
    )
    expect(items.every((i) => i._tag === "TmlExported")).toBe(true)
    expect(items.map((i) => i.id)).toEqual([answer.id, fixtures.ordersTable.id])
    // JSON by default: each edoc parses.
    for (const item of items) if (item._tag === "TmlExported") expect(() => JSON.parse(item.edoc)).not.toThrow()
  })

  it("batched TML of users gives one item per user of the Org, each once", async () => {
    const [batched, users] = await run((client) =>
      Effect.all([
        Stream.runCollect(client.exportTmlBatch({ metadata_type: "USER" }, { batchSize: 1 })),
        Stream.runCollect(client.searchUsers({}, { pageSize: 1000 }))
      ])
    )
    expect(batched.every((i) => i._tag === "TmlExported")).toBe(true)
    expect(batched.map((i) => i.id).sort()).toEqual(users.map((u) => u.id).sort())
    expect(users.map((u) => u.name).sort()).toEqual(primary.users.map((u) => u.username).sort())
  })

  it("users and groups read in small pages are the listings read in one page", async () => {
    const [users1, usersAll, groups1, groupsAll] = await run((client) =>
      Effect.all([
        Stream.runCollect(client.searchUsers({ sort_options: { field_name: "NAME", order: "ASC" } }, { pageSize: 1 })),
        Stream.runCollect(
          client.searchUsers({ sort_options: { field_name: "NAME", order: "ASC" } }, { pageSize: 500 })
        ),
        Stream.runCollect(client.searchGroups({ sort_options: { field_name: "NAME", order: "ASC" } }, { pageSize: 2 })),
        Stream.runCollect(
          client.searchGroups({ sort_options: { field_name: "NAME", order: "ASC" } }, { pageSize: 500 })
        )
      ])
    )
    // (A user's expiration_time_in_millis moves with the sandbox's clock: compared by identity and order.)
    expect(users1.map((u) => u.id)).toEqual(usersAll.map((u) => u.id))
    expect(usersAll.length).toBeGreaterThan(1)
    expect(groups1).toEqual(groupsAll)
    expect(groupsAll.length).toBeGreaterThan(2)
  })

  it("roles, Orgs, tags and permissions decode as the specification describes them", async () => {
    const [roles, orgs, tags, permissions] = await run((client) =>
      Effect.all([
        client.searchRoles(),
        client.searchOrgs(),
        client.searchTags(),
        client.fetchPermissions({ metadata: [{ identifier: fixtures.ordersTable.id, type: "LOGICAL_TABLE" }] })
      ])
    )
    expect(roles.map((r) => r.name).sort()).toEqual(["Content Admin", "Data Viewer"])
    expect(orgs.map((o) => o.id).sort()).toEqual(fixtures.orgs.map((o) => o.id).sort())
    expect(tags.length).toBe(3)
    expect(Array.isArray(permissions.metadata_permission_details)).toBe(true)
  })

  it("forOrg: each Org's client sees its own users, by id or by name, one token per Org", async () => {
    const result = await run((client) =>
      Effect.gen(function* () {
        const byId = yield* client.forOrg(emea.id)
        const byName = yield* client.forOrg("Sales EMEA")
        const users = yield* Stream.runCollect(byId.searchUsers())
        const current = yield* byId.currentUser
        return { same: byId === byName, users, org: current.current_org, issued: yield* client.credentialRequests }
      })
    )
    expect(result.same).toBe(true)
    expect(result.org?.id).toBe(emea.id)
    expect(result.users.map((u) => u.name).sort()).toEqual(emea.users.map((u) => u.username).sort())
  })

  it("audit logs over three days come each once, the event at `since` in and the one at `until` out", async () => {
    // Midnights, days ago (the sandbox keeps 90 days): it puts an event exactly on every UTC midnight.
    const since = Math.floor(Date.now() / DAY) * DAY - 5 * DAY
    const until = since + 3 * DAY
    const [events, reference] = await run((client) =>
      Effect.all([
        Stream.runCollect(client.auditLogs({ since, until })),
        // The reference: back-to-back one-hour requests, as raw calls (the sandbox's ends are [start, end)).
        Effect.forEach(
          Array.from({ length: 72 + 1 }, (_, h) => since + h * HOUR),
          (start) =>
            Effect.map(
              client.request({
                method: "POST",
                path: "logs/fetch",
                body: JSON.stringify({
                  log_type: "SECURITY_AUDIT",
                  start_epoch_time_in_millis: start,
                  end_epoch_time_in_millis: start + HOUR
                })
              }),
              (response) =>
                JSON.parse(new TextDecoder().decode(response.bytes)) as ReadonlyArray<{ date: string; log: string }>
            ),
          { concurrency: 4 }
        ).pipe(Effect.map((hours) => hours.flat()))
      ])
    )
    const idOf = (log: string) => (JSON.parse(log) as { id: string }).id
    const ids = events.map((e) => idOf(e.log))
    expect(new Set(ids).size).toBe(ids.length)
    const expected = reference.filter((e) => Date.parse(e.date) < until)
    expect(ids).toEqual(expected.map((e) => idOf(e.log)))
    expect(events[0]!.timeMillis).toBe(since)
    expect(reference.some((e) => Date.parse(e.date) === until)).toBe(true)
    expect(events.some((e) => e.timeMillis >= until)).toBe(false)
    // The first window ends in the last millisecond of a day, the second starts there: events on both sides.
    const edges = events.filter((e) => e.timeMillis === since + DAY - 1 || e.timeMillis === since + DAY)
    expect(edges.length).toBeGreaterThan(0)
  }, 60_000)
})
