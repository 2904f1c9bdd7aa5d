/** Modification times that move: `sandbox.touch(ids)` and `POST /__sandbox/touch`, seen through metadata/search. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { sandbox } from "./harness.ts"

const answerId = fixtures.answers["Order Details"].id

describe("touch", () => {
  it("moves-the-modified-time-metadata-search-reports", async () => {
    const { sb, call, token, clock } = await sandbox()
    const t = await token()
    const modifiedOf = async (id: string) =>
      (await call("metadata/search", { metadata: [{ identifier: id }] }, { token: t })).json<
        Array<{ metadata_header: { modified: number } }>
      >()[0]!.metadata_header.modified
    const before = await modifiedOf(answerId)
    expect(before).toBe(Date.parse("2025-06-15T12:30:00Z"))
    clock.advance(60_000)
    expect(sb.touch([answerId])).toEqual([{ id: answerId, modified: clock.nowMs }])
    expect(await modifiedOf(answerId)).toBe(clock.nowMs)
    // A second touch within the same millisecond still moves it.
    sb.touch([answerId])
    expect(await modifiedOf(answerId)).toBe(clock.nowMs + 1)
    // Sorting by MODIFIED sees the new time.
    const newest = (
      await call(
        "metadata/search",
        { metadata: [{ type: "ANSWER" }], sort_options: { field_name: "MODIFIED", order: "DESC" } },
        { token: t }
      )
    ).json<Array<{ metadata_id: string }>>()[0]!
    expect(newest.metadata_id).toBe(answerId)
  })

  it("is-per-sandbox", async () => {
    const a = await sandbox()
    const b = await sandbox()
    a.clock.advance(1000)
    a.sb.touch([answerId])
    const t = await b.token()
    const r = await b.call("metadata/search", { metadata: [{ identifier: answerId }] }, { token: t })
    expect(r.json<Array<{ metadata_header: { modified: number } }>>()[0]!.metadata_header.modified).toBe(
      Date.parse("2025-06-15T12:30:00Z")
    )
  })

  it("an-unknown-id-fails-loudly-and-changes-nothing", async () => {
    const { sb, call, token, clock } = await sandbox()
    const lb = fixtures.liveboards["Sales Overview"].id
    clock.advance(1000)
    expect(() => sb.touch([lb, "no-such-guid"])).toThrow(/no-such-guid/)
    // The liveboard before the bad id was not touched either.
    const r = await call("metadata/search", { metadata: [{ identifier: lb }] }, { token: await token() })
    expect(r.json<Array<{ metadata_header: { modified: number } }>>()[0]!.metadata_header.modified).toBe(
      Date.parse("2025-07-01T08:00:00Z")
    )
  })

  it("works-over-the-loopback-control-route", async () => {
    const { sb, call, token, clock } = await sandbox()
    clock.advance(5000)
    const headers = { "user-agent": "test", "content-type": "application/json" }
    const r = await fetch(`${sb.url}/__sandbox/touch`, {
      method: "POST",
      headers,
      body: JSON.stringify({ ids: [answerId] })
    })
    expect(r.status).toBe(200)
    expect(await r.json()).toEqual({ touched: [{ id: answerId, modified: clock.nowMs }] })
    const found = await call("metadata/search", { metadata: [{ identifier: answerId }] }, { token: await token() })
    expect(found.json<Array<{ metadata_header: { modified: number } }>>()[0]!.metadata_header.modified).toBe(
      clock.nowMs
    )
    const bad = await fetch(`${sb.url}/__sandbox/touch`, { method: "POST", headers, body: '{"ids":["nope"]}' })
    expect(bad.status).toBe(400)
    expect(await bad.text()).toContain("Cannot touch 'nope'")
    expect((await fetch(`${sb.url}/__sandbox/other`, { method: "POST", headers, body: "{}" })).status).toBe(404)
  })

  it("touches-objects-of-other-orgs", async () => {
    const { sb, call, token, clock } = await sandbox()
    const emea = fixtures.orgs[1]!
    const id = emea.objects["EMEA Sales Pulse"]!.id
    clock.advance(1)
    sb.touch([id])
    const t = await token("tsUserA", "Guest@123!", { org_id: emea.id })
    const r = await call("metadata/search", { metadata: [{ identifier: id }] }, { token: t })
    expect(r.json<Array<{ metadata_header: { modified: number } }>>()[0]!.metadata_header.modified).toBe(clock.nowMs)
  })
})
