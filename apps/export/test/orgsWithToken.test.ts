/**
 * `--orgs` (or a job's `"orgs"`) with a pre-issued token: the token reads the Org it was issued for only, so the run
 * is refused before any request (exit 2), as `--org-id` with a token is — the host here is never reachable, so a
 * request would end in exit 1 — and the message says what to do, never showing the token.
 */
import * as NodeFs from "node:fs"
import * as NodePath from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { runInProcess } from "./support/inProcess.ts"
import { tempFolders } from "./support/tempFolders.ts"

const tempDir = tempFolders("spotpipe-orgs-token-")
const token = { THOUGHTSPOT_HOST: "http://127.0.0.1:9", THOUGHTSPOT_TOKEN: "tok-Zx81" }

describe("Orgs asked for with a token issued elsewhere", () => {
  const dir = tempDir()
  const job = (extra: object) => {
    const file = NodePath.join(dir, `job-${Object.keys(extra).length}.json`)
    NodeFs.writeFileSync(file, JSON.stringify({ ...extra, exports: [{ type: "metadata", metadataTypes: ["ANSWER"] }] }))
    return file
  }
  const cases = [
    [["metadata", "--orgs", "all", "--out", NodePath.join(dir, "a")], "the Orgs --orgs all asks for", "--orgs"],
    [
      ["answer", "Revenue by Month", "--orgs", "0,5", "--out", NodePath.join(dir, "b")],
      "the Orgs --orgs 0,5 asks for",
      "--orgs"
    ],
    [["run", job({}), "--orgs", "all", "--out", NodePath.join(dir, "c")], "the Orgs --orgs all asks for", "--orgs"],
    [
      ["run", job({ orgs: "all" }), "--out", NodePath.join(dir, "d"), "--dry-run"],
      `the Orgs the job file's "orgs": "all" asks for`,
      `the job file's "orgs"`
    ]
  ] as const
  for (const [args, asked, drop] of cases) {
    it.live(`are-refused-before-any-request: ${args[0]} with ${asked}`, () =>
      Effect.gen(function* () {
        const run = yield* runInProcess(args, token)
        expect(run.code, run.stderr).toBe(2)
        expect(run.stdout).toBe("")
        expect(run.stderr).toBe(
          `spotpipe: a token (THOUGHTSPOT_TOKEN) signs in to the Org it was issued for only and cannot be renewed for another, so it cannot read ${asked}: drop ${drop} to export the token's own Org, or sign in with a password or secret key to export several Orgs`
        )
        expect(NodeFs.readdirSync(dir).filter((f) => !f.endsWith(".json"))).toEqual([])
      })
    )
  }
})
