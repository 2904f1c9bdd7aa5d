/**
 * A schema of the search_path that exists but the user may not use (no USAGE) is said to exist, with the GRANT
 * that lets the user load into it — not reported as missing, which sent the user to create a schema that is there.
 */
import { describe, expect, it } from "vitest"
import { cli, withPostgres } from "./support/loadHelpers.ts"
import { realPostgresAndRun } from "./support/RealPostgres.ts"

const server = realPostgresAndRun("spotpipe-schema-usage-", 12)

describe("a load into a schema the user may not use", () => {
  it("says the schema exists and what to GRANT; a schema that is not there is still said to be missing", async () => {
    await withPostgres(server.url, async (q) => {
      await q("CREATE ROLE reader LOGIN")
      await q("CREATE SCHEMA ro")
    })
    const as = server.url.replace("user=postgres", "user=reader")
    const barred = await cli(["load", server.run, "--into", `${as}&options=-c%20search_path%3Dro`])
    expect(barred.code, barred.stderr).toBe(1)
    expect(barred.stderr).toContain("the schema ro of the search_path (ro) exists in database")
    expect(barred.stderr).toContain("but the user reader may not use it")
    expect(barred.stderr).toContain("GRANT USAGE, CREATE ON SCHEMA ro TO reader")
    expect(barred.stderr).not.toContain("create it (CREATE SCHEMA")
    const missing = await cli(["load", server.run, "--into", `${as}&options=-c%20search_path%3Dnone_here`])
    expect(missing.code, missing.stderr).toBe(1)
    expect(missing.stderr).toContain("no schema of the search_path (none_here) exists")
  }, 60_000)
})
