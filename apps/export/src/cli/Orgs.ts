/**
 * `--orgs` (and a job's `orgs`): every export once per Org, each read through a token of its own (core's
 * `forOrg`), its files in the Org's folder `org-<id>-<name>/`, all in one run and one manifest.
 */
import { Effect } from "effect"
import type { Cluster } from "../cluster/Cluster.ts"
import type { ClusterFailure } from "../cluster/CoreCluster.ts"
import { ExportError } from "../ExportError.ts"
import { adminOf } from "../plan/AdminExports.ts"
import { type ExportOrg, exportsPerOrg, type JobExport } from "../plan/JobFile.ts"
import type { OrgsChoice } from "./Flags.ts"

/**
 * `exports` once per Org `choice` names (`--orgs`, a job's `orgs`), or as they are without one. The Orgs are those
 * `orgs/search` lists for this user; an id it does not list is an error naming the ones it does.
 */
export const withOrgs = (
  exports: ReadonlyArray<JobExport>,
  choice: OrgsChoice | undefined,
  cluster: Cluster<ClusterFailure>
): Effect.Effect<ReadonlyArray<JobExport>, ExportError | ClusterFailure> =>
  Effect.gen(function* () {
    if (choice === undefined) return exports
    const admin = yield* adminOf(cluster)
    const known: Array<ExportOrg> = []
    for (const org of yield* admin.orgs) {
      if (org.id === undefined) {
        return yield* new ExportError({
          kind: "Remote",
          message: `orgs/search listed an Org without an id${org.name === undefined ? "" : ` ("${org.name}")`}: it cannot be signed in to, so --orgs cannot export it`
        })
      }
      known.push({ id: org.id, name: org.name ?? String(org.id) })
    }
    const listing = known.map((o) => `${o.id} (${o.name})`).join(", ")
    const chosen: Array<ExportOrg> = []
    // `all` in id order, so that every shard of a job expands it the same way.
    const ids = choice === "all" ? known.map((o) => o.id).sort((a, b) => a - b) : choice
    for (const id of ids) {
      const org = known.find((o) => o.id === id)
      if (org === undefined) {
        return yield* new ExportError({
          kind: "NotFound",
          message: `no Org ${id} among those this user can reach (${listing || "none"}): check the id, or sign in to the Primary Org as an administrator to reach every Org`
        })
      }
      chosen.push(org)
    }
    return exportsPerOrg(exports, chosen)
  })
