/**
 * A synthetic 100 000-row COMPACT `searchdata` body for parse benchmarks: an Order ID (beyond 2^53 in every
 * `bigEvery`-th row, none when 0), a region with non-ASCII text, a customer name with escaped quotes, a
 * decimal, an epoch date and a boolean. Returned as the UTF-8 bytes and the flat string decoded from them, as the
 * client holds a response body (a template-built string would be a rope, which parses differently).
 */

/** A body as the client has it: its bytes and the text decoded from them. */
export interface SyntheticPage {
  readonly bytes: Buffer
  readonly text: string
}

/** The page with a big integer in every `bigEvery`-th row (0: none). */
export const syntheticPage = (bigEvery: number, rowCount = 100_000): SyntheticPage => {
  const rows: Array<string> = []
  for (let i = 0; i < rowCount; i++) {
    const id = bigEvery > 0 && i % bigEvery === 0 ? (9_007_199_254_740_000n + 37n * BigInt(i)).toString() : String(i)
    rows.push(
      `[${id},"Île-de-France","Customer \\"${i}\\", Inc.",${(i * 1.37).toFixed(2)},${694252800 + i * 86400},false]`
    )
  }
  const bytes = Buffer.from(
    `{"contents":[{"available_data_row_count":${rowCount},"column_names":["Order ID","Region","Customer","Revenue","Order Date","Returned"],"data_rows":[${rows.join(",")}],"record_offset":0,"record_size":${rowCount},"returned_data_row_count":${rowCount},"sampling_ratio":1}]}`
  )
  return { bytes, text: bytes.toString("utf8") }
}
