/**
 * Object permissions: `security/metadata/fetch-permissions` as the API's OpenAPI specification describes it.
 * The response (`PermissionOfMetadataResponse`) holds `metadata_permission_details`, which the specification's
 * schema calls an untyped object while its example shows an array (one entry per object, with
 * `principal_permission_info`): either is accepted and returned as sent.
 */
import { Schema } from "effect"
import { nullable, openStruct } from "./internal/openStruct.ts"

/** `PermissionsMetadataTypeInput`: an object whose permissions to fetch (`identifier` is a GUID or name). */
export interface PermissionsMetadata {
  readonly identifier: string
  readonly type?: "LIVEBOARD" | "ANSWER" | "LOGICAL_TABLE" | "LOGICAL_COLUMN" | "CONNECTION" | "COLLECTION" | undefined
}

/** `PrincipalsInput`: a user or group to restrict the answer to. */
export interface Principal {
  readonly identifier: string
  readonly type?: "USER" | "USER_GROUP" | undefined
}

/**
 * `FetchPermissionsOnMetadataRequest` (`metadata` required). `record_offset`/`record_size` are passed as given:
 * the specification's default size is -1, "all records in a single response".
 */
export interface FetchPermissionsRequest {
  readonly metadata: ReadonlyArray<PermissionsMetadata>
  readonly principals?: ReadonlyArray<Principal> | undefined
  readonly include_dependent_objects?: boolean | undefined
  readonly permission_type?: string | undefined
  readonly record_offset?: number | undefined
  readonly record_size?: number | undefined
  readonly [field: string]: unknown
}

/** `PermissionOfMetadataResponse`. */
export const PermissionsResponse = openStruct({
  metadata_permission_details: nullable(
    Schema.Union([Schema.Array(Schema.Unknown), Schema.Record(Schema.String, Schema.Unknown)])
  )
})
/** `security/metadata/fetch-permissions` response. */
export type PermissionsResponse = typeof PermissionsResponse.Type
