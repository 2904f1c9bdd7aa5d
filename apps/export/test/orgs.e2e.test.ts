/**
 * `--orgs` over Orgs that cannot all be read, end to end (the built CLI against a loopback sandbox, whose
 * "Sales LATAM" is inactive: `orgs/search` lists it with `status: "IN_ACTIVE"`, and a token for it is refused with
 * 403): `--orgs all` exports the active Orgs and names the inactive one it skipped in the log and the manifest; a
 * single command over several Orgs carries on past an Org it cannot read, records it as failed, publishes nothing
 * of it and exits 1 naming it; and an audit export's warnings reach the manifest and `--json`, not only stderr.
 * Runs are in-process (runCliInProcess) but the first, `metadata --orgs all`, a real process as installed.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { fixtures, type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { startRewritingProxy } from "./support/RenamingProxy.ts"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 120_000 }
const DAY = 86_400_000

let sandbox: RunningSandbox
let env: Record<string, string>

beforeAll(async () => {
  sandbox = await startSandbox({ rows: 200, seed: 3 })
  env = sandboxEnv(sandbox)
})

afterAll(async () => {
  await sandbox?.close()
})

const tempDir = tempFolders("spotpipe-orgs-")

interface ManifestLike {
  readonly warnings: ReadonlyArray<string>
  readonly exports: ReadonlyArray<{
    readonly status: string
    readonly error: string | null
    readonly files: ReadonlyArray<string>
    readonly org?: { readonly id: number; readonly name: string }
  }>
  readonly outputs: ReadonlyArray<{
    readonly file: string
    readonly warnings: ReadonlyArray<string>
    readonly org?: { readonly id: number; readonly name: string }
  }>
}

const manifestOf = (dir: string): ManifestLike =>
  JSON.parse(NodeFs.readFileSync(NodePath.join(dir, "manifest.json"), "utf8")) as ManifestLike

const active = fixtures.orgs.filter((o) => o.status === "ACTIVE")
const inactive = fixtures.orgs.find((o) => o.status === "IN_ACTIVE")!
const emea = fixtures.orgs.find((o) => o.name === "Sales EMEA")!
/** What a refused sign-in to the inactive Org says: that Org's access, not the cluster's host or sign-in method. */
const orgRefusal = new RegExp(
  `^ThoughtSpot refused to sign in to Org ${inactive.id} \\(${inactive.name}\\) \\(auth/token/full\\): .*: this user's sign-in to the cluster works, but not into that Org: the user may not belong to it, or it is inactive; ask a ThoughtSpot administrator to add the user to the Org or to activate it, or leave it out of the Orgs to export$`
)
const topFolders = (dir: string) =>
  NodeFs.readdirSync(dir)
    .filter((f) => f.startsWith("org-"))
    .sort()

describe("--orgs and inactive Orgs", () => {
  it(
    "all-exports-the-active-orgs-and-names-the-inactive-one-it-skipped-in-the-log-and-the-manifest",
    timeout,
    async () => {
      const dir = tempDir()
      const run = await runCli(["metadata", "--type", "ANSWER", "--orgs", "all", "--out", dir, "--json", "--quiet"], {
        env
      })
      expect(run.code, run.stderr).toBe(0)
      const warning = `--orgs all skips an inactive Org (status IN_ACTIVE in orgs/search: no one can sign in to it): ${inactive.id} (${inactive.name}); activate it to export it`
      // Once in the log, and nothing else there.
      expect(run.stderr.trimEnd().split("\n")).toEqual([`spotpipe: warning: ${warning}`])
      const manifest = manifestOf(dir)
      expect(manifest.warnings).toEqual([warning])
      // And in the --json report, for a scheduler that reads that.
      expect((JSON.parse(run.stdout) as { warnings: Array<string> }).warnings).toEqual([warning])
      expect(manifest.exports.map((e) => [e.org?.id, e.status])).toEqual(active.map((o) => [o.id, "succeeded"]))
      expect(topFolders(dir).map((f) => Number(f.split("-")[1]))).toEqual(active.map((o) => o.id).sort((a, b) => a - b))
    }
  )

  it("a-job-s-orgs-all-skips-it-the-same-way", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "..", `${NodePath.basename(dir)}-job.json`)
    NodeFs.writeFileSync(job, JSON.stringify({ orgs: "all", exports: [{ type: "permissions" }] }))
    const run = await runCliInProcess(["run", job, "--out", dir, "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(run.stderr).toContain(`${inactive.id} (${inactive.name})`)
    // Named where the choice was made: the job file, not a flag that was never given.
    const warning = `the job file's "orgs": "all" skips an inactive Org (status IN_ACTIVE in orgs/search: no one can sign in to it): ${inactive.id} (${inactive.name}); activate it to export it`
    expect(run.stderr.trimEnd().split("\n")).toEqual([`spotpipe: warning: ${warning}`])
    expect(manifestOf(dir).warnings).toEqual([warning])
    expect(manifestOf(dir).exports.map((e) => e.status)).toEqual(active.map(() => "succeeded"))
  })

  it("a-job-s-orgs-naming-an-inactive-org-says-so-and-its-failure-is-that-org-s", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "..", `${NodePath.basename(dir)}-job.json`)
    NodeFs.writeFileSync(job, JSON.stringify({ orgs: [0, inactive.id], exports: [{ type: "permissions" }] }))
    const run = await runCliInProcess(["run", job, "--out", dir, "--quiet"], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `spotpipe: warning: Org ${inactive.id} (${inactive.name}) is inactive (status IN_ACTIVE in orgs/search) but the job file's "orgs" names it, so it is tried: a cluster lets no one sign in to an inactive Org, so expect it to fail; activate it, or drop it from the job file's "orgs"`
    )
    expect(run.stderr).not.toContain("--orgs")
    const failed = manifestOf(dir).exports.find((e) => e.org?.id === inactive.id)!
    expect(failed.status).toBe("failed")
    expect(failed.error).toMatch(orgRefusal)
    expect(failed.error).not.toContain("--host")
  })

  it("--orgs-all-given-over-a-job-s-orgs-is-named-as-the-flag", timeout, async () => {
    const dir = tempDir()
    const job = NodePath.join(dir, "..", `${NodePath.basename(dir)}-job.json`)
    NodeFs.writeFileSync(job, JSON.stringify({ orgs: [0], exports: [{ type: "permissions" }] }))
    const run = await runCliInProcess(["run", job, "--orgs", "all", "--out", dir, "--quiet"], { env })
    expect(run.code, run.stderr).toBe(0)
    expect(manifestOf(dir).warnings).toEqual([expect.stringMatching(/^--orgs all skips an inactive Org /)])
  })
})

describe("a single command over several Orgs", () => {
  it(
    "an-org-it-cannot-sign-in-to-is-recorded-failed-while-the-others-are-written-and-the-exit-names-it",
    timeout,
    async () => {
      const dir = tempDir()
      // Named by id, the inactive Org is tried (said in a warning), between two that can be read.
      const orgs = `0,${inactive.id},${emea.id}`
      const run = await runCliInProcess(["principals", "--orgs", orgs, "--out", dir, "--json", "--quiet"], { env })
      expect(run.code).toBe(1)
      expect(run.stderr).toContain(
        `spotpipe: warning: Org ${inactive.id} (${inactive.name}) is inactive (status IN_ACTIVE in orgs/search) but --orgs names it, so it is tried`
      )
      expect(run.stderr).toContain(
        `spotpipe: 1 of 3 Orgs failed: ${inactive.id} (${inactive.name}) (the other Orgs' files were written; see ${dir}`
      )
      expect(run.stderr).toContain(`is inactive`)
      expect(run.stderr).toContain(
        `: once that is seen to (this user's access to that Org, or what the message says), export it again alone with --orgs ${inactive.id}`
      )
      const manifest = manifestOf(dir)
      expect(manifest.exports.map((e) => [e.org?.id, e.status])).toEqual([
        [0, "succeeded"],
        [inactive.id, "failed"],
        [emea.id, "succeeded"]
      ])
      const failed = manifest.exports.find((e) => e.org?.id === inactive.id)!
      expect(failed.error).toContain(inactive.name)
      // That Org's own advice, not the cluster's sign-in hint (the cluster took the sign-in: it listed the Orgs).
      expect(failed.error).toMatch(orgRefusal)
      expect(run.stderr).not.toContain("the sign-in method (auth) for this cluster")
      expect(failed.files).toEqual([])
      // Nothing of the failed Org is published; every table of the others is.
      expect(topFolders(dir)).toEqual(["org-0-primary", `org-${emea.id}-sales_emea`])
      expect(manifest.outputs.filter((o) => o.org?.id === inactive.id)).toEqual([])
      expect(manifest.outputs.length).toBe(14)
      // The report on stdout says the same.
      const report = JSON.parse(run.stdout) as {
        status: string
        failures: ReadonlyArray<{ what: string; error: string }>
        totals: { files: number; failed: number }
      }
      expect(report.status).toBe("failed")
      expect(report.totals).toMatchObject({ files: 14, failed: 1 })
      expect(report.failures[0]!.what).toContain(`in Org "${inactive.name}"`)
    }
  )

  it("a-dry-run-plans-the-other-orgs-and-exits-1-naming-the-one-it-cannot-read", timeout, async () => {
    const dir = NodePath.join(tempDir(), "landing")
    const run = await runCliInProcess(
      ["answer", "Revenue by Month", "--orgs", `0,${inactive.id}`, "--out", dir, "--dry-run"],
      {
        env
      }
    )
    expect(run.code).toBe(1)
    expect(run.stdout).toContain("org-0-primary/answer-Revenue by Month.csv")
    expect(run.stdout).toContain(
      `FAILED  answer "Revenue by Month" in Org "${inactive.name}": ThoughtSpot refused to sign in to Org ${inactive.id} (${inactive.name})`
    )
    expect(run.stderr).toContain(
      `1 of 2 Orgs failed: ${inactive.id} (${inactive.name}) (a dry run: nothing was written)`
    )
    expect(NodeFs.existsSync(dir)).toBe(false)
  })

  it("usage-errors-in-every-org-and-nothing-written-stay-a-usage-error-without-a-manifest", timeout, async () => {
    const dir = NodePath.join(tempDir(), "landing")
    const run = await runCliInProcess(["audit", "--orgs", "all", "--since", "last", "--out", dir, "--quiet"], { env })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("--since last needs an earlier successful run")
    expect(run.stderr).not.toContain("Orgs failed")
    expect(NodeFs.existsSync(dir)).toBe(false)
    const dryRun = await runCliInProcess(["audit", "--orgs", "all", "--since", "last", "--out", dir, "--dry-run"], {
      env
    })
    expect(dryRun.code).toBe(2)
    expect(dryRun.stderr).toContain("--since last needs an earlier successful run")
  })

  it("one-org-alone-still-stops-at-its-failure-as-before", timeout, async () => {
    const dir = tempDir()
    const run = await runCliInProcess(["principals", "--orgs", String(inactive.id), "--out", dir, "--quiet"], { env })
    expect(run.code).toBe(1)
    expect(run.stderr).not.toContain("Orgs failed")
    const last = run.stderr.trimEnd().split("\n").at(-1)!
    expect(last.replace(/^spotpipe: /, "")).toMatch(orgRefusal)
    expect(NodeFs.existsSync(NodePath.join(dir, "manifest.json"))).toBe(false)
  })
})

describe("audit warnings where a machine can read them", () => {
  it("the-range-warnings-are-in-the-manifest-entry-and-the-json-report", timeout, async () => {
    const dir = tempDir()
    // From more than 30 days back (beyond ThoughtSpot's retention) up to now (events may still appear).
    const run = await runCliInProcess(["audit", "--since", "32d", "--format", "ndjson", "--out", dir, "--json"], {
      env
    })
    expect(run.code, run.stderr).toBe(0)
    const report = JSON.parse(run.stdout) as { outputs: ReadonlyArray<{ file: string; warnings: Array<string> }> }
    const warnings = report.outputs[0]!.warnings
    expect(warnings).toEqual([
      expect.stringMatching(/^the range ends at .*, less than 30 minutes before now: ThoughtSpot may still add events/),
      expect.stringMatching(
        /^the range starts at .*, more than 30 days before now: ThoughtSpot keeps security events for 30 days/
      )
    ])
    expect(manifestOf(dir).outputs[0]!.warnings).toEqual(warnings)
    // The log says each once, with what it is about.
    for (const warning of warnings) {
      expect(run.stderr.split(`spotpipe: warning: audit log: ${warning}`).length - 1).toBe(1)
    }
  })

  it("an-org-s-read-holding-other-orgs-events-says-so-in-that-org-s-manifest-entry", timeout, async () => {
    // A cluster that answers every Org's read as if get_all_logs were true: the Primary Org's gets every Org's.
    const proxy = await startRewritingProxy(sandbox.url, {
      request: (body) => body.replace(/,?"get_all_logs":false/, "")
    })
    try {
      const since = Math.floor(Date.now() / DAY) * DAY - 3 * DAY
      const iso = (millis: number) => new Date(millis).toISOString()
      const dir = tempDir()
      const args = ["audit", "--orgs", `0,${emea.id}`, "--since", iso(since), "--until", iso(since + DAY), "--out", dir]
      const run = await runCliInProcess([...args, "--json", "--quiet"], {
        env: { ...env, THOUGHTSPOT_HOST: proxy.url }
      })
      expect(run.code, run.stderr).toBe(0)
      const primaryEntry = manifestOf(dir).outputs.find((o) => o.org?.id === 0)!
      expect(primaryEntry.warnings).toEqual([
        expect.stringMatching(
          new RegExp(
            `^\\d+ of its events belong to other Orgs \\(org_id [0-9, ]*${emea.id}[0-9, ]*\\): ThoughtSpot did not limit the read`
          )
        )
      ])
      expect(run.stderr).toContain(`spotpipe: warning: audit log in Org "Primary": ${primaryEntry.warnings[0]}`)
      const report = JSON.parse(run.stdout) as { outputs: ReadonlyArray<{ file: string; warnings: Array<string> }> }
      expect(report.outputs.find((o) => o.file === primaryEntry.file)!.warnings).toEqual(primaryEntry.warnings)
    } finally {
      await proxy.close()
    }
  })
})
