/**
 * What a user would write instead of spotpipe with the official TypeScript SDK (`@thoughtspot/rest-api-sdk`),
 * following its docs: a bearer-auth configuration from username and password, `searchData` page after page with
 * `record_offset`/`record_size`, every row collected, then one `Papa.unparse` and one file write. Dates stay as
 * ThoughtSpot sends them (epoch seconds): the SDK does not normalize them.
 *
 * Run as its own process by the export bench: `node sdkExport.ts <sandbox url> <out file>`; prints
 * `{"rows":…,"bytes":…}` on success.
 */
import { writeFileSync } from "node:fs"
import { createBearerAuthenticationConfig, ThoughtSpotRestApi } from "@thoughtspot/rest-api-sdk"
import Papa from "papaparse"
import { credentials, ordersQuery, ordersTable, pageSize } from "./wire.ts"

const [url, outFile] = process.argv.slice(2)
if (url === undefined || outFile === undefined) {
  process.stderr.write("usage: sdkExport.ts <sandbox url> <out file>\n")
  process.exit(2)
}

const api = new ThoughtSpotRestApi(createBearerAuthenticationConfig(url, { ...credentials }))
const rows: Array<Array<unknown>> = []
let columns: Array<string> = []
for (let offset = 0; ; offset += pageSize) {
  const response = await api.searchData({
    query_string: ordersQuery,
    logical_table_identifier: ordersTable,
    record_offset: offset,
    record_size: pageSize
  })
  const content = response.contents[0]
  if (content === undefined) throw new Error("searchData returned no contents")
  columns = content.column_names
  for (const row of content.data_rows as Array<Array<unknown>>) rows.push(row)
  if (content.returned_data_row_count < pageSize) break
}
const csv = Papa.unparse({ fields: columns, data: rows })
writeFileSync(outFile, csv)
process.stdout.write(`${JSON.stringify({ rows: rows.length, bytes: Buffer.byteLength(csv) })}\n`)
