/**
 * The thinnest possible client of the sandbox's REST API: node:http with keep-alive, bodies read as raw text.
 * Used to measure the limit (fetch + `JSON.parse` and nothing else) and to feed the format-only measurements.
 */
import { Agent, request } from "node:http"

/** The Orders model's ten columns (mixed types, three date columns), one row per order. */
export const ordersQuery =
  "[Order ID] [Region] [Product] [Customer] [Quantity] [Revenue] [Returned] [Order Date] [Shipped At] [Ship Time]"
/** The model searched. */
export const ordersTable = "Orders"
/** ThoughtSpot's largest page. */
export const pageSize = 100_000
/** The sandbox's default user. */
export const credentials = { username: "tsUserA", password: "Guest@123!" } as const

/** A keep-alive session against one sandbox. */
export interface Wire {
  /** The raw text of the `searchdata` page at `offset`. */
  readonly page: (offset: number) => Promise<string>
  readonly close: () => void
}

/** The shape of a COMPACT `searchdata` response, as far as the benches read it. */
export interface SearchDataBody {
  readonly contents: ReadonlyArray<{
    readonly column_names: ReadonlyArray<string>
    readonly data_rows: ReadonlyArray<ReadonlyArray<unknown>>
    readonly returned_data_row_count: number
  }>
}

/** One keep-alive POST to the sandbox's REST API: status, raw body bytes and wall time, nothing decoded. */
export const postRaw = (agent: Agent, url: string, path: string, body: unknown, token?: string) =>
  new Promise<{ status: number; bytes: Buffer; ms: number }>((resolve, reject) => {
    const payload = JSON.stringify(body)
    const started = performance.now()
    const req = request(
      `${url}/api/rest/2.0/${path}`,
      {
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          accept: "application/json",
          "user-agent": "spotpipe-bench/1",
          "content-length": Buffer.byteLength(payload),
          ...(token === undefined ? {} : { authorization: `Bearer ${token}` })
        }
      },
      (res) => {
        const chunks: Array<Buffer> = []
        res.on("data", (c: Buffer) => chunks.push(c))
        res.on("error", reject)
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, bytes: Buffer.concat(chunks), ms: performance.now() - started })
        )
      }
    )
    req.on("error", reject)
    req.end(payload)
  })

/** `postRaw` for a 200 answer's text; anything else rejects with the start of the body. */
const post = async (agent: Agent, url: string, path: string, body: unknown, token?: string) => {
  const { status, bytes } = await postRaw(agent, url, path, body, token)
  const text = bytes.toString("utf8")
  if (status !== 200) throw new Error(`${path} answered ${status}: ${text.slice(0, 300)}`)
  return text
}

/** Logs in with a full-access token and returns a page reader for the Orders query. */
export const openWire = async (url: string): Promise<Wire> => {
  const agent = new Agent({ keepAlive: true })
  const auth = JSON.parse(await post(agent, url, "auth/token/full", { ...credentials, validity_time_in_sec: 3600 }))
  const token = (auth as { token: string }).token
  return {
    page: (offset) =>
      post(
        agent,
        url,
        "searchdata",
        {
          query_string: ordersQuery,
          logical_table_identifier: ordersTable,
          data_format: "COMPACT",
          record_offset: offset,
          record_size: pageSize
        },
        token
      ),
    close: () => agent.destroy()
  }
}

/**
 * Visits every page of the result in order with one request in flight ahead of the page being handled (what any
 * streaming client can do on one thread). `handle` gets the page text and returns its row count.
 */
export const eachPage = async (wire: Wire, rows: number, handle: (text: string) => number): Promise<number> => {
  let seen = 0
  let next = wire.page(0)
  for (let offset = 0; offset < rows; offset += pageSize) {
    const text = await next
    if (offset + pageSize < rows) next = wire.page(offset + pageSize)
    seen += handle(text)
  }
  return seen
}
