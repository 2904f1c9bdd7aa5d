/**
 * Wire schemas of the ThoughtSpot REST API v2.0 endpoints the client calls, as the API's OpenAPI specification
 * describes them (each schema says what it relies on).
 *
 * Responses are decoded with `Schema`: unknown extra fields are tolerated (and dropped), documented fields are
 * checked. Data pages are the exception on the hot path: their envelope is checked by hand and their cells are
 * not decoded at all (see `Pagination.ts`).
 */
import { Schema } from "effect"

/**
 * `Token` from `auth/token/full` and `auth/token/object`: `token` is the bearer token, opaque to the client (the
 * specification also requires creation and expiry times in epoch milliseconds, `scope` and the user it is for).
 */
export const TokenResponse = Schema.Struct({
  token: Schema.String,
  creation_time_in_millis: Schema.Finite,
  expiration_time_in_millis: Schema.Finite,
  valid_for_user_id: Schema.optionalKey(Schema.String),
  valid_for_username: Schema.optionalKey(Schema.String)
})
/** `Token` from `auth/token/full` and `auth/token/object`. */
export type TokenResponse = typeof TokenResponse.Type

/** `GET system`: cluster facts; `time_zone` is the data timezone fallback. */
export const SystemInfo = Schema.Struct({
  id: Schema.optionalKey(Schema.NullOr(Schema.String)),
  name: Schema.optionalKey(Schema.NullOr(Schema.String)),
  release_version: Schema.optionalKey(Schema.NullOr(Schema.String)),
  time_zone: Schema.optionalKey(Schema.NullOr(Schema.String)),
  locale: Schema.optionalKey(Schema.NullOr(Schema.String)),
  date_format: Schema.optionalKey(Schema.NullOr(Schema.String)),
  api_version: Schema.optionalKey(Schema.NullOr(Schema.String)),
  type: Schema.optionalKey(Schema.NullOr(Schema.String)),
  environment: Schema.optionalKey(Schema.NullOr(Schema.String))
})
/** `GET system`. */
export type SystemInfo = typeof SystemInfo.Type

/** `GET auth/session/user` (the specification's `User`): the required fields plus the ones an export cares about. */
export const CurrentUser = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  display_name: Schema.String,
  visibility: Schema.optionalKey(Schema.String),
  email: Schema.optionalKey(Schema.NullOr(Schema.String)),
  current_org: Schema.optionalKey(Schema.NullOr(Schema.Struct({ id: Schema.Int, name: Schema.String }))),
  privileges: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.String)))
})
/** `GET auth/session/user`. */
export type CurrentUser = typeof CurrentUser.Type

/** Metadata object types: the `type` enum of `metadata/search`'s `MetadataListItemInput` (`COLLECTION` is recent). */
export const MetadataType = Schema.Literals([
  "LIVEBOARD",
  "ANSWER",
  "LOGICAL_TABLE",
  "LOGICAL_COLUMN",
  "CONNECTION",
  "TAG",
  "USER",
  "USER_GROUP",
  "LOGICAL_RELATIONSHIP",
  "INSIGHT_SPEC",
  "COLLECTION"
])
/** Metadata object types. */
export type MetadataType = typeof MetadataType.Type

/**
 * One `metadata/search` result (the response is a JSON array of them; only `metadata_type` is required, every
 * other field is nullable). `metadata_header` and `metadata_detail` are untyped in the specification and here.
 */
export const MetadataItem = Schema.Struct({
  metadata_type: Schema.String,
  metadata_id: Schema.optionalKey(Schema.NullOr(Schema.String)),
  metadata_name: Schema.optionalKey(Schema.NullOr(Schema.String)),
  metadata_obj_id: Schema.optionalKey(Schema.NullOr(Schema.String)),
  metadata_header: Schema.optionalKey(Schema.NullOr(Schema.Record(Schema.String, Schema.Unknown))),
  metadata_detail: Schema.optionalKey(Schema.NullOr(Schema.Unknown)),
  visualization_headers: Schema.optionalKey(Schema.NullOr(Schema.Array(Schema.Unknown))),
  dependent_objects: Schema.optionalKey(Schema.NullOr(Schema.Unknown)),
  stats: Schema.optionalKey(Schema.NullOr(Schema.Unknown))
})
/** One `metadata/search` result. */
export type MetadataItem = typeof MetadataItem.Type

/** `metadata/search` response: a bare array. */
export const MetadataSearchResponse = Schema.Array(MetadataItem)

/**
 * A result column of a visualization in `metadata_detail`, in the layout ThoughtSpot documents (V1, the default
 * `liveboard_response_version`): described by its type, aggregation and the model column it shows, without the
 * name its data pages give it (`Total Revenue`, `Month(Order Date)`). A visualization lists them in the result's
 * order. Only the fields read here are typed; the object holds many more.
 */
export const VisualizationColumn = Schema.Struct({
  effectiveDataType: Schema.optionalKey(Schema.String),
  effectiveType: Schema.optionalKey(Schema.String),
  effectiveAggrType: Schema.optionalKey(Schema.String),
  baseColumnName: Schema.optionalKey(Schema.String),
  baseDataType: Schema.optionalKey(Schema.String)
})

/**
 * A visualization in `metadata_detail`: its `header`, and in `vizContent` an answer's columns (its table has
 * `vizType` TABLE) or, on a liveboard, the answer visualization it shows (`refVizId`, resolved in the liveboard's
 * `header.resolvedObjects`).
 */
export const DetailVisualization = Schema.Struct({
  header: Schema.Struct({ id: Schema.String, name: Schema.String }),
  vizContent: Schema.Struct({
    vizType: Schema.optionalKey(Schema.String),
    columns: Schema.optionalKey(Schema.Array(VisualizationColumn)),
    refVizId: Schema.optionalKey(Schema.String)
  })
})

/** `metadata_detail` of an ANSWER or LIVEBOARD with `include_details: true`: its sheets' visualizations. */
export const VisualizationsDetail = Schema.Struct({
  reportContent: Schema.Struct({
    sheets: Schema.Array(
      Schema.Struct({
        sheetType: Schema.optionalKey(Schema.String),
        sheetContent: Schema.Struct({ visualizations: Schema.optionalKey(Schema.Array(DetailVisualization)) })
      })
    )
  }),
  header: Schema.optionalKey(
    Schema.Struct({
      id: Schema.String,
      name: Schema.String,
      resolvedObjects: Schema.optionalKey(Schema.Record(Schema.String, Schema.Unknown))
    })
  )
})
/** `metadata_detail` of an ANSWER or LIVEBOARD. */
export type VisualizationsDetail = typeof VisualizationsDetail.Type

/**
 * `metadata_detail` of a LOGICAL_TABLE with `include_details: true`: its columns with `header.name` and
 * `dataType` (VARCHAR, INT64, DATE_TIME, …). Data responses carry only column names, so this is where types come
 * from.
 */
export const LogicalTableDetail = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  columns: Schema.Array(
    Schema.Struct({
      header: Schema.Struct({
        id: Schema.String,
        name: Schema.String,
        description: Schema.optionalKey(Schema.NullOr(Schema.String)),
        isHidden: Schema.optionalKey(Schema.Boolean)
      }),
      dataType: Schema.String,
      type: Schema.optionalKey(Schema.String)
    })
  )
})
/** `metadata_detail` of a LOGICAL_TABLE. */
export type LogicalTableDetail = typeof LogicalTableDetail.Type

/**
 * `AnswerContent` / `LiveboardContent` without `data_rows`: the page envelope (every field required by the
 * specification; a liveboard's adds nullable `visualization_id`/`visualization_name`; `sampling_ratio` 1.0 means
 * the complete result). `data_rows` is checked separately, row by row as arrays, never cell by cell.
 */
export const ContentEnvelope = Schema.Struct({
  available_data_row_count: Schema.Int,
  column_names: Schema.Array(Schema.String),
  record_offset: Schema.Int,
  record_size: Schema.Int,
  returned_data_row_count: Schema.Int,
  sampling_ratio: Schema.Finite,
  visualization_id: Schema.optionalKey(Schema.NullOr(Schema.String)),
  visualization_name: Schema.optionalKey(Schema.NullOr(Schema.String))
})
/** A data page envelope. */
export type ContentEnvelope = typeof ContentEnvelope.Type

/** `metadata/search` request (no field is required); any documented field may be given, the client sets paging itself. */
export interface SearchMetadataRequest {
  readonly metadata?:
    | ReadonlyArray<{
        readonly identifier?: string | undefined
        readonly obj_identifier?: string | undefined
        readonly name_pattern?: string | undefined
        readonly type?: MetadataType | undefined
        readonly subtypes?: ReadonlyArray<string> | undefined
      }>
    | undefined
  readonly include_details?: boolean | undefined
  readonly include_headers?: boolean | undefined
  readonly include_hidden_objects?: boolean | undefined
  readonly include_visualization_headers?: boolean | undefined
  readonly include_dependent_objects?: boolean | undefined
  readonly include_stats?: boolean | undefined
  readonly tag_identifiers?: ReadonlyArray<string> | undefined
  readonly sort_options?:
    | {
        /** The OpenAPI document's enum (the sandbox answers 400 to any other value). */
        readonly field_name:
          | "NAME"
          | "DISPLAY_NAME"
          | "AUTHOR"
          | "CREATED"
          | "MODIFIED"
          | "VIEWS"
          | "FAVORITES"
          | "LAST_ACCESSED"
        readonly order: "ASC" | "DESC"
      }
    | undefined
  readonly [field: string]: unknown
}
