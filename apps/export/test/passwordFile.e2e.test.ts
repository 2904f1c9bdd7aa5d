/**
 * A secret's file (`--password-file`, a profile's `file:` secret) holds the secret on one line: a file of several
 * lines is refused before any request (exit 2), since sent as it is it fails at the server as wrong credentials; a
 * final line end (LF or CRLF) is fine. A file its group or others may read is used, with one warning naming it and
 * `chmod 600`. `--password-file -` reads it from stdin, by the same rules. In-process runs of `auth status`
 * against a loopback sandbox (processes with a piped stdin for `-`).
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCliInProcess } from "./support/inProcess.ts"
import { runCli } from "./support/runCli.ts"
import { testSandbox } from "./support/Sandboxes.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-password-file-")
const sandbox = testSandbox({ rows: 10 })

/** A file holding `text`, with `mode`. */
const fileOf = (text: string, mode = 0o600): string => {
  const path = NodePath.join(tempDir(), "pw.txt")
  NodeFs.writeFileSync(path, text, { mode })
  NodeFs.chmodSync(path, mode)
  return path
}

const status = (args: ReadonlyArray<string>, env: Record<string, string> = {}) =>
  runCliInProcess(["auth", "status", ...args], {
    env: { THOUGHTSPOT_HOST: sandbox.sandbox.url, THOUGHTSPOT_USERNAME: fixtures.user.username, ...env }
  })

describe("a password file holds one line", () => {
  it("a-password-file-of-several-lines-is-refused-before-any-request", async () => {
    const before = sandbox.requests("auth/token/full")
    for (const text of [`${fixtures.user.password}\nsecond\n`, `${fixtures.user.password}\r\n\r\n`]) {
      const run = await status(["--password-file", fileOf(text)])
      expect(run.code).toBe(2)
      expect(run.stderr).toContain(
        "the password file given with --password-file holds 2 lines: it should hold the password alone, on one line (one final line end is fine)"
      )
      expect(run.stderr).not.toContain(fixtures.user.password)
    }
    expect(sandbox.requests("auth/token/full")).toBe(before)
    // One final line end, either kind, is fine.
    for (const text of [`${fixtures.user.password}\n`, `${fixtures.user.password}\r\n`, fixtures.user.password]) {
      const run = await status(["--password-file", fileOf(text)])
      expect(run.stderr).toBe("")
      expect(run.code).toBe(0)
    }
  })

  it("a-profile's-file-secret-of-several-lines-is-refused-too", async () => {
    const dir = tempDir()
    const config = NodePath.join(dir, "config.json")
    const secret = fileOf(`${fixtures.user.password}\nsecond`)
    for (const [key, value] of [
      ["host", sandbox.sandbox.url],
      ["username", fixtures.user.username],
      ["secret", `file:${secret}`]
    ] as const) {
      const set = await runCliInProcess(["config", "set", key, value, "--profile", "p"], {
        env: { SPOTPIPE_CONFIG: config }
      })
      expect(set.code, set.stderr).toBe(0)
    }
    const run = await runCliInProcess(["auth", "status", "--profile", "p"], { env: { SPOTPIPE_CONFIG: config } })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain(
      `the password file ${secret} (profile "p") holds 2 lines: it should hold the password alone, on one line`
    )
  })

  it("a-password-file-others-may-read-is-used-with-one-warning-saying-chmod-600", async () => {
    const open = fileOf(`${fixtures.user.password}\n`, 0o644)
    const run = await status(["--password-file", open])
    expect(run.code).toBe(0)
    const warnings = run.stderr.split("\n").filter((line) => line.includes("chmod"))
    expect(warnings).toEqual([
      `spotpipe: warning: the password file ${open} (--password-file) can be read or changed by others than its owner (mode 0644): run chmod 600 ${open}`
    ])
    const closed = await status(["--password-file", fileOf(`${fixtures.user.password}\n`, 0o600)])
    expect(closed.code).toBe(0)
    expect(closed.stderr).toBe("")
  })

  it("--password-file---reads-the-password-from-stdin-by-the-same-rules", async () => {
    const env = { THOUGHTSPOT_HOST: sandbox.sandbox.url, THOUGHTSPOT_USERNAME: fixtures.user.username }
    const signedIn = await runCli(["auth", "status", "--password-file", "-"], {
      env,
      stdin: `${fixtures.user.password}\n`
    })
    expect(signedIn.stderr).toBe("")
    expect(signedIn.code).toBe(0)
    const before = sandbox.requests("auth/token/full")
    const twoLines = await runCli(["auth", "status", "--password-file", "-"], {
      env,
      stdin: `${fixtures.user.password}\nsecond\n`
    })
    expect(twoLines.code).toBe(2)
    expect(twoLines.stderr).toContain("the password given on stdin (--password-file -) holds 2 lines")
    const empty = await runCli(["auth", "status", "--password-file", "-"], { env, stdin: "" })
    expect(empty.code).toBe(2)
    expect(empty.stderr).toContain("the password given on stdin (--password-file -) is empty")
    expect(sandbox.requests("auth/token/full")).toBe(before)
    for (const run of [twoLines, empty]) expect(run.stderr).not.toContain(fixtures.user.password)
    // `api` reads one thing from stdin: not both the password and the body.
    const both = await runCli(["api", "POST", "metadata/search", "--input", "-", "--password-file", "-"], {
      env,
      stdin: `${fixtures.user.password}\n`
    })
    expect(both.code).toBe(2)
    expect(both.stderr).toContain("--password-file - and --input - both read stdin: only one can")
  })
})
