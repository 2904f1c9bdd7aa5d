/**
 * Users, groups and roles (`users/search`, `groups/search`, `roles/search`), as the API's OpenAPI specification
 * describes them: the required fields and the typed optional ones are checked; every other field is kept as sent
 * (an export must not drop what a newer cluster adds).
 */
import { Schema } from "effect"
import { IdAndName, nullable, openStruct } from "./internal/openStruct.ts"

/** Paging of `searchUsers` and `searchGroups`. */
export interface ListingOptions {
  /** Items per request (`record_size`), default 500. */
  readonly pageSize?: number | undefined
}

/** `visibility` of users and groups. */
export const Visibility = Schema.Literals(["SHARABLE", "NON_SHARABLE"])

/** `Org` of a user (`current_org`, `orgs`; both fields required), kept whole like the user around it. */
const OrgOfUser = openStruct({ id: Schema.Int, name: Schema.String })

/** `User` (required: `id`, `name`, `display_name`, `visibility`). */
export const User = openStruct({
  id: Schema.String,
  name: Schema.String,
  display_name: Schema.String,
  visibility: Visibility,
  email: nullable(Schema.String),
  account_type: nullable(Schema.String),
  account_status: nullable(Schema.String),
  current_org: nullable(OrgOfUser),
  orgs: nullable(Schema.Array(OrgOfUser)),
  privileges: nullable(Schema.Array(Schema.String)),
  user_groups: nullable(Schema.Array(IdAndName)),
  creation_time_in_millis: nullable(Schema.Finite),
  modification_time_in_millis: nullable(Schema.Finite)
})
/** One `users/search` result. */
export type User = typeof User.Type

/** `UserGroupResponse` (required: `display_name`, `id`, `name`, `visibility`). */
export const UserGroup = openStruct({
  id: Schema.String,
  name: Schema.String,
  display_name: Schema.String,
  visibility: Visibility,
  description: nullable(Schema.String),
  type: nullable(Schema.String),
  privileges: nullable(Schema.Array(Schema.String)),
  orgs: nullable(Schema.Array(IdAndName)),
  users: nullable(Schema.Array(IdAndName)),
  sub_groups: nullable(Schema.Array(IdAndName)),
  roles: nullable(Schema.Array(IdAndName))
})
/** One `groups/search` result. */
export type UserGroup = typeof UserGroup.Type

/** `SearchRoleResponse` (required: `id`, `name`, `description`, `privileges`). */
export const Role = openStruct({
  id: Schema.String,
  name: Schema.String,
  description: Schema.String,
  privileges: Schema.Array(Schema.String),
  groups_assigned_count: nullable(Schema.Int),
  orgs: nullable(Schema.Array(IdAndName)),
  groups: nullable(Schema.Array(IdAndName)),
  permission: nullable(Schema.String)
})
/** One `roles/search` result. */
export type Role = typeof Role.Type

/** `SortOptions` of the user and group searches. */
export interface SortOptions {
  readonly field_name?: "NAME" | "DISPLAY_NAME" | "AUTHOR" | "CREATED" | "MODIFIED" | undefined
  readonly order?: "ASC" | "DESC" | undefined
}

/**
 * `SearchUsersRequest` without its paging fields (the client sets `record_offset` and `record_size`); every
 * field is optional, any documented field may be given.
 */
export interface SearchUsersRequest {
  readonly user_identifier?: string | undefined
  readonly display_name?: string | undefined
  readonly name_pattern?: string | undefined
  readonly visibility?: "SHARABLE" | "NON_SHARABLE" | undefined
  readonly email?: string | undefined
  readonly group_identifiers?: ReadonlyArray<string> | undefined
  readonly privileges?: ReadonlyArray<string> | undefined
  readonly account_type?: string | undefined
  readonly account_status?: string | undefined
  readonly org_identifiers?: ReadonlyArray<string> | undefined
  readonly role_identifiers?: ReadonlyArray<string> | undefined
  readonly sort_options?: SortOptions | undefined
  readonly include_favorite_metadata?: boolean | undefined
  readonly [field: string]: unknown
}

/** `SearchUserGroupsRequest` without its paging fields (the client sets them). */
export interface SearchGroupsRequest {
  readonly group_identifier?: string | undefined
  readonly display_name?: string | undefined
  readonly name_pattern?: string | undefined
  readonly description?: string | undefined
  readonly type?: "LOCAL_GROUP" | "LDAP_GROUP" | "TEAM_GROUP" | "TENANT_GROUP" | undefined
  readonly visibility?: "SHARABLE" | "NON_SHARABLE" | undefined
  readonly org_identifiers?: ReadonlyArray<string> | undefined
  readonly user_identifiers?: ReadonlyArray<string> | undefined
  readonly sub_group_identifiers?: ReadonlyArray<string> | undefined
  readonly role_identifiers?: ReadonlyArray<string> | undefined
  readonly privileges?: ReadonlyArray<string> | undefined
  readonly sort_options?: SortOptions | undefined
  readonly include_users?: boolean | undefined
  readonly include_sub_groups?: boolean | undefined
  readonly [field: string]: unknown
}

/** `SearchRolesRequest` (no paging in the specification: one request answers the whole search). */
export interface SearchRolesRequest {
  readonly role_identifiers?: ReadonlyArray<string> | undefined
  readonly org_identifiers?: ReadonlyArray<string> | undefined
  readonly group_identifiers?: ReadonlyArray<string> | undefined
  readonly privileges?: ReadonlyArray<string> | undefined
  readonly permissions?: ReadonlyArray<string> | undefined
  readonly deprecated?: boolean | undefined
  readonly external?: boolean | undefined
  readonly shared_via_connection?: boolean | undefined
  readonly [field: string]: unknown
}
