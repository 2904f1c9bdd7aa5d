/**
 * Secrets written by mistake into files spotpipe reads are never repeated in its messages: a config file that is
 * not JSON is refused by position only (V8's parse message quotes the text around the fault, which may be a
 * password pasted without quotes), in-process and through the CLI.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { parseConfigFile } from "../src/cluster/Profiles.ts"
import { runCli } from "./support/runCli.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-secret-files-")

/** Config texts that are not JSON, each holding `secret` where V8's message would quote it. */
const broken = (secret: string): ReadonlyArray<readonly [string, string | undefined]> => [
  // A password pasted without quotes: "Unexpected token …" quotes the ten characters around it.
  [`{"profiles":{"p":{"host":"https://a.example","password": ${secret}}}}`, undefined],
  // The whole file is the secret (SPOTPIPE_CONFIG pointed at a password file).
  [secret, undefined],
  // A fault with a position: the line and column are given.
  [`{\n  "profiles": {"p": {"note": "${secret}" "x"}}\n}`, "at line 2, column 51"]
]

describe("a config file that is not JSON", () => {
  it("is refused by its position, never quoting its text", () => {
    const secret = "hunter2SECRETvalue"
    for (const [text, where] of broken(secret)) {
      const parsed = parseConfigFile(text, "/c.json")
      expect("refused" in parsed, text).toBe(true)
      const message = "refused" in parsed ? parsed.refused : ""
      expect(message).toMatch(/^the config file \/c\.json is not valid JSON/)
      if (where !== undefined) expect(message).toContain(where)
      // Not even the first characters of it (V8 quotes ten).
      expect(message, text).not.toContain(secret.slice(0, 6))
    }
  })

  it("config list and a command using the profile say so without the secret", { timeout: 60_000 }, async () => {
    const secret = "Pasted-Pa55word-9f3c"
    const file = NodePath.join(tempDir(), "config.json")
    NodeFs.writeFileSync(file, `{"profiles":{"p":{"host":"https://a.example","password": ${secret}}}}`)
    for (const args of [
      ["config", "list"],
      ["auth", "status", "--profile", "p"]
    ]) {
      const run = await runCli(args, { env: { SPOTPIPE_CONFIG: file } })
      expect(run.code, args.join(" ")).toBe(2)
      expect(run.stderr).toContain("is not valid JSON")
      expect(run.stdout + run.stderr).not.toContain(secret.slice(0, 6))
    }
  })
})
