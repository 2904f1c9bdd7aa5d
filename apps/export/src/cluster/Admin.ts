/**
 * The admin side of a cluster, as the `tml`, `principals` and `permissions` exports and `--orgs` read it: objects
 * to export by type, each object's TML, users, groups and roles, object permissions, and the Orgs with a cluster
 * for each. `CoreCluster.ts` implements it on `@spotpipe/core`'s admin operations.
 */
import type { Principals, Tml } from "@spotpipe/core"
import type { Effect } from "effect"
import type { Cluster } from "./Cluster.ts"

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
  /** The Orgs this user may reach (`orgs/search`), id and name as sent (the specification makes both optional). */
  readonly orgs: Effect.Effect<ReadonlyArray<{ readonly id: number | undefined; readonly name: string | undefined }>, E>
  /** The cluster as seen from `org`, through a token of its own (core's `forOrg`). */
  readonly forOrg: (org: OrgRef) => Effect.Effect<Cluster<E>, E>
}
