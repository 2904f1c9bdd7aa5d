/**
 * `--ddl postgresql` is the `postgres` dialect, as load URLs spell it (`postgresql://…`): the same ddl/postgres.sql,
 * once however often the dialect is named.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const timeout = { timeout: 90_000 }
const tempDir = tempFolders("spotpipe-ddl-postgresql-")
const served = testSandbox({ rows: fixtures.golden.rows, seed: fixtures.golden.seed })

describe("--ddl postgresql", () => {
  it("writes-the-postgres-dialect-ddl-once", timeout, async () => {
    const env = sandboxEnv(served.sandbox)
    const root = tempDir()
    const written = async (folder: string, ddl: string) => {
      const out = NodePath.join(root, folder)
      const run = await runCliInProcess(["answer", "Revenue by Month", "--out", out, "--ddl", ddl, "--quiet"], { env })
      expect(run.code, run.stderr).toBe(0)
      expect(NodeFs.readdirSync(NodePath.join(out, "ddl"))).toEqual(["postgres.sql"])
      // Its first line names the run that wrote it.
      const [header, ...tables] = NodeFs.readFileSync(NodePath.join(out, "ddl", "postgres.sql"), "utf8").split("\n")
      expect(header).toMatch(/^-- spotpipe run /)
      return tables.join("\n")
    }
    const postgres = await written("postgres", "postgres")
    expect(await written("postgresql", "postgresql")).toBe(postgres)
    expect(await written("both", "PostgreSQL,postgres")).toBe(postgres)
  })
})
