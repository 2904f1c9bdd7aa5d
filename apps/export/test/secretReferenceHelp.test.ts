/**
 * What `spotpipe config` says when it refuses a secret: a `file:` secret reference reads a file of one line without
 * its line end (as the connection reads it, see Connection.ts, which refuses a file of more lines). A key named
 * like the `--password-file` flag (a path, not a secret) is pointed to `secret file:PATH`, its value not repeated.
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
        expect(run.stderr).toContain("file:/path/to/file (a file of one line, read without its line end)")
        expect(run.stderr).not.toContain("first line")
        expect(run.stderr).not.toContain("hunter2")
      }
      for (const key of ["password-file", "password_file", "secret-key-file"]) {
        const run = yield* runInProcess(["config", "set", key, "hunter2.txt", "--profile", "prod"], env)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stderr).toContain(
          "a profile keeps a password file as the key secret with a file: reference (nothing was saved): spotpipe config set secret file:PATH"
        )
        expect(run.stderr).not.toContain("never holds a secret")
        expect(run.stderr).not.toContain("hunter2")
      }
      expect(NodeFs.existsSync(env.SPOTPIPE_CONFIG)).toBe(false)
    })
  )
})
