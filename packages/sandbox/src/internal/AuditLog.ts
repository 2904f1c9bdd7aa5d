/**
 * `POST logs/fetch` (SECURITY_AUDIT): generated security audit events. Events sit on a fixed grid of UTC hours,
 * so the same instant always holds the same events whatever the clock reads; only what is visible moves (the
 * last 90 days up to the sandbox's now). Every hour has 1–5 events with unique ids; each UTC midnight and
 * about a third of the other hours have one exactly on the hour, and about a quarter have one in the hour's
 * last millisecond, so a client that splits a long range into windows shows a gap or a duplicate at the edges.
 *
 * Window: `start_epoch_time_in_millis` inclusive, `end_epoch_time_in_millis` exclusive ([start, end)). The
 * docs do not say; this is the sandbox's choice, and consecutive windows [a, b), [b, c) cover each event once.
 * A window longer than 24 hours is refused (the docs: "Make sure the log duration … doesn't exceed 24 hours");
 * the error text is the sandbox's own, as no published ThoughtSpot message was found.
 */
import type { Route } from "./Api.ts"
import { badRequest, forbidden } from "./ApiError.ts"
import { hash3, stableGuid } from "./Hash.ts"
import { holdsPrivilege, type OrgContent, orgOf, orgs } from "./Orgs.ts"
import { bool, json, oneOf } from "./Params.ts"

const hourMs = 3_600_000
const dayMs = 24 * hourMs
/** How far back events are kept. */
export const auditRetentionMs = 90 * dayMs
const salt = 0x5ec0a0d1

const kinds = [
  ["USER_LOGIN_SUCCESSFUL", "User login successful"],
  ["USER_LOGIN_FAILED", "User login failed"],
  ["USER_LOGOUT", "User logged out"],
  ["METADATA_OBJECT_CREATED", "Metadata object created"],
  ["METADATA_OBJECT_MODIFIED", "Metadata object modified"],
  ["METADATA_OBJECT_DELETED", "Metadata object deleted"],
  ["METADATA_OBJECT_SHARED", "Metadata object shared"],
  ["GROUP_PRIVILEGES_MODIFIED", "Group privileges modified"],
  ["USER_PASSWORD_CHANGED", "User password changed"]
] as const

/** One generated event. */
export interface AuditEvent {
  readonly id: string
  readonly tsMs: number
  readonly orgId: number
  readonly type: string
  readonly desc: string
  readonly client: { readonly userName: string; readonly userGUID: string; readonly cIP: string }
  readonly data: Readonly<Record<string, unknown>>
}

const pick = <T>(list: ReadonlyArray<T>, h: number): T => list[h % list.length]!

const makeEvent = (hour: number, k: number, tsMs: number): AuditEvent => {
  const h = (stream: number) => hash3(salt, hour * 8 + k, stream)
  const orgPick = h(1) % 10
  const org: OrgContent = orgPick < 6 ? orgs[0]! : orgPick < 8 ? orgs[1]! : orgs[2]!
  const m = pick(org.members, h(2))
  const [type, desc] = pick(kinds, h(3))
  const secured = org.objects.filter((o) => o.type === "ANSWER" || o.type === "LIVEBOARD" || o.type === "LOGICAL_TABLE")
  const o = pick(secured, h(4))
  const g = pick(org.groups, h(5))
  const data: Record<string, unknown> = type.startsWith("USER_")
    ? { userName: m.user.name }
    : type === "METADATA_OBJECT_SHARED"
      ? { pinboardIds: JSON.stringify([o.id]) }
      : type === "GROUP_PRIVILEGES_MODIFIED"
        ? {
            modifiedPrivileges: g.privileges,
            currentPrivileges: [],
            groupIdentity: { id: { id: g.object.id }, name: g.object.name, type: "UserGroup" }
          }
        : { metadataId: o.id, metadataName: o.name, metadataType: o.type }
  return {
    id: stableGuid(`audit:${hour}:${k}`),
    tsMs,
    orgId: org.org.id,
    type,
    desc,
    client: { userName: m.user.name, userGUID: m.user.id, cIP: `10.${h(6) % 4}.${h(7) % 256}.${1 + (h(8) % 254)}` },
    data
  }
}

/** The events of one UTC hour (index = epoch ms / 1 h), in time order. */
export const eventsOfHour = (hour: number): ReadonlyArray<AuditEvent> => {
  const count = 1 + (hash3(salt, hour, 0) % 5)
  const start = hour * hourMs
  const onTheHour = hour % 24 === 0 || hash3(salt, hour, 1) % 3 === 0
  const lastMs = hash3(salt, hour, 2) % 4 === 0
  const times: Array<number> = []
  for (let k = 0; k < count; k++) {
    if (k === 0 && onTheHour) times.push(start)
    else if (k === count - 1 && lastMs) times.push(start + hourMs - 1)
    else times.push(start + 1 + (hash3(salt, hour, 10 + k) % (hourMs - 2)))
  }
  times.sort((a, b) => a - b)
  return times.map((t, k) => makeEvent(hour, k, t))
}

/** Every event in [startMs, endMs), oldest first. */
export const eventsBetween = (startMs: number, endMs: number): ReadonlyArray<AuditEvent> => {
  const out: Array<AuditEvent> = []
  for (let hour = Math.floor(startMs / hourMs); hour * hourMs < endMs; hour++) {
    for (const e of eventsOfHour(hour)) if (e.tsMs >= startMs && e.tsMs < endMs) out.push(e)
  }
  return out
}

const epochMillis = (body: Record<string, unknown>, key: string): number | undefined => {
  const v = body[key]
  if (v === undefined || v === null) return undefined
  if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
    throw badRequest(`Invalid parameter values: ${key} must be epoch milliseconds (a number ≥ 0)`)
  }
  return v
}

/** The `logs/fetch` route. */
export const auditLogRoutes = (now: () => number): Readonly<Record<string, Route>> => ({
  "logs/fetch": {
    method: "POST",
    auth: true,
    handle: (req) => {
      const p = req.principal!
      const org = orgOf(p)
      const b = req.body
      const logType = oneOf(b, "log_type", ["SECURITY_AUDIT"])
      if (logType === undefined) throw badRequest("Invalid parameter values: log_type is required (SECURITY_AUDIT).")
      if (!holdsPrivilege(org, p.user.id, "ADMINISTRATION")) {
        throw forbidden(
          "Fetching security audit logs requires the ADMINISTRATION (Can administer ThoughtSpot) privilege."
        )
      }
      const nowMs = now()
      const start = epochMillis(b, "start_epoch_time_in_millis")
      const end = epochMillis(b, "end_epoch_time_in_millis")
      // Without times, the last 24 hours (the documented default); with one, the other is 24 hours away.
      const endMs = end ?? (start === undefined ? nowMs : start + dayMs)
      const startMs = start ?? endMs - dayMs
      if (endMs < startMs) {
        throw badRequest(
          "Invalid parameter values: end_epoch_time_in_millis must not be before start_epoch_time_in_millis."
        )
      }
      if (endMs - startMs > dayMs) {
        throw badRequest(
          "Invalid parameter values: the interval between start_epoch_time_in_millis and end_epoch_time_in_millis " +
            `must not exceed 24 hours (86400000 ms); it is ${endMs - startMs} ms. Fetch longer ranges in consecutive requests.`
        )
      }
      // The Primary org's administrators see every org's events unless get_all_logs is false (default true).
      const allOrgs = org.org.id === 0 && bool(b, "get_all_logs", true)
      const from = Math.max(startMs, nowMs - auditRetentionMs)
      const to = Math.min(endMs, nowMs + 1)
      const events = from < to ? eventsBetween(from, to) : []
      return json(
        events
          .filter((e) => allOrgs || e.orgId === org.org.id)
          .map((e) => {
            const date = new Date(e.tsMs).toISOString()
            const log = {
              id: e.id,
              type: e.type,
              desc: e.desc,
              ts: date,
              client: e.client,
              data: e.data,
              orgId: e.orgId
            }
            return { date, log: JSON.stringify(log) }
          })
      )
    }
  }
})
