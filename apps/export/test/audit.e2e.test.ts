/**
 * `spotpipe audit`, end to end (the built CLI against loopback sandboxes): 30 days of SECURITY_AUDIT events read in
 * core's windows of at most 24 hours (the requests counted in the sandbox's request log), every event exactly once
 * against the sandbox's own list (read in exact [start, end) days, the sandbox's documented window), the typed
 * columns, `--since last` continuing where the previous successful run ended, and a failed run leaving that point.
 * Runs are in-process (runCliInProcess) but the 30-day read, a real process so the command runs once as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { AuditLog } from "@spotpipe/core"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }
const DAY = 86_400_000

let sandbox: RunningSandbox
const requestLog: Array<string> = []

beforeAll(async () => {
  sandbox = await startSandbox({ log: (line) => requestLog.push(line) })
})

afterAll(async () => {
  await sandbox?.close()
})

const tempDir = tempFolders("spotpipe-audit-")

const ndjson = (text: string): Array<Record<string, unknown>> =>
  text === ""
    ? []
    : text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line) as Record<string, unknown>)

/** The sandbox's own events of [since, until): back-to-back requests of exactly one day, its [start, end) windows. */
const referenceEvents = async (since: number, until: number) => {
  const headers = { "content-type": "application/json", "user-agent": "spotpipe-test" }
  const login = await fetch(`${sandbox.url}/api/rest/2.0/auth/token/full`, {
    method: "POST",
    headers,
    body: JSON.stringify({ username: fixtures.user.username, password: fixtures.user.password })
  })
  const { token } = (await login.json()) as { token: string }
  const events: Array<{ date: string; log: string }> = []
  for (let start = since; start < until; start += DAY) {
    const response = await fetch(`${sandbox.url}/api/rest/2.0/logs/fetch`, {
      method: "POST",
      headers: { ...headers, authorization: `Bearer ${token}` },
      body: JSON.stringify({
        log_type: "SECURITY_AUDIT",
        start_epoch_time_in_millis: start,
        end_epoch_time_in_millis: Math.min(until, start + DAY)
      })
    })
    events.push(...((await response.json()) as Array<{ date: string; log: string }>))
  }
  return events
}

const auditRequests = () => requestLog.filter((line) => line.includes("/logs/fetch ")).length
const iso = (millis: number) => new Date(millis).toISOString()
const watermarks = (dir: string) =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, ".spotpipe-state", "watermarks.json"), "utf8")) as {
    exports: Record<string, { kind: string; value: string; run_id: string }>
  }

describe("spotpipe audit", () => {
  it("reads 30 days in core's windows, each event exactly once, with typed columns", timeout, async () => {
    // Midnights, days ago (the sandbox keeps 90 days and puts an event exactly on every UTC midnight).
    const since = Math.floor(Date.now() / DAY) * DAY - 40 * DAY
    const until = since + 30 * DAY
    const dir = tempDir()
    const before = auditRequests()
    const run = await runCli(
      ["audit", "--since", iso(since), "--until", iso(until), "--format", "ndjson", "--out", dir, "--quiet"],
      { env: sandboxEnv(sandbox) }
    )
    // Only the warning that ThoughtSpot itself keeps 30 days (the sandbox keeps 90).
    expect(run.stderr.trimEnd().split("\n")).toEqual([
      `spotpipe: warning: audit log: the range starts at ${iso(since)}, more than 30 days before now: ThoughtSpot keeps security events for 30 days, so the file may lack those from before about ${run.stderr.match(/before about (\S+Z)/)?.[1]}: a stretch without events there does not mean none happened`
    ])
    expect(run.code).toBe(0)
    // Core asks for `start − 1 … end` (24 h at most), so a window holds 24 h − 1 ms: 30 days are 31 requests,
    // the last one 30 ms long. Each is counted in the sandbox's own request log.
    expect(AuditLog.windows(since, until).length).toBe(31)
    expect(auditRequests() - before).toBe(31)

    const rows = ndjson(NodeFs.readFileSync(NodePath.join(dir, "audit-log.ndjson"), "utf8"))
    const reference = await referenceEvents(since, until)
    expect(reference.length).toBeGreaterThan(30 * 24)
    expect(rows.map((row) => row["id"])).toEqual(reference.map((e) => (JSON.parse(e.log) as { id: string }).id))
    // Midnight events sit on the windows' edges: the first row is the range's first instant.
    expect(rows[0]!["date"]).toBe(iso(since))
    for (const [i, row] of rows.entries()) {
      const event = JSON.parse(reference[i]!.log) as {
        type: string
        desc: string
        orgId: number
        client: { userName: string; userGUID: string; cIP: string }
      }
      expect(row).toEqual({
        id: (JSON.parse(reference[i]!.log) as { id: string }).id,
        type: event.type,
        time_to_second: `${reference[i]!.date.slice(0, 19)}Z`,
        date: reference[i]!.date,
        user: event.client.userName,
        user_id: event.client.userGUID,
        client_ip: event.client.cIP,
        org_id: event.orgId,
        description: event.desc,
        log: reference[i]!.log
      })
    }
    const manifest = JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as {
      outputs: Array<{ source: { query: string }; columns: Array<{ name: string; type: string }>; watermark: unknown }>
    }
    expect(manifest.outputs[0]!.source.query).toBe(`${iso(since)}/${iso(until)}`)
    expect(manifest.outputs[0]!.columns.map((c) => `${c.name}:${c.type}`)).toEqual([
      "id:VARCHAR",
      "type:VARCHAR",
      "time_to_second:DATE_TIME",
      "date:VARCHAR",
      "user:VARCHAR",
      "user_id:VARCHAR",
      "client_ip:VARCHAR",
      "org_id:INT64",
      "description:VARCHAR",
      "log:VARCHAR"
    ])
    expect(manifest.outputs[0]!.watermark).toEqual({ kind: "audit", value: iso(until) })
  })

  it(
    "--since last continues where the previous successful run ended; a failed run leaves that point",
    timeout,
    async () => {
      const start = Math.floor(Date.now() / DAY) * DAY - 10 * DAY
      const middle = start + 2 * DAY + 3_600_000
      const end = middle + DAY
      const dir = tempDir()
      const env = sandboxEnv(sandbox)
      const first = await runCliInProcess(
        ["audit", "--since", iso(start), "--until", iso(middle), "--format", "ndjson", "--out", dir, "--quiet"],
        { env }
      )
      expect(first.code, first.stderr).toBe(0)
      const firstRows = ndjson(NodeFs.readFileSync(NodePath.join(dir, "audit-log.ndjson"), "utf8"))
      const marks = watermarks(dir)
      expect(Object.values(marks.exports).map((m) => [m.kind, m.value])).toEqual([["audit", iso(middle)]])
      const markText = NodeFs.readFileSync(NodePath.join(dir, ".spotpipe-state", "watermarks.json"))

      // A user without ADMINISTRATION is refused the audit log: the run fails, and the watermark stays. (It may
      // not read GET system either, so it is told the time zone.)
      const failed = await runCliInProcess(
        ["audit", "--since", "last", "--until", iso(end), "--timezone", "America/Los_Angeles", "--out", dir, "--force"],
        { env: sandboxEnv(sandbox, fixtures.limitedUser) }
      )
      expect(failed.code).toBe(1)
      // Said as what the audit log needs (not as an object to share): the privilege, and where.
      expect(failed.stderr).toContain(
        "audit log: reading the security audit log (logs/fetch) needs the ADMINISTRATION privilege (Can administer ThoughtSpot;"
      )
      expect(failed.stderr).not.toContain("share it with this user")
      expect(NodeFs.readFileSync(NodePath.join(dir, ".spotpipe-state", "watermarks.json")).equals(markText)).toBe(true)

      const second = await runCliInProcess(
        ["audit", "--since", "last", "--until", iso(end), "--format", "ndjson", "--out", dir, "--force", "--quiet"],
        { env }
      )
      expect(second.code, second.stderr).toBe(0)
      const secondRows = ndjson(NodeFs.readFileSync(NodePath.join(dir, "audit-log.ndjson"), "utf8"))
      const ids = [...firstRows, ...secondRows].map((row) => row["id"])
      const reference = await referenceEvents(start, end)
      // Together the two runs hold every event of [start, end) once: no gap and no overlap at `middle`.
      expect(ids).toEqual(reference.map((e) => (JSON.parse(e.log) as { id: string }).id))
      expect(Object.values(watermarks(dir).exports).map((m) => m.value)).toEqual([iso(end)])
    }
  )

  it(
    "reads the user, address and Org of events as ThoughtSpot documents them (top-level userName, userGUID, cIP)",
    timeout,
    async () => {
      // The documented shape (log version 1.1): the user and the address at the top of the event, no client object.
      const documented = (log: string) => {
        const { client, ...event } = JSON.parse(log) as { client: Record<string, string> }
        return JSON.stringify({
          version: "1.1",
          ...event,
          userGUID: client["userGUID"],
          userName: client["userName"],
          cIP: client["cIP"]
        })
      }
      const proxy = await startRewritingProxy(sandbox.url, {
        response: (text, request) =>
          request.url.endsWith("/logs/fetch")
            ? JSON.stringify(
                (JSON.parse(text) as Array<{ date: string; log: string }>).map((e) => ({
                  ...e,
                  log: documented(e.log)
                }))
              )
            : text
      })
      try {
        const since = Math.floor(Date.now() / DAY) * DAY - 3 * DAY
        const dir = tempDir()
        const run = await runCliInProcess(
          ["audit", "--since", iso(since), "--until", iso(since + DAY), "--format", "ndjson", "--out", dir, "--quiet"],
          { env: { ...sandboxEnv(sandbox), THOUGHTSPOT_HOST: proxy.url } }
        )
        expect(run.code, run.stderr).toBe(0)
        const rows = ndjson(NodeFs.readFileSync(NodePath.join(dir, "audit-log.ndjson"), "utf8"))
        const reference = await referenceEvents(since, since + DAY)
        expect(rows.length).toBe(reference.length)
        for (const [i, row] of rows.entries()) {
          const event = JSON.parse(reference[i]!.log) as {
            orgId: number
            client: { userName: string; userGUID: string; cIP: string }
          }
          expect([row["user"], row["user_id"], row["client_ip"], row["org_id"]]).toEqual([
            event.client.userName,
            event.client.userGUID,
            event.client.cIP,
            event.orgId
          ])
          expect(row["log"]).toBe(documented(reference[i]!.log))
        }
      } finally {
        await proxy.close()
      }
    }
  )

  it(
    "--orgs all --since last with an Org that has no run yet names that Org and how to give it its first run alone",
    timeout,
    async () => {
      const dir = tempDir()
      const env = sandboxEnv(sandbox)
      const start = iso(Math.floor(Date.now() / DAY) * DAY - 3 * DAY)
      const end = iso(Math.floor(Date.now() / DAY) * DAY - 2 * DAY)
      const first = await runCliInProcess(
        ["audit", "--orgs", "all", "--since", start, "--until", end, "--out", dir, "--quiet"],
        {
          env
        }
      )
      expect(first.code, first.stderr).toBe(0)
      // An Org added since (here: one whose watermark is gone) has no point to continue from.
      const newcomer = fixtures.orgs[2]!
      const file = NodePath.join(dir, ".spotpipe-state", "watermarks.json")
      const marks = watermarks(dir)
      const id = Object.keys(marks.exports).find((key) => key.includes(`"org":${newcomer.id}`))!
      delete marks.exports[id]
      NodeFs.writeFileSync(file, JSON.stringify(marks))
      const next = await runCliInProcess(
        ["audit", "--orgs", "all", "--since", "last", "--until", "1d", "--out", dir, "--force"],
        {
          env
        }
      )
      // The other Orgs are not held back by it: they are read and move on; the newcomer fails the command (exit 1).
      expect(next.code).toBe(1)
      expect(next.stderr).toContain(`1 of 3 Orgs failed: ${newcomer.id} (${newcomer.name})`)
      const moved = watermarks(dir)
      expect(Object.keys(moved.exports).filter((key) => moved.exports[key]!.value !== end)).toHaveLength(2)
      expect(next.stderr).toContain(`audit log in Org "${newcomer.name}": --since last needs an earlier successful run`)
      expect(next.stderr).toContain(
        `give that Org its first run alone (--orgs ${newcomer.id} --since DATE), so the other Orgs keep their points`
      )
    }
  )

  it(
    "--orgs warns when an Org's read holds events of other Orgs (a cluster that does not honour get_all_logs: false)",
    timeout,
    async () => {
      // The cluster answers every Org's read as if get_all_logs were true: the Primary Org's gets every Org's.
      const proxy = await startRewritingProxy(sandbox.url, {
        request: (body) => body.replace(/,?"get_all_logs":false/, "")
      })
      try {
        const since = Math.floor(Date.now() / DAY) * DAY - 3 * DAY
        const dir = tempDir()
        const args = ["audit", "--orgs", "all", "--since", iso(since), "--until", iso(since + DAY), "--out", dir]
        const run = await runCliInProcess([...args, "--quiet"], {
          env: { ...sandboxEnv(sandbox), THOUGHTSPOT_HOST: proxy.url }
        })
        expect(run.code, run.stderr).toBe(0)
        const others = (await referenceEvents(since, since + DAY)).filter(
          (e) => (JSON.parse(e.log) as { orgId: number }).orgId !== 0
        ).length
        expect(others).toBeGreaterThan(0)
        const lines = run.stderr.trimEnd().split("\n")
        expect(lines).toEqual([
          // The sandbox's inactive Org is skipped (see orgs.e2e.test.ts).
          expect.stringContaining("spotpipe: warning: --orgs all skips an inactive Org"),
          expect.stringContaining(
            `spotpipe: warning: audit log in Org "Primary": ${others} of its events belong to other Orgs (org_id ${fixtures.orgs
              .filter((o) => o.id !== 0 && o.status === "ACTIVE")
              .map((o) => o.id)
              .join(", ")}): ThoughtSpot did not limit the read to this Org`
          )
        ])
        // Read as ThoughtSpot documents get_all_logs: false, each Org's read holds its own events only: no warning.
        const honoured = await runCliInProcess([...args, "--force", "--quiet"], { env: sandboxEnv(sandbox) })
        expect(honoured.code, honoured.stderr).toBe(0)
        expect(honoured.stderr.trimEnd().split("\n")).toEqual([
          expect.stringContaining("spotpipe: warning: --orgs all skips an inactive Org")
        ])
      } finally {
        await proxy.close()
      }
    }
  )

  it("--dry-run plans the file and its columns, reads one event and writes nothing", timeout, async () => {
    const dir = NodePath.join(tempDir(), "landing")
    const before = auditRequests()
    const run = await runCliInProcess(["audit", "--since", "2d", "--out", dir, "--dry-run"], {
      env: sandboxEnv(sandbox)
    })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain("audit-log.csv")
    expect(run.stdout).toContain(
      "10: id, type, time_to_second, date, user, user_id, client_ip, org_id, description, log"
    )
    expect(run.stdout).toContain("dry run: 1 file, the rows of 1 audit log (counted as they are read) would be written")
    expect(auditRequests() - before).toBe(1)
    expect(NodeFs.existsSync(dir)).toBe(false)
  })

  it(
    "a range ending less than 30 minutes before now warns that late events will be missed; one ending earlier does not",
    timeout,
    async () => {
      const env = sandboxEnv(sandbox)
      const recent = await runCliInProcess(["audit", "--since", "2h", "--out", tempDir(), "--quiet"], { env })
      expect(recent.code, recent.stderr).toBe(0)
      expect(recent.stderr).toMatch(
        /audit log: the range ends at \S+Z, less than 30 minutes before now: ThoughtSpot may still add events of that time/
      )
      expect(recent.stderr).toContain("a later --since last run, starting at that end, will not read them")
      const settled = await runCliInProcess(
        ["audit", "--since", "2h", "--until", "30m", "--out", tempDir(), "--quiet"],
        {
          env
        }
      )
      expect(settled.code, settled.stderr).toBe(0)
      expect(settled.stderr).toBe("")
      // A range starting beyond the 30 days ThoughtSpot keeps events for is said to hold none of that time.
      const old = await runCliInProcess(["audit", "--since", "40d", "--until", "39d", "--out", tempDir(), "--quiet"], {
        env
      })
      expect(old.code, old.stderr).toBe(0)
      expect(old.stderr).toMatch(
        /audit log: the range starts at \S+Z, more than 30 days before now: ThoughtSpot keeps security events for 30 days/
      )
      // The help's example of a chained run ends a while back, and replaces the previous run's file.
      const help = await runCliInProcess(["audit", "--help"], { env })
      expect(help.stdout).toContain("spotpipe audit --since last --until 1h --format ndjson --out ./audit --force")
    }
  )

  it("--since last without an earlier run, and an --until in the future, are usage errors", timeout, async () => {
    const dir = tempDir()
    const none = await runCliInProcess(["audit", "--since", "last", "--out", dir], { env: sandboxEnv(sandbox) })
    expect(none.code).toBe(2)
    expect(none.stderr).toContain("needs an earlier successful run of this export")
    const future = await runCliInProcess(["audit", "--since", "1d", "--until", iso(Date.now() + DAY), "--out", dir], {
      env: sandboxEnv(sandbox)
    })
    expect(future.code).toBe(2)
    expect(future.stderr).toContain("is in the future")
    // A date before any ThoughtSpot audit event: said in the dates given, not as core's epoch-milliseconds check.
    const ancient = await runCliInProcess(["audit", "--since", "1999-01-01", "--until", "1999-01-02", "--out", dir], {
      env: sandboxEnv(sandbox)
    })
    expect(ancient.code).toBe(2)
    expect(ancient.stderr).toContain(
      "--since 1999-01-01T00:00:00.000Z is before 2001-09-09T01:46:40.000Z, where ThoughtSpot keeps no audit events"
    )
    expect(ancient.stderr).not.toContain("milliseconds")
    const bad = await runCliInProcess(["audit", "--since", "yesterday", "--out", dir], { env: sandboxEnv(sandbox) })
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain("is not a time")
    // 31 April is no day: refused, not read as 1 May.
    const noDay = await runCliInProcess(
      ["audit", "--since", "2026-04-31T00:00:00Z", "--until", "2026-05-02", "--out", dir],
      {
        env: sandboxEnv(sandbox)
      }
    )
    expect(noDay.code).toBe(2)
    expect(noDay.stderr).toContain('--since "2026-04-31T00:00:00Z" is not a time')
    // An event's date copied from the file as ThoughtSpot sent it (microseconds): refused, saying what to give.
    const copied = await runCliInProcess(["audit", "--since", "2026-12-01T05:04:09.290175Z", "--out", dir], {
      env: sandboxEnv(sandbox)
    })
    expect(copied.code).toBe(2)
    expect(copied.stderr).toContain("it has digits finer than a millisecond: keep three")
  })
})
