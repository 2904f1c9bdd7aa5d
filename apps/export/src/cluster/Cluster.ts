/**
 * What the export needs from a ThoughtSpot cluster, in its own terms: look objects up (with column types from
 * `metadata/search include_details`), list metadata, read the cluster's timezone, and open paged data streams.
 * Its admin side ({@link AdminCluster}) reads what the `tml`, `principals` and `permissions` exports and `--orgs`
 * need: objects to export by type, each object's TML, users, groups and roles, object permissions, and the Orgs
 * with a cluster for each (the two interfaces refer to each other, so they live together).
 * `Cluster.ts` is the seam between the CLI and `@spotpipe/core`; `CoreCluster.ts` implements it on the core
 * client (`CoreAdmin.ts` the admin side), and unit tests can implement it with plain arrays.
 */
import { type Pagination, type Principals, ThoughtSpotApi, type Tml } from "@spotpipe/core"
import type { Effect, Option, Stream } from "effect"
import { varcharList } from "../formats/RowRenderer.ts"
import type { EncodedRows } from "../formats/RowsTranscoder.ts"

/** A column with its ThoughtSpot data type. */
export interface TypedColumn {
  readonly name: string
  readonly type: string
  /** A result column's aggregation (`effectiveAggrType`: `NONE`, `SUM`, …), when the description gives it. */
  readonly aggregation?: string
  /** A result column's date bucket (`timeBucket`: `NO_BUCKET`, `MONTHLY`, …), when the description gives it. */
  readonly bucket?: string
  /** The model column a result column shows (`baseColumnName`, `baseDataType`), when the description gives it. */
  readonly base?: { readonly name: string; readonly type: string }
}

/**
 * A result column of an answer or visualization as its description gives it: without the name its data pages give
 * it (`Total Revenue`, `Month(Order Date)`), but for a column shown as it is (no aggregation, no date bucket), which
 * goes by its model column's name (`base.name`).
 */
export interface ResultColumn extends Omit<TypedColumn, "name" | "base"> {
  readonly name?: string
  /** The model column it shows (`baseColumnName`), and that column's own type when described (`baseDataType`). */
  readonly base?: { readonly name: string; readonly type?: string }
}

/** A visualization of an answer or liveboard, with its columns in its order. */
export interface Visualization {
  readonly id: string
  readonly name: string
  readonly columns: ReadonlyArray<ResultColumn>
}

/** An answer, liveboard or logical table as `metadata/search include_details` describes it. */
export interface MetadataObject {
  readonly type: string
  readonly id: string
  readonly name: string
  /** Answers have exactly one (its id is the answer's); liveboards one per visualization. */
  readonly visualizations: ReadonlyArray<Visualization>
  /** Logical tables: the model's columns. */
  readonly columns: ReadonlyArray<TypedColumn>
}

/** One page of a COMPACT data response, as the export needs it. */
export interface DataPage {
  readonly columnNames: ReadonlyArray<string>
  readonly rows: Pagination.Rows | EncodedRows
  /** `available_data_row_count`, when the source reports one. */
  readonly availableRowCount?: number | undefined
  /** `sampling_ratio`, when the source reports one. */
  readonly samplingRatio?: number | undefined
  /** The source found this page byte-identical to the previous one: the warning (core's `RepeatedPage`). */
  readonly repeated?: string | undefined
}

/**
 * How an export job reads the pages its source lends it: {@link EncodedRows} straight from the bytes, or parsed
 * COMPACT rows when the transcoder declines a page.
 */
export type PageDecoder = Pagination.PageReader<Pagination.Rows | EncodedRows>

/** The metadata types the CLI accepts (`metadata --type`, a job file's `metadataTypes`): every `metadata/search` type. */
export const metadataTypes: ReadonlyArray<ThoughtSpotApi.MetadataType> = ThoughtSpotApi.MetadataType.literals

/** The metadata types the demo exports: every type the embedded sandbox has objects of. */
export const demoMetadataTypes = metadataTypes.filter(
  (type) => type !== "LOGICAL_RELATIONSHIP" && type !== "INSIGHT_SPEC" && type !== "COLLECTION"
)

/**
 * A runtime sort and runtime filters of a data request, as ThoughtSpot's `runtime_sort` and `runtime_filter` take
 * them (`{"sortCol1":"Order ID","asc1":true}`, `{"col1":"Region","op1":"EQ","val1":"West"}`).
 */
export interface RuntimeRequest {
  readonly runtimeSort?: Readonly<Record<string, unknown>>
  readonly runtimeFilter?: Readonly<Record<string, unknown>>
}

/** The user a run is signed in as, as the cluster reports it (`auth/session/user`), and the Org of the session. */
export interface SignedInUser {
  readonly id: string
  readonly name: string
  /** Null: the cluster reported none. */
  readonly org: { readonly id: number; readonly name: string } | null
}

/** A ThoughtSpot cluster as the export uses it. `E` is the client's failure type. */
export interface Cluster<E> {
  /**
   * Where the data comes from, as the manifest records it: the host (never with credentials), or for an embedded
   * sandbox the options its data comes from (`sandbox:embedded?rows=…`, see `CoreCluster.embeddedSandboxSource`).
   */
  readonly host: string
  /** The cluster's `time_zone` from `GET system`, when it reports one. */
  readonly timeZone: Effect.Effect<Option.Option<string>, E>
  /** Who the run is signed in as (a `tml` run records it: see plan/TmlMirror.ts); absent: not known. */
  readonly signedIn?: Effect.Effect<SignedInUser, E>
  /** Objects of `type` matching a GUID or a name (exact), with details. */
  readonly find: (
    type: "ANSWER" | "LIVEBOARD" | "LOGICAL_TABLE",
    identifier: string
  ) => Effect.Effect<ReadonlyArray<MetadataObject>, E>
  /** Every object of `type`, with details (for the demo). */
  readonly list: (type: "ANSWER" | "LIVEBOARD") => Effect.Effect<ReadonlyArray<MetadataObject>, E>
  /**
   * Metadata of the given types as pages of rows in {@link metadataColumns} order; with `lists`, multi-valued
   * fields (`tags`) are arrays of strings (see {@link metadataListColumns}), else text joined with `;`.
   * `filter`: only objects with those tags and authors (see {@link MetadataFilter}).
   */
  readonly metadataPages: (
    types: ReadonlyArray<string>,
    pageSize: number,
    lists?: boolean,
    modified?: ModifiedFilter,
    filter?: MetadataFilter
  ) => Stream.Stream<DataPage, E>
  /**
   * The SECURITY_AUDIT events of `[since, until)` (epoch milliseconds), each once, in pages of up to `pageSize`
   * rows in {@link auditColumns} order (read in windows of at most 24 hours by `@spotpipe/core`). Absent: this
   * cluster has no audit log.
   */
  readonly auditPages?: (
    range: { readonly since: number; readonly until: number },
    pageSize: number
  ) => Stream.Stream<DataPage, E>
  /**
   * Data pages of an answer, a liveboard visualization or a search. `startOffset` (a multiple of `pageSize`,
   * default 0) starts the read there, so that a resumed export fetches none of the rows it already wrote.
   * `decoder` (optional) lets the job read rows straight from the response text (see {@link PageDecoder}).
   * `runtime`: a runtime sort and filters sent with every page's request.
   */
  readonly answerPages: (
    answerId: string,
    pageSize: number,
    startOffset?: number,
    decoder?: PageDecoder,
    runtime?: RuntimeRequest
  ) => Stream.Stream<DataPage, E>
  /** See {@link Cluster.answerPages}. */
  readonly liveboardPages: (
    liveboardId: string,
    vizId: string,
    pageSize: number,
    startOffset?: number,
    decoder?: PageDecoder,
    runtime?: RuntimeRequest
  ) => Stream.Stream<DataPage, E>
  /** See {@link Cluster.answerPages}. */
  readonly searchPages: (
    tableId: string,
    query: string,
    pageSize: number,
    startOffset?: number,
    decoder?: PageDecoder,
    runtime?: RuntimeRequest
  ) => Stream.Stream<DataPage, E>
  /** TML, principals, permissions and Orgs (the `tml`, `principals` and `permissions` exports, `--orgs`). */
  readonly admin?: AdminCluster<E>
}

/**
 * An incremental metadata listing: only objects whose `modified` (epoch milliseconds) is at least `since` become
 * rows; `see` is told every listed object's `modified`, kept or not (for the run's watermark).
 */
export interface ModifiedFilter {
  readonly since?: number | undefined
  readonly see?: (modifiedMillis: number) => void
}

/**
 * What a metadata listing asks ThoughtSpot for besides types: objects with any of `tags` (`tag_identifiers`) and
 * created by any of `authors` (`created_by_user_identifiers`), names or GUIDs as the API takes them. The server
 * filters; the listing only notes which values no listed object carries, for `unmatched`.
 */
export interface MetadataFilter {
  readonly tags?: ReadonlyArray<string> | undefined
  readonly authors?: ReadonlyArray<string> | undefined
  /** Told, once the listing was read whole, the given tags and authors that no listed object carries. */
  readonly unmatched?: (unmatched: {
    readonly tags: ReadonlyArray<string>
    readonly authors: ReadonlyArray<string>
  }) => void
}

/** Columns of a metadata export, with their types (times are epoch seconds, rendered as RFC 3339). */
export const metadataColumns: ReadonlyArray<TypedColumn> = [
  { name: "type", type: "VARCHAR" },
  { name: "id", type: "VARCHAR" },
  { name: "name", type: "VARCHAR" },
  { name: "subtype", type: "VARCHAR" },
  { name: "description", type: "VARCHAR" },
  { name: "author", type: "VARCHAR" },
  { name: "created", type: "DATE_TIME" },
  { name: "modified", type: "DATE_TIME" },
  { name: "tags", type: "VARCHAR" },
  // The same times exact: ThoughtSpot sends milliseconds, and a DATE_TIME cell holds whole seconds.
  { name: "created_ms", type: "INT64" },
  { name: "modified_ms", type: "INT64" }
]

/**
 * The cell of a DATE_TIME column for a time ThoughtSpot sends in epoch milliseconds: epoch seconds, cut to the
 * second (ThoughtSpot's times are whole seconds; DATE_TIME cells are too); null for anything but a finite number.
 */
export const epochSeconds = (u: unknown): number | null =>
  typeof u === "number" && Number.isFinite(u) ? Math.floor(u / 1000) : null

/** The cell of an INT64 column for a time ThoughtSpot sends in epoch milliseconds: exactly as sent; null for anything but an integer. */
export const epochMillis = (u: unknown): number | null => (Number.isSafeInteger(u) ? (u as number) : null)

/** {@link metadataColumns} as NDJSON writes them: `tags` a list of strings (an empty list for none). */
export const metadataListColumns: ReadonlyArray<TypedColumn> = metadataColumns.map((c) =>
  c.name === "tags" ? { name: c.name, type: varcharList } : c
)

/**
 * Columns of an audit export: the event's `id`, `type`, `time_to_second` (the entry's `date` cut to the second, for
 * typed sorting and partitioning: ThoughtSpot's dates are whole seconds everywhere else, and the name says it is
 * not the exact time), `date` (exactly as sent, with its milliseconds or microseconds), the
 * user's name and GUID, the client address, the Org and the description, then `log`: the event's JSON text as sent,
 * which holds every field (`data` among them). A field the event lacks is null.
 */
export const auditColumns: ReadonlyArray<TypedColumn> = [
  { name: "id", type: "VARCHAR" },
  { name: "type", type: "VARCHAR" },
  { name: "time_to_second", type: "DATE_TIME" },
  { name: "date", type: "VARCHAR" },
  { name: "user", type: "VARCHAR" },
  { name: "user_id", type: "VARCHAR" },
  { name: "client_ip", type: "VARCHAR" },
  { name: "org_id", type: "INT64" },
  { name: "description", type: "VARCHAR" },
  { name: "log", type: "VARCHAR" }
]

/** An object found by type: enough to export its TML or fetch its permissions. */
export interface ListedObject {
  readonly type: string
  readonly id: string
  readonly name: string
  /** Its `modified` time (epoch milliseconds), when the listing gave one. */
  readonly modified?: number
}

/** An Org: its numeric id and name. */
export interface OrgRef {
  readonly id: number
  readonly name: string
}

/** Users, groups and roles as core reads them (every field as sent). */
export interface PrincipalListing {
  readonly users: ReadonlyArray<Principals.User>
  readonly groups: ReadonlyArray<Principals.UserGroup>
  readonly roles: ReadonlyArray<Principals.Role>
}

/** TML text format: ThoughtSpot's `edoc_format`. */
export type TmlFormat = "YAML" | "JSON"

/** What the admin exports read from a cluster. `E` is the client's failure type. */
export interface AdminCluster<E> {
  /** Every object of `type` (a `metadata/search` type) the user can see, by name then GUID. */
  readonly listObjects: (type: string) => Effect.Effect<ReadonlyArray<ListedObject>, E>
  /**
   * `metadata/tml/export` of one object: every item of the answer, each with its outcome; `associated`: with the
   * objects it is built on (`export_associated`).
   */
  readonly exportTml: (
    object: ListedObject,
    format: TmlFormat,
    associated: boolean
  ) => Effect.Effect<ReadonlyArray<Tml.TmlItem>, E>
  /** `metadata/tml/export/batch`: every user, group or role of the Org, batch by batch. */
  readonly exportTmlBatch: (
    type: "USER" | "USER_GROUP" | "ROLE",
    format: TmlFormat
  ) => Effect.Effect<ReadonlyArray<Tml.TmlItem>, E>
  /** Every user and group (checked paged listings, by name) and every role. */
  readonly principals: Effect.Effect<PrincipalListing, E>
  /**
   * `security/metadata/fetch-permissions` of these objects (EFFECTIVE): `metadata_permission_details` as sent
   * (an array, or the specification's object).
   */
  readonly permissions: (objects: ReadonlyArray<ListedObject>) => Effect.Effect<unknown, E>
  /**
   * The Orgs this user may reach (`orgs/search`), id, name and status (`ACTIVE`, `IN_ACTIVE`) as sent (the
   * specification makes each optional).
   */
  readonly orgs: Effect.Effect<
    ReadonlyArray<{
      readonly id: number | undefined
      readonly name: string | undefined
      readonly status: string | undefined
    }>,
    E
  >
  /** The cluster as seen from `org`, through a token of its own (core's `forOrg`). */
  readonly forOrg: (org: OrgRef) => Effect.Effect<Cluster<E>, E>
}
