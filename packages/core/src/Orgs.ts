/**
 * Orgs: `orgs/search` as the API's OpenAPI specification describes it (`OrgResponse`: every field optional and
 * nullable; no paging — one request answers the whole search), and how a client addresses one Org
 * (`ThoughtSpotClient.Service.forOrg`).
 */
import { Schema } from "effect"
import { nullable, openStruct } from "./internal/openStruct.ts"

/** `OrgResponse`. */
export const Org = openStruct({
  id: nullable(Schema.Int),
  name: nullable(Schema.String),
  status: nullable(Schema.String),
  description: nullable(Schema.String),
  visibility: nullable(Schema.String)
})
/** One `orgs/search` result. */
export type Org = typeof Org.Type

/** `SearchOrgsRequest`. */
export interface SearchOrgsRequest {
  readonly org_identifier?: string | undefined
  readonly description?: string | undefined
  readonly visibility?: "SHOW" | "HIDDEN" | undefined
  readonly status?: "ACTIVE" | "IN_ACTIVE" | undefined
  readonly user_identifiers?: ReadonlyArray<string> | undefined
  readonly [field: string]: unknown
}

/**
 * An Org to address: its numeric id (the token request's `org_id`), or its name, which the client resolves to
 * the id with `orgs/search` (exactly one Org must match).
 */
export type OrgIdentifier = number | string
