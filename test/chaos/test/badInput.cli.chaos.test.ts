/**
 * The bad-input corpus through the real CLI: a loopback server that answers lookups correctly and the data
 * request with a bad body. Each run exits 1 with one line that names the problem (no stack trace), records the
 * failure in the manifest, and leaves nothing at the output's final path; an enormous single row goes through.
 * Runs are in-process (the CLI program, given only its environment), but for one real `spotpipe` process as
 * installed.
 */
import * as NodeFs from "node:fs"
import * as NodeOs from "node:os"
import * as NodePath from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { liveboardDetail } from "../../../apps/export/test/support/detail.ts"
import { runCliInProcess } from "../../../apps/export/test/support/inProcess.ts"
import { answerOf, json } from "../src/CannedAnswer.ts"
import { type CannedResponse, startCannedServer } from "../src/CannedServer.ts"
import { readTree } from "../src/OutputTree.ts"
import { runSpotpipe } from "../src/SpotpipeProcess.ts"

const root = NodeFs.mkdtempSync(NodePath.join(NodeOs.tmpdir(), "spotpipe-bad-cli-"))
const token = "tok-cli-7d1e-never-printed"
const jobPath = NodePath.join(root, "job.json")
NodeFs.writeFileSync(jobPath, JSON.stringify({ exports: [{ type: "answer", id: "Sales", timezone: "UTC" }] }))

afterAll(() => NodeFs.rmSync(root, { recursive: true, force: true }))

const answer = answerOf([
  ["Region", "VARCHAR"],
  ["Day", "DATE"]
])

const page = (overrides: Record<string, unknown>) =>
  json({
    contents: [
      {
        available_data_row_count: 2,
        column_names: ["Region", "Day"],
        data_rows: [
          // Midnights in UTC, the data time zone of these runs (2020-09-13 and 2020-09-14).
          ["West", 1_599_955_200],
          ["East", 1_600_041_600]
        ],
        record_offset: 0,
        record_size: 10_000,
        returned_data_row_count: 2,
        sampling_ratio: 1,
        ...overrides
      }
    ]
  })

/** `spotpipe run` of `job` against a server answering `data`: in-process, or as the installed command's process. */
const runWith = async (
  data: CannedResponse,
  objects: ReadonlyArray<unknown> = [answer],
  job = jobPath,
  how: "in-process" | "process" = "in-process"
) => {
  const server = await startCannedServer((path, body) => {
    if (path.endsWith("/metadata/search")) {
      const offset = (body as { record_offset?: number } | undefined)?.record_offset ?? 0
      return json(offset === 0 ? objects : [])
    }
    if (path.endsWith("/system")) return json({ time_zone: "UTC" })
    return data
  })
  const out = NodePath.join(root, `out-${Math.random().toString(36).slice(2)}`)
  try {
    const args = ["run", job, "--out", out, "--quiet"]
    const env = { THOUGHTSPOT_HOST: server.url, THOUGHTSPOT_TOKEN: token }
    const run = how === "process" ? await runSpotpipe(args, { env }) : await runCliInProcess(args, { env })
    expect(run.stdout + run.stderr).not.toContain(token)
    expect(run.stderr).not.toMatch(/\n\s+at /)
    return { run, tree: readTree(out) }
  } finally {
    await server.close()
  }
}

describe("bad input through spotpipe run", () => {
  const cases: ReadonlyArray<readonly [string, CannedResponse, RegExp]> = [
    ["wrong-type", page({ available_data_row_count: "2" }), /documented fields/],
    ["missing-field", page({ column_names: undefined }), /documented fields/],
    ["fewer-rows-than-announced", page({ available_data_row_count: 9 }), /2 rows where 9 were due/],
    ["html-404-page", { status: 404, contentType: "text/html", body: "<html>Not Found</html>" }, /not found/i],
    [
      "period-ending-before-it-starts",
      page({
        data_rows: [
          ["West", { v: { s: 1_599_955_200, e: 1_499_990_400 } }],
          ["East", null]
        ]
      }),
      /row 1, column "Day"/
    ],
    ["rows-that-are-not-arrays", page({ data_rows: [{ Region: "West" }, { Region: "East" }] }), /not an array/]
  ]
  for (const [name, response, says] of cases) {
    it(`${name}-exits-1-with-one-line-and-no-output-file`, async () => {
      // One real process: the installed command's one line and exit code.
      const how = name === "html-404-page" ? "process" : "in-process"
      const { run, tree } = await runWith(response, [answer], jobPath, how)
      expect(run.code, run.stderr).toBe(1)
      expect(run.stderr.trim().split("\n")).toHaveLength(1)
      expect(run.stderr).toMatch(says)
      expect([...tree.keys()].filter((f) => f.endsWith(".csv"))).toEqual([])
      const manifest = JSON.parse(tree.get("manifest.json")!.toString("utf8")) as {
        exports: ReadonlyArray<{ status: string; error: string }>
      }
      expect(manifest.exports[0]!.status).toBe("failed")
      expect(manifest.exports[0]!.error).toMatch(says)
    }, 30_000)
  }

  it("an-enormous-single-row-is-written-whole", async () => {
    const cell = "y".repeat(8 * 1024 * 1024)
    const { run, tree } = await runWith(
      page({
        data_rows: [
          [cell, 1_599_955_200],
          ["East", null]
        ]
      })
    )
    expect(run.code, run.stderr).toBe(0)
    const csv = tree.get("answer-Sales.csv")!.toString("utf8")
    expect(csv).toBe(`Region,Day\r\n${cell},2020-09-13\r\nEast,\r\n`)
  }, 30_000)

  it("hostile-object-names-from-the-server-give-safe-file-names-inside-the-output-directory", async () => {
    const hostile = "../../etc/passwd\u0007\n\u202e"
    const liveboard = {
      metadata_type: "LIVEBOARD",
      metadata_id: "lb-1",
      metadata_name: "Ops",
      metadata_detail: liveboardDetail([{ id: "v-1", name: hostile, columns: [{ name: "Region", type: "VARCHAR" }] }])
    }
    const job = NodePath.join(root, "liveboard.json")
    NodeFs.writeFileSync(job, JSON.stringify({ exports: [{ type: "liveboard", id: "Ops", timezone: "UTC" }] }))
    const data = json({
      contents: [
        {
          available_data_row_count: 1,
          column_names: ["Region"],
          data_rows: [["West"]],
          record_offset: 0,
          record_size: 10_000,
          returned_data_row_count: 1,
          sampling_ratio: 1,
          visualization_id: "v-1",
          visualization_name: hostile
        }
      ]
    })
    const { run, tree } = await runWith(data, [liveboard], job)
    expect(run.code, run.stderr).toBe(0)
    // Besides the file: this run's own manifest-<run id>.json and its copy manifest.json.
    expect([...tree.keys()].filter((f) => !/^manifest-.*\.json$/.test(f)).sort()).toEqual([
      "liveboard-Ops/_.._etc_passwd__.csv",
      "manifest.json"
    ])
  }, 30_000)
})
