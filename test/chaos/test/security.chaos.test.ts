/**
 * Security checks across the packages: secrets cannot be passed on the command line (so never reach argv or
 * shell history), TLS verification is never turned off anywhere in the shipped code, and plain http:// to a
 * remote host is refused. (Secrets in logs, errors, manifests and files are scanned by the chaos and crash
 * suites on every run.) The CLI runs in-process, but for one refused secret flag as a real process, so that
 * nothing the process itself prints (beyond what the program prints) could show the secret.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { runSpotpipe } from "../src/SpotpipeProcess.ts"

const repo = NodePath.join(NodePath.dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  NodeFs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = NodePath.join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(full)
    return entry.name.endsWith(".ts") ? [full] : []
  })

describe("security", () => {
  it("no-shipped-code-turns-tls-verification-off", () => {
    const shipped = ["packages/core/src", "packages/decode/src", "apps/export/src"].flatMap((d) =>
      sourceFiles(NodePath.join(repo, d))
    )
    expect(shipped.length).toBeGreaterThan(20)
    const offenders = shipped.filter((file) =>
      /rejectUnauthorized\s*:\s*false|NODE_TLS_REJECT_UNAUTHORIZED|checkServerIdentity\s*:|insecureHTTPParser/.test(
        NodeFs.readFileSync(file, "utf8")
      )
    )
    expect(offenders).toEqual([])
  })

  it("secret-flags-are-refused-before-anything-runs-and-never-echoed", async () => {
    for (const flag of ["--password", "--token", "--secret-key"]) {
      const args = ["run", "job.json", flag, "S3cr3t-value-xyz"]
      const run = flag === "--password" ? await runSpotpipe(args, { env: {} }) : await runCliInProcess(args)
      expect(run.code, flag).toBe(2)
      expect(run.stderr).toMatch(/secrets never go on the command line/)
      expect(run.stdout + run.stderr).not.toContain("S3cr3t-value-xyz")
    }
  }, 30_000)

  it("plain-http-to-a-remote-host-is-refused-unless-explicitly-allowed", async () => {
    const run = await runCliInProcess(["metadata"], {
      env: { THOUGHTSPOT_HOST: "http://ts.example.com", THOUGHTSPOT_USERNAME: "u", THOUGHTSPOT_PASSWORD: "p" }
    })
    expect(run.code).toBe(2)
    expect(run.stderr).toContain("refusing plain http:// to ts.example.com")
  }, 30_000)
})
