/**
 * A refused sign-in whose server message holds text equal to the password: the whole message is withheld, since
 * the sandbox's fixed "Authentication failed: wrong username, password or secret key." with one word replaced
 * tells which word the password is. The status, code and incident id stay; the password shows in no encoding.
 */
import { describe, expect, it } from "@effect/vitest"
import { fixtures } from "@spotpipe/sandbox"
import { runCli } from "./support/runCli.ts"
import { sandboxEnv, testSandbox } from "./support/Sandboxes.ts"

const sandbox = testSandbox({ rows: 100 })

const WITHHELD = "[withheld: it held text equal to a secret (a password, secret key or token)]"

const encodings = (secret: string): ReadonlyArray<string> => [
  secret,
  encodeURIComponent(secret),
  JSON.stringify(secret).slice(1, -1),
  Buffer.from(secret).toString("base64"),
  Buffer.from(secret).toString("hex")
]

describe("a server message holding text equal to the password", () => {
  it("is withheld whole, the status, code and incident id kept", { timeout: 60_000 }, async () => {
    for (const password of ["wrong", "failed"]) {
      const run = await runCli(["auth", "status"], {
        env: { ...sandboxEnv(sandbox.sandbox), THOUGHTSPOT_PASSWORD: password }
      })
      expect(run.code, password).toBe(1)
      const line = run.stderr.trim()
      expect(line, password).toMatch(
        new RegExp(
          `^spotpipe: ThoughtSpot refused the credentials for ${fixtures.user.username} at \\S+: ${WITHHELD.replace(/[[\]()]/g, "\\$&")} \\(HTTP 401, code 10097, incident [0-9a-f-]{36}\\); check the user from THOUGHTSPOT_USERNAME and the password from THOUGHTSPOT_PASSWORD$`
        )
      )
      // Nothing of the server's sentence is left around a marker.
      expect(line, password).not.toContain("Authentication")
      expect(line, password).not.toContain("<redacted>")
      for (const form of encodings(password)) expect(`${run.stdout}\n${line}`, password).not.toContain(` ${form} `)
    }
  })

  it("is shown as it is when it holds no secret", { timeout: 60_000 }, async () => {
    const run = await runCli(["auth", "status"], {
      env: { ...sandboxEnv(sandbox.sandbox), THOUGHTSPOT_PASSWORD: "Zq7-Unrelated-9" }
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain("Authentication failed: wrong username, password or secret key.")
    expect(run.stderr).not.toContain("withheld")
  })
})
