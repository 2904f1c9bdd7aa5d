/**
 * A tiny loopback cluster for the load round trip: it answers the lookups of `spotpipe answer "Edges"` (the saved
 * answer with the given columns and ThoughtSpot types, the cluster's time zone, its TML) and its data request with
 * one COMPACT page whose rows are raw JSON texts, so that every value reaches the export in the spelling a cluster
 * would print it (integers beyond 2^53 as digits, `-0`, `5e-324`, Custom Calendar cells). The sandbox's Orders
 * model holds none of these values.
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { answerDetail } from "../../support/detail.ts"

/** A column of the answer: its name and ThoughtSpot data type. */
export interface EdgeColumn {
  readonly name: string
  readonly type: string
}

/** A running cluster: its URL (for THOUGHTSPOT_HOST) and how to stop it. */
export interface EdgeCluster {
  readonly url: string
  readonly close: () => Promise<void>
}

const json = (body: unknown) => JSON.stringify(body)

/**
 * Starts the cluster. `rows` are the data rows as JSON array texts (`[1,"a",null]`); `timeZone` is what `GET
 * system` reports.
 */
export const startEdgeCluster = async (
  columns: ReadonlyArray<EdgeColumn>,
  rows: ReadonlyArray<string>,
  timeZone: string
): Promise<EdgeCluster> => {
  const answer = {
    metadata_type: "ANSWER",
    metadata_id: "edges-1",
    metadata_name: "Edges",
    metadata_detail: answerDetail(columns)
  }
  const page =
    `{"contents":[{"available_data_row_count":${rows.length},"column_names":${json(columns.map((c) => c.name))},` +
    `"data_rows":[${rows.join(",")}],"record_offset":0,"record_size":${rows.length},` +
    `"returned_data_row_count":${rows.length},"sampling_ratio":1.0}]}`
  const tml = json([
    {
      info: {
        name: "Edges",
        filename: "Edges.answer.tml",
        status: { status_code: "OK" },
        type: "answer",
        id: "edges-1"
      },
      edoc: json({ guid: "edges-1", answer: { name: "Edges", search_query: "[k] sort by [k]" } })
    }
  ])
  const server: Server = createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const path = req.url ?? "/"
      let request: { record_offset?: number } | undefined
      try {
        request = JSON.parse(Buffer.concat(chunks).toString("utf8"))
      } catch {
        request = undefined
      }
      const body = path.endsWith("/metadata/search")
        ? json((request?.record_offset ?? 0) === 0 ? [answer] : [])
        : path.endsWith("/system")
          ? json({ time_zone: timeZone })
          : path.endsWith("/metadata/tml/export")
            ? tml
            : page
      const bytes = Buffer.from(body, "utf8")
      res.writeHead(200, { "content-type": "application/json", "content-length": bytes.length })
      res.end(bytes)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
