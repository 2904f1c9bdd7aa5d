/**
 * Messages that name an export's settings do so in its user's words (plan/SettingNames.ts): a job file's export by
 * its keys, a single command by its flags. The pure pieces; `jobFileWording.e2e.test.ts` runs them through `spotpipe
 * run`.
 */
import { describe, expect, it } from "@effect/vitest"
import type { SignedInUser } from "../../src/cluster/Cluster.ts"
import { changedSetting, type OutputSettings } from "../../src/plan/OutputSettings.ts"
import { commandLineNames, exportOfType, settingNames } from "../../src/plan/SettingNames.ts"
import { type RemovalPlan, vouchedRemovals } from "../../src/plan/TmlMirror.ts"

const job = settingNames({ index: 2, givenIn: "job file" })

const settings: OutputSettings = {
  file: "orders.csv",
  format: "csv",
  pageSize: 10_000,
  timezone: "UTC",
  offset: "utc",
  newline: "\r\n",
  escapeFormulae: false,
  periodEnd: false,
  columnNames: "original",
  nullString: "",
  tzDatabase: "2025b",
  writerVersion: "0.1.0",
  host: "https://ts.example.com"
}

describe("SettingNames", () => {
  it("a-switch-and-how-to-give-a-setting-are-said-as-the-export-was-given", () => {
    expect([job.on("strict"), job.toGive("timezone")]).toEqual([
      '"strict": true',
      'set "timezone" in "defaults" or in each export'
    ])
    expect([commandLineNames.on("strict"), commandLineNames.toGive("timezone")]).toEqual([
      "--strict",
      "pass --timezone"
    ])
    expect([exportOfType("job file", "search"), exportOfType("command line", "search")]).toEqual([
      '"type": "search" with "table"',
      "spotpipe search --table"
    ])
  })

  it("a-changed-null-string-or-column-names-is-named-by-the-jobs-key", () => {
    const before = { ...settings, nullString: "\\N" }
    expect(changedSetting(before, settings, job)).toEqual({
      setting: "exports[2].nullString",
      from: '"\\N"',
      to: "(empty)"
    })
    expect(changedSetting({ ...settings, columnNames: "snake" }, settings, job)?.setting).toBe("exports[2].columnNames")
    // A flag of `spotpipe run` itself is named by the flag either way.
    expect(changedSetting({ ...settings, newline: "\n" }, settings, job)?.setting).toBe("--newline")
    expect(changedSetting(before, settings)?.setting).toBe("--null-string")
  })

  it("a-tml-file-kept-from-an-earlier-version-says-to-run-once-without-the-jobs-modified-since", () => {
    const ana: SignedInUser = { id: "ana-id", name: "ana", org: null }
    const host = "https://ts.example.com"
    const plan: RemovalPlan = {
      removals: [
        {
          file: "tml/answer/Old.tml",
          reason: "deleted",
          detail: "its object is no longer listed",
          sha256: "0".repeat(64),
          writers: [{ host, user: undefined, merge: false }]
        }
      ],
      warnings: []
    }
    const [warning] = vouchedRemovals(plan, "tml", host, ana, job).warnings
    expect(warning).toContain("run once without exports[2].modifiedSince as the user whose copy this folder is")
    expect(warning).not.toContain("--modified-since")
    expect(vouchedRemovals(plan, "tml", host, ana).warnings[0]).toContain("run once without --modified-since")
  })
})
