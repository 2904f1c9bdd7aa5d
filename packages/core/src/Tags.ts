/**
 * Tags: `tags/search` as the API's OpenAPI specification describes it (`Tag`, required `name` and `id`; no
 * paging — one request answers the whole search).
 */
import { Schema } from "effect"
import { nullable, openStruct } from "./internal/openStruct.ts"

/** `Tag`. */
export const Tag = openStruct({
  name: Schema.String,
  id: Schema.String,
  color: nullable(Schema.String),
  deleted: nullable(Schema.Boolean),
  hidden: nullable(Schema.Boolean),
  creation_time_in_millis: nullable(Schema.Finite),
  modification_time_in_millis: nullable(Schema.Finite),
  author_id: nullable(Schema.String),
  owner_id: nullable(Schema.String)
})
/** One `tags/search` result. */
export type Tag = typeof Tag.Type

/** `SearchTagsRequest`. */
export interface SearchTagsRequest {
  readonly tag_identifier?: string | undefined
  readonly name_pattern?: string | undefined
  readonly color?: string | undefined
  readonly [field: string]: unknown
}
