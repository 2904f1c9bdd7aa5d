/**
 * A user who is not a member of the Org a sign-in lands in (no `--org-id`: ThoughtSpot's choice, the Primary Org
 * on the sandbox) is refused with ThoughtSpot's reason and told to pass `--org-id`, not to check a password that was
 * right; with `--org-id` naming one of the user's Orgs, the same sign-in works.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningSandbox, startSandbox } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-not-member-")
const timeout = { timeout: 60_000 }

let sandbox: RunningSandbox
beforeAll(async () => {
  sandbox = await startSandbox({ port: 0 })
})
afterAll(async () => {
  await sandbox.close()
})

const asEmeaLead = (args: ReadonlyArray<string>) =>
  runCliInProcess(args, {
    env: { THOUGHTSPOT_HOST: sandbox.url, THOUGHTSPOT_USERNAME: "emea.lead", THOUGHTSPOT_PASSWORD: "EmeaLead@123!" }
  })

describe("a user outside the Org signed in to", () => {
  it("not-a-member-of-the-org-advises-org-id-instead-of-the-password", timeout, async () => {
    for (const args of [
      ["auth", "status"],
      ["tml", "--orgs", "all", "--out", tempDir()]
    ]) {
      const run = await asEmeaLead(args)
      expect(run.code).toBe(1)
      expect(run.stderr).toContain("is not a member of org 'Primary' (0)")
      expect(run.stderr).toContain("no Org was asked for, so ThoughtSpot chose that one: pass --org-id ID")
      expect(run.stderr).not.toContain("the password from THOUGHTSPOT_PASSWORD")
      expect(run.stderr).not.toContain("EmeaLead@123!")
    }
  })

  it("an-org-id-that-is-not-the-users-names-where-it-came-from", timeout, async () => {
    const run = await asEmeaLead(["auth", "status", "--org-id", "0"])
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("the Org is from --org-id: give there the id of an Org this user is a member of")
    expect(run.stderr).not.toContain("the password from THOUGHTSPOT_PASSWORD")
  })

  it("the-users-own-org-signs-in", timeout, async () => {
    const run = await asEmeaLead(["auth", "status", "--org-id", "1482304613"])
    expect(run.stderr).not.toContain("refused")
    expect(run.code).toBe(0)
  })
})
