/** logs/fetch: SECURITY_AUDIT events, the [start, end) window, the 24-hour limit, coverage of 60 days, org scope. */
import { describe, expect, it } from "vitest"
import { fixtures } from "../src/index.ts"
import { nestedError, sandbox } from "./harness.ts"

interface LogEntry {
  date: string
  log: string
}
interface Event {
  id: string
  type: string
  desc: string
  ts: string
  orgId: number
  client: { userName: string; userGUID: string; cIP: string }
  data: Record<string, unknown>
}

const hour = 3_600_000
const day = 24 * hour

const setup = async (extra: Record<string, unknown> = {}, user: [string, string] = ["tsUserA", "Guest@123!"]) => {
  const s = await sandbox()
  const t = await s.token(...user, extra)
  const fetchLogs = async (body: Record<string, unknown>) => {
    const r = await s.call("logs/fetch", { log_type: "SECURITY_AUDIT", ...body }, { token: t })
    return r
  }
  const events = async (start: number, end: number, more: Record<string, unknown> = {}) => {
    const r = await fetchLogs({ start_epoch_time_in_millis: start, end_epoch_time_in_millis: end, ...more })
    expect(r.status, r.text).toBe(200)
    return r.json<Array<LogEntry>>().map((e) => ({ date: e.date, ...(JSON.parse(e.log) as Event) }))
  }
  return { ...s, t, fetchLogs, events }
}

describe("logs/fetch", () => {
  it("returns-date-and-log-entries-whose-log-is-an-event-json", async () => {
    const { fetchLogs } = await setup()
    const r = await fetchLogs({})
    expect(r.status).toBe(200)
    const entries = r.json<Array<LogEntry>>()
    expect(entries.length).toBeGreaterThan(24)
    for (const e of entries) {
      expect(Object.keys(e).sort()).toEqual(["date", "log"])
      const ev = JSON.parse(e.log) as Event
      expect(Object.keys(ev).sort()).toEqual(["client", "data", "desc", "id", "orgId", "ts", "type"])
      expect(ev.ts).toBe(e.date)
      expect(ev.client.userGUID).toMatch(/^[0-9a-f-]{36}$/)
    }
  })

  it("defaults-to-the-last-24-hours-up-to-now", async () => {
    const { fetchLogs, clock } = await setup()
    const events = (await fetchLogs({})).json<Array<LogEntry>>().map((e) => Date.parse(e.date))
    expect(Math.min(...events)).toBeGreaterThanOrEqual(clock.nowMs - day)
    expect(Math.max(...events)).toBeLessThanOrEqual(clock.nowMs)
    expect([...events].sort((a, b) => a - b)).toEqual(events)
  })

  it("one-bound-alone-means-24-hours-from-or-before-it", async () => {
    const { fetchLogs, events, clock } = await setup()
    const start = clock.nowMs - 3 * day
    const ids = async (body: Record<string, unknown>) =>
      (await fetchLogs(body)).json<Array<LogEntry>>().map((e) => (JSON.parse(e.log) as Event).id)
    expect(await ids({ start_epoch_time_in_millis: start })).toEqual(
      (await events(start, start + day)).map((e) => e.id)
    )
    expect(await ids({ end_epoch_time_in_millis: start })).toEqual((await events(start - day, start)).map((e) => e.id))
  })

  it("refuses-a-window-longer-than-24-hours", async () => {
    const { fetchLogs, clock } = await setup()
    const end = clock.nowMs
    const tooLong = await fetchLogs({ start_epoch_time_in_millis: end - day - 1, end_epoch_time_in_millis: end })
    expect(tooLong.status).toBe(400)
    const error = nestedError(tooLong.text)
    expect(error.code).toBe(10002)
    expect(error.debug[0]).toContain("must not exceed 24 hours")
    const exactly = await fetchLogs({ start_epoch_time_in_millis: end - day, end_epoch_time_in_millis: end })
    expect(exactly.status).toBe(200)
    const reversed = await fetchLogs({ start_epoch_time_in_millis: end, end_epoch_time_in_millis: end - 1 })
    expect(reversed.status).toBe(400)
    expect((await fetchLogs({ log_type: "ACCESS" })).status).toBe(400)
    expect((await fetchLogs({ log_type: null })).status).toBe(400)
  })

  it("start-is-inclusive-and-end-exclusive", async () => {
    const { events, clock } = await setup()
    // UTC midnight always holds an event exactly on it.
    const midnight = Math.floor((clock.nowMs - 2 * day) / day) * day
    const after = await events(midnight, midnight + hour)
    expect(after[0]!.ts).toBe(new Date(midnight).toISOString())
    const before = await events(midnight - hour, midnight)
    expect(before.map((e) => e.id)).not.toContain(after[0]!.id)
    expect(before.every((e) => Date.parse(e.ts) < midnight)).toBe(true)
  })

  it("covers-60-days-with-many-events-a-day-unique-ids-and-edge-events", async () => {
    const { events, clock } = await setup()
    const end = Math.floor(clock.nowMs / day) * day
    const ids = new Set<string>()
    let onHour = 0
    let lastMs = 0
    for (let d = 60; d >= 1; d--) {
      const from = end - d * day
      const list = await events(from, from + day)
      expect(list.length).toBeGreaterThanOrEqual(24)
      for (const e of list) {
        expect(ids.has(e.id)).toBe(false)
        ids.add(e.id)
        const t = Date.parse(e.ts)
        if (t % hour === 0) onHour++
        if (t % hour === hour - 1) lastMs++
      }
    }
    expect(onHour).toBeGreaterThanOrEqual(60)
    expect(lastMs).toBeGreaterThan(60)
    // Windows split differently see the same events.
    const whole = await events(end - day, end)
    const halves = [...(await events(end - day, end - 12 * hour)), ...(await events(end - 12 * hour, end))]
    expect(halves.map((e) => e.id)).toEqual(whole.map((e) => e.id))
  })

  it("an-instant-keeps-its-events-as-the-clock-moves", async () => {
    const { events, clock } = await setup({ validity_time_in_sec: 10 * 86_400 })
    const from = clock.nowMs - 5 * day
    const first = await events(from, from + day)
    clock.advance(3 * day + 1234)
    expect(await events(from, from + day)).toEqual(first)
    // Nothing after now.
    const recent = await events(clock.nowMs - hour, clock.nowMs + hour)
    expect(recent.every((e) => Date.parse(e.ts) <= clock.nowMs)).toBe(true)
  })

  it("is-scoped-to-the-token-org-and-get-all-logs-widens-the-primary-org", async () => {
    const emea = fixtures.orgs[1]!
    const inEmea = await setup({ org_id: emea.id })
    const end = inEmea.clock.nowMs
    const emeaEvents = await inEmea.events(end - day, end)
    expect(emeaEvents.length).toBeGreaterThan(0)
    expect(new Set(emeaEvents.map((e) => e.orgId))).toEqual(new Set([emea.id]))
    const primary = await setup()
    const all = await primary.events(end - day, end)
    // An inactive Org has no events (no one can sign in to it).
    const active = fixtures.orgs.filter((o) => o.status === "ACTIVE")
    expect(new Set(all.map((e) => e.orgId))).toEqual(new Set(active.map((o) => o.id)))
    const own = await primary.events(end - day, end, { get_all_logs: false })
    expect(new Set(own.map((e) => e.orgId))).toEqual(new Set([0]))
    expect(own.length + emeaEvents.length).toBeLessThan(all.length)
  })

  it("needs-the-administration-privilege", async () => {
    const { fetchLogs } = await setup({}, ["tsViewer", "Viewer@123!"])
    const r = await fetchLogs({})
    expect(r.status).toBe(403)
    expect(nestedError(r.text).debug[0]).toContain("ADMINISTRATION")
  })
})
