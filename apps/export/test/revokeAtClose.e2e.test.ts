/**
 * A run over several Orgs against a cluster whose token revokes never answer: the clients of every Org are released
 * at the same time, so shutdown waits one client's bound (5 s), not one per Org, and each token that stays valid is
 * named in a warning. The revokes take no request slot, so `--concurrency 1` does not queue them one behind
 * another. The sandbox holds every revoke (by its clock's sleep) until the test lets it go.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-revoke-close-")

/** The latency the sandbox puts on `auth/token/revoke`: held by the clock below until released. */
const HELD = 3_600_000

describe("the revoke at shutdown over several Orgs", () => {
  it("the-orgs-clients-are-released-at-the-same-time-when-revokes-never-answer", { timeout: 120_000 }, async () => {
    const held: Array<() => void> = []
    let peak = 0
    let outstanding = 0
    const sandbox = await startSandbox({
      rows: 100,
      faults: { routes: { "auth/token/revoke": { latencyMs: HELD } } },
      clock: {
        now: () => Date.now(),
        sleep: (ms) =>
          ms === HELD
            ? new Promise<void>((resolve) => {
                outstanding++
                peak = Math.max(peak, outstanding)
                held.push(() => {
                  outstanding--
                  resolve()
                })
              })
            : new Promise((resolve) => setTimeout(resolve, ms))
      }
    })
    try {
      const dir = tempDir()
      const run = await runCliInProcess(["metadata", "--orgs", "all", "--out", dir, "--quiet", "--concurrency", "4"], {
        env: sandboxEnv(sandbox)
      })
      expect(run.code, run.stderr).toBe(0)
      const signIns = sandbox.stats().tokensIssued
      // The signed-in client and one per active Org, each with one token: every revoke was under way at once
      // (--concurrency 4 lets four requests be in flight), none answered, none sent again after another client's
      // bound ran out.
      expect(signIns).toBeGreaterThanOrEqual(3)
      expect([peak, outstanding]).toEqual([signIns, signIns])
      expect(sandbox.stats().tokensRevoked).toBe(0)
      const warnings = run.stderr.split("\n").filter((line) => line.includes("could not revoke a token on shutdown"))
      expect(warnings).toHaveLength(signIns)
      for (const warning of warnings) expect(warning).toMatch(/it stays valid until it expires/)
    } finally {
      for (const release of held.splice(0)) release()
      await sandbox.close()
    }
  })

  // With --concurrency 1 too: revokes take no request slot, so they do not wait for one another's.
  it.each([4, 1])(
    "the-orgs-revokes-are-all-under-way-at-once-with-concurrency-%i",
    { timeout: 120_000 },
    async (concurrency) => {
      // The signed-in client and one per active Org: a revoke is answered only once all of theirs are held at the
      // same time, which only clients released together can do (one after another, each gives up before the next),
      // and only revokes that do not queue for the request slots.
      const clients = fixtures.orgs.filter((o) => o.status === "ACTIVE").length + 1
      const held: Array<() => void> = []
      const sandbox = await startSandbox({
        rows: 100,
        faults: { routes: { "auth/token/revoke": { latencyMs: HELD } } },
        clock: {
          now: () => Date.now(),
          sleep: (ms) =>
            ms === HELD
              ? new Promise<void>((resolve) => {
                  held.push(resolve)
                  if (held.length === clients) for (const release of held.splice(0)) release()
                })
              : new Promise((resolve) => setTimeout(resolve, ms))
        }
      })
      try {
        const run = await runCliInProcess(
          ["metadata", "--orgs", "all", "--out", tempDir(), "--quiet", "--concurrency", String(concurrency)],
          { env: sandboxEnv(sandbox) }
        )
        expect(run.code, run.stderr).toBe(0)
        expect([sandbox.stats().tokensIssued, sandbox.stats().tokensRevoked]).toEqual([clients, clients])
        expect(run.stderr).not.toContain("could not revoke")
      } finally {
        for (const release of held.splice(0)) release()
        await sandbox.close()
      }
    }
  )
})
