/**
 * An admin-only export refused for a missing privilege says which privilege it needs, not to share objects or grant
 * data download, which do not help: `spotpipe tml` of users, groups and roles as the sandbox's limited user.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-admin-privileges-"))
const sandbox = testSandbox({ rows: 20 })
afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

describe("admin-only exports refused for a privilege", () => {
  it("users-groups-and-roles-tml-refused-names-the-privileges-it-needs", async () => {
    for (const type of ["USER_GROUP", "USER", "ROLE"]) {
      const run = await runCliInProcess(["tml", "--type", type, "--out", NodePath.join(root, type)], {
        env: sandboxEnv(sandbox.sandbox, fixtures.limitedUser)
      })
      expect(run.code, type).toBe(1)
      expect(run.stderr).toContain(
        `tml (${type}): exporting users, groups and roles (metadata/tml/export/batch) needs the DATAMANAGEMENT (Can manage data) and USERMANAGEMENT (Can manage users) privileges, or ADMINISTRATION, in the Org read, which this user lacks:`
      )
      expect(run.stderr).toContain("leave USER, USER_GROUP and ROLE out of --type")
      expect(run.stderr).not.toContain("share it with this user")
      expect(run.stderr).not.toContain("data download")
    }
  })
})
