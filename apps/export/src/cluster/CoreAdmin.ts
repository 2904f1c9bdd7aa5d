/**
 * {@link AdminCluster} on `@spotpipe/core`'s admin operations (all but `forOrg`, which `CoreCluster` adds, since it
 * builds a whole cluster). Listings are sorted by name, then GUID, so that a listing read twice (a resumed output,
 * a re-rendered page) comes out the same.
 */
import type { ThoughtSpotApi, ThoughtSpotClient, ThoughtSpotError, Tml } from "@spotpipe/core"
import { Effect, Stream } from "effect"
import type { AdminCluster, ListedObject } from "./Cluster.ts"

const byName = <A extends { readonly name: string; readonly id: string }>(a: A, b: A) =>
  a.name < b.name ? -1 : a.name > b.name ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0

const byNameSort = { field_name: "NAME", order: "ASC" } as const

/** An object's `modified` header (epoch milliseconds), when it has one. */
export const modifiedMillisOf = (item: ThoughtSpotApi.MetadataItem): number | undefined => {
  const header = item.metadata_header
  const modified =
    typeof header === "object" && header !== null ? (header as Record<string, unknown>)["modified"] : undefined
  return typeof modified === "number" && Number.isFinite(modified) ? modified : undefined
}

/**
 * The admin operations over `client`, without `forOrg`; they fail as core does (`CoreCluster.ClusterFailure`, named
 * there since CoreCluster builds on this module).
 */
export const coreAdmin = (
  client: ThoughtSpotClient.Service
): Omit<AdminCluster<ThoughtSpotError.ThoughtSpotError>, "forOrg"> => ({
  listObjects: (type) =>
    client.searchMetadata({ metadata: [{ type: type as ThoughtSpotApi.MetadataType }], sort_options: byNameSort }).pipe(
      Stream.runCollect,
      Effect.map((items) =>
        // An object without a GUID keeps an empty one: its TML export then fails by name, never silently.
        items
          .map((item): ListedObject => {
            const modified = modifiedMillisOf(item)
            return {
              type: item.metadata_type,
              id: item.metadata_id ?? "",
              name: item.metadata_name ?? "",
              ...(modified === undefined ? {} : { modified })
            }
          })
          .sort(byName)
      )
    ),
  exportTml: (object, format, associated) =>
    client.exportTml({
      metadata: [{ identifier: object.id, type: object.type as Tml.TmlExportMetadata["type"] & string }],
      edoc_format: format,
      ...(associated ? { export_associated: true } : {})
    }),
  exportTmlBatch: (type, format) =>
    client.exportTmlBatch({ metadata_type: type, edoc_format: format }).pipe(Stream.runCollect),
  principals: Effect.all(
    {
      users: Stream.runCollect(client.searchUsers({ sort_options: byNameSort })),
      groups: Stream.runCollect(
        client.searchGroups({ sort_options: byNameSort, include_users: true, include_sub_groups: true })
      ),
      roles: Effect.map(client.searchRoles(), (roles) => [...roles].sort(byName))
    },
    { concurrency: 3 }
  ),
  permissions: (objects) =>
    Effect.map(
      client.fetchPermissions({
        metadata: objects.map((o) => ({
          identifier: o.id,
          type: o.type as "LIVEBOARD" | "ANSWER" | "LOGICAL_TABLE" | "CONNECTION"
        })),
        permission_type: "EFFECTIVE"
      }),
      (response) => response.metadata_permission_details
    ),
  orgs: Effect.map(client.searchOrgs(), (orgs) =>
    orgs.map((o) => ({ id: o.id ?? undefined, name: o.name ?? undefined, status: o.status ?? undefined }))
  )
})
