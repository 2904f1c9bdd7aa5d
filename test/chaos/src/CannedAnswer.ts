/**
 * The small ThoughtSpot answers the CLI chaos suites serve from a canned server: JSON responses and one saved
 * answer ("Sales", id `a-1`) with the columns a test needs, as `metadata/search` with `include_details` reports it.
 */
import { answerDetail } from "../../../apps/export/test/support/detail.ts"
import type { CannedResponse } from "./CannedServer.ts"

/** A JSON response (200 unless told). */
export const json = (body: unknown, status = 200): CannedResponse => ({
  status,
  contentType: "application/json",
  body: JSON.stringify(body)
})

/** A column of the answer: its name and ThoughtSpot type. */
export type Column = readonly [name: string, type: string]

/** The `metadata/search` entry of the answer "Sales" whose one visualization has `columns`. */
export const answerOf = (columns: ReadonlyArray<Column>) => ({
  metadata_type: "ANSWER",
  metadata_id: "a-1",
  metadata_name: "Sales",
  metadata_detail: answerDetail(columns.map(([name, type]) => ({ name, type })))
})

/**
 * The `metadata/tml/export` response for "Sales": its TML (JSON) saved with `query` as its `search_query`, which
 * tells spotpipe whether a result read in several pages has a fixed order (`sort by`).
 */
export const answerTml = (query: string): CannedResponse =>
  json([
    {
      info: { name: "Sales", filename: "Sales.answer.tml", status: { status_code: "OK" }, type: "answer", id: "a-1" },
      edoc: JSON.stringify({ guid: "a-1", answer: { name: "Sales", search_query: query } })
    }
  ])
