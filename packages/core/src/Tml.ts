/**
 * TML export (`metadata/tml/export`, `metadata/tml/export/batch`): requests as the API's OpenAPI specification
 * describes them, and each exported object's outcome as a typed value.
 *
 * The specification types the response only as "an array of objects". ThoughtSpot's documentation and its own
 * tools read each object as `{ info: { id, name, filename, type, status: { status_code, error_message? } },
 * edoc }`, with `status_code` one of `OK`, `WARNING` or `ERROR` and no `edoc` on an error. An object that could
 * not be exported is therefore a value of the answer (`TmlFailed`), listed next to the ones that were
 * (`TmlExported`), never a failure of the whole call and never left out.
 */
import { Schema } from "effect"
import { nullable, openStruct } from "./internal/openStruct.ts"

/** Paging of `exportTmlBatch`. */
export interface BatchOptions {
  /** Objects per request (`batch_size`), 1‥200, default 20. */
  readonly batchSize?: number | undefined
}

/** TML text format (`edoc_format`); the specification's default is JSON. */
export type EdocFormat = "JSON" | "YAML"

/** `ExportMetadataTypeInput`: one object to export (`identifier` is its GUID or name; `type` needed with a name). */
export interface TmlExportMetadata {
  readonly identifier?: string | undefined
  readonly type?:
    | "LIVEBOARD"
    | "ANSWER"
    | "LOGICAL_TABLE"
    | "CONNECTION"
    | "CUSTOM_ACTION"
    | "USER"
    | "USER_GROUP"
    | "ROLE"
    | "FEEDBACK"
    | "COLLECTION"
    | undefined
  readonly session_identifier?: string | undefined
  readonly generation_number?: number | undefined
}

/** `ExportMetadataTMLRequest` (`metadata` required); any documented field may be given. */
export interface TmlExportRequest {
  readonly metadata: ReadonlyArray<TmlExportMetadata>
  readonly edoc_format?: EdocFormat | undefined
  /** Also export the objects the given ones are built on (Models, Tables, …); each comes as an item of its own. */
  readonly export_associated?: boolean | undefined
  readonly export_fqn?: boolean | undefined
  readonly export_schema_version?: "DEFAULT" | "V1" | "V2" | undefined
  readonly export_dependent?: boolean | undefined
  readonly export_connection_as_dependent?: boolean | undefined
  readonly all_orgs_override?: boolean | undefined
  readonly export_options?: Readonly<Record<string, boolean>> | undefined
  readonly [field: string]: unknown
}

/** `ExportMetadataTMLBatchedRequest` without `batch_offset`/`batch_size` (the client pages with them). */
export interface TmlBatchRequest {
  readonly metadata_type: "USER" | "USER_GROUP" | "ROLE"
  readonly edoc_format?: EdocFormat | undefined
  readonly export_dependent?: boolean | undefined
  readonly all_orgs_override?: boolean | undefined
  readonly [field: string]: unknown
}

/** Objects per `metadata/tml/export/batch` request: the documentation allows up to 200, its default is 20. */
export const MAX_BATCH_SIZE = 200
/** Default objects per batch request. */
export const DEFAULT_BATCH_SIZE = 20

/** One object of the response, as sent (`info` keeps every field, documented or not). */
export const TmlWireItem = openStruct({
  info: openStruct({
    id: nullable(Schema.String),
    name: nullable(Schema.String),
    filename: nullable(Schema.String),
    type: nullable(Schema.String),
    // Open like `info`: a field a newer cluster adds to the status (details of a warning) stays in `info`.
    status: openStruct({ status_code: Schema.String, error_message: nullable(Schema.String) })
  }),
  edoc: nullable(Schema.String)
})
/** One object of a TML export response, as sent. */
export type TmlWireItem = typeof TmlWireItem.Type

/** The response of `metadata/tml/export`: an array of objects. */
export const TmlExportResponse = Schema.Array(TmlWireItem)

/**
 * The response of `metadata/tml/export/batch`, which the specification types only as "an object": read as
 * `{ edocs: [items] }`, or as a bare array of items like `metadata/tml/export`'s. Any other shape is refused
 * (`ResponseDecode`), never read as an empty batch.
 */
export const TmlBatchResponse = Schema.Union([TmlExportResponse, openStruct({ edocs: TmlExportResponse })])

/** The items of a batch response. */
export const batchItems = (response: typeof TmlBatchResponse.Type): ReadonlyArray<TmlWireItem> =>
  Array.isArray(response) ? response : (response as { readonly edocs: ReadonlyArray<TmlWireItem> }).edocs

/** An object whose TML came back (`status_code` `OK`, or `WARNING` with the server's `warning`). */
export interface TmlExported {
  readonly _tag: "TmlExported"
  readonly id: string | undefined
  readonly name: string | undefined
  /** ThoughtSpot's `type`, e.g. `liveboard`, `model`, `table`. */
  readonly type: string | undefined
  /** The file name ThoughtSpot suggests, e.g. `Sales.liveboard.tml`. */
  readonly filename: string | undefined
  /** The TML text, in the requested format, exactly as sent. */
  readonly edoc: string
  /** The server's message when `status_code` is `WARNING`. */
  readonly warning: string | undefined
  /** The item's `info` as sent. */
  readonly info: Readonly<Record<string, unknown>>
}

/** An object that could not be exported: `status_code` `ERROR` (or a status without TML, or an unknown one). */
export interface TmlFailed {
  readonly _tag: "TmlFailed"
  readonly id: string | undefined
  readonly name: string | undefined
  readonly type: string | undefined
  /** ThoughtSpot's `status_code`. */
  readonly statusCode: string
  /** The server's `error_message`, or what was wrong with the item. */
  readonly message: string
  /** The item's `info` as sent. */
  readonly info: Readonly<Record<string, unknown>>
}

/** One exported object's outcome. */
export type TmlItem = TmlExported | TmlFailed

const orUndefined = <A>(value: A | null | undefined): A | undefined => (value === null ? undefined : value)

/** The typed outcome of one response item (pure). */
export const itemOf = (wire: TmlWireItem): TmlItem => {
  const info = wire.info
  const status = info.status
  const id = orUndefined(info.id)
  const name = orUndefined(info.name)
  const type = orUndefined(info.type)
  const serverMessage = orUndefined(status.error_message)
  const edoc = orUndefined(wire.edoc)
  const failed = (message: string): TmlFailed => ({
    _tag: "TmlFailed",
    id,
    name,
    type,
    statusCode: status.status_code,
    message,
    info
  })
  switch (status.status_code) {
    case "OK":
    case "WARNING":
      if (edoc === undefined) {
        return failed(
          `ThoughtSpot answered ${status.status_code} but sent no TML (edoc)${serverMessage === undefined ? "" : `: ${serverMessage}`}`
        )
      }
      return {
        _tag: "TmlExported",
        id,
        name,
        type,
        filename: orUndefined(info.filename),
        edoc,
        warning: status.status_code === "WARNING" ? (serverMessage ?? "ThoughtSpot answered WARNING") : undefined,
        info
      }
    case "ERROR":
      return failed(serverMessage ?? "ThoughtSpot answered ERROR without a message")
    default:
      return failed(
        `ThoughtSpot answered the undocumented status ${JSON.stringify(status.status_code)}${serverMessage === undefined ? "" : `: ${serverMessage}`}; the TML, if any, is not taken as exported`
      )
  }
}

/** The requested `type` an item's `info.type` (a TML kind) belongs to; `undefined` for a kind not known here. */
const requestTypeOfKind = (kind: string | null | undefined): string | undefined => {
  switch (kind?.toLowerCase()) {
    case "liveboard":
    case "pinboard":
      return "LIVEBOARD"
    case "answer":
      return "ANSWER"
    case "model":
    case "worksheet":
    case "table":
    case "view":
    case "sql_view":
      return "LOGICAL_TABLE"
    case "connection":
      return "CONNECTION"
    case "user":
      return "USER"
    case "group":
    case "user_group":
      return "USER_GROUP"
    case "role":
      return "ROLE"
    case "feedback":
      return "FEEDBACK"
    default:
      return undefined
  }
}

/** What was asked for and no item of the answer accounts for (see {@link unanswered}). */
export interface Unanswered {
  /** Objects asked for by `identifier` that no item names and no spare item can stand for. */
  readonly named: ReadonlyArray<TmlExportMetadata>
  /** Objects asked for without an `identifier` (by `session_identifier`) beyond the items left to stand for them. */
  readonly unnamed: number
}

/**
 * The objects of a `metadata/tml/export` request its answer has no item for (pure). An item answers a request when
 * its `info.id` is the identifier (GUIDs compared without case) or its `info.name` is, and its kind fits the
 * requested type (a feedback item answers only a FEEDBACK request). Counting is not enough: with
 * `export_associated` the objects an object is built on come as items of their own, and would hide one that is
 * missing. An item that names no request may stand for one only when it cannot be an associated object's TML — a
 * failed item (whose id may be the resolved GUID of a name, or absent) or one without an id — and any such item,
 * or any other spare one, for a request without an identifier. A FEEDBACK request may go unanswered: ThoughtSpot
 * exports none when there is none.
 */
export const unanswered = (
  metadata: ReadonlyArray<TmlExportMetadata>,
  items: ReadonlyArray<TmlWireItem>
): Unanswered | undefined => {
  const byId = new Map<string, Array<number>>()
  const byName = new Map<string, Array<number>>()
  items.forEach((item, i) => {
    const { id, name } = item.info
    if (id != null) byId.set(id.toLowerCase(), [...(byId.get(id.toLowerCase()) ?? []), i])
    if (name != null) byName.set(name, [...(byName.get(name) ?? []), i])
  })
  const claimed = new Set<number>()
  const open: Array<TmlExportMetadata> = []
  let unnamed = 0
  for (const request of metadata) {
    if (request.type === "FEEDBACK") continue
    const identifier = request.identifier
    if (identifier === undefined || identifier === "") {
      unnamed++
      continue
    }
    const fits = (i: number) => {
      const kind = requestTypeOfKind(items[i]!.info.type)
      return kind === undefined ? true : request.type === undefined ? kind !== "FEEDBACK" : kind === request.type
    }
    const answering = [...(byId.get(identifier.toLowerCase()) ?? []), ...(byName.get(identifier) ?? [])].filter(fits)
    for (const i of answering) claimed.add(i)
    if (answering.length === 0) open.push(request)
  }
  let spareAny = 0
  let spareStandIns = 0
  items.forEach((item, i) => {
    if (claimed.has(i)) return
    spareAny++
    if (item.info.id == null || itemOf(item)._tag === "TmlFailed") spareStandIns++
  })
  const standing = Math.min(open.length, spareStandIns)
  if (open.length > spareStandIns || unnamed > spareAny - standing) {
    return { named: open.length > spareStandIns ? open : [], unnamed: Math.max(0, unnamed - (spareAny - standing)) }
  }
  return undefined
}
