/**
 * What `spotpipe config` says a `file:` secret reference reads when it refuses a secret value: the file's text without
 * its final line end (as the connection reads it, see Connection.ts), not its first line — a password file of two
 * lines is used whole.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-secret-help-")

describe("the help for secret references", () => {
  it.live("a-refused-secret-says-a-file-reference-reads-the-files-text-without-its-final-line-end", () =>
    Effect.gen(function* () {
      const dir = tempDir()
      const env = { SPOTPIPE_CONFIG: NodePath.join(dir, "config.json"), HOME: dir }
      for (const args of [
        ["config", "set", "secret", "hunter2"],
        ["config", "set", "password", "hunter2"]
      ]) {
        const run = yield* runInProcess(args, env)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain("file:/path/to/file (the file's text without its final line end)")
        expect(run.stderr).not.toContain("first line")
        expect(run.stderr).not.toContain("hunter2")
      }
      expect(NodeFs.existsSync(env.SPOTPIPE_CONFIG)).toBe(false)
    })
  )
})
