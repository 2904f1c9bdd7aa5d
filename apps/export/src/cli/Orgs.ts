/**
 * `--orgs` (and a job's `orgs`): every export once per Org, each read through a token of its own (core's
 * `forOrg`), its files in the Org's folder `org-<id>-<name>/`, all in one run and one manifest. `all` means the
 * active Orgs: an inactive one (`status: "IN_ACTIVE"`), which no one can sign in to, is skipped and named in a
 * warning; one named by its id is tried, with a warning, since it was asked for.
 *
 * A pre-issued token (`THOUGHTSPOT_TOKEN`, a profile's `auth token`) signs in to its own Org only, and cannot be
 * renewed for another: `--orgs` with one is refused before any request (exit 2), as `--org-id` is. Exporting only
 * the token's Org instead would leave the other Orgs out of an `all` without a word, and to export that Org alone
 * no `--orgs` is needed.
 */
import { Effect } from "effect"
import type { Cluster } from "../cluster/Cluster.ts"
import type { Connection } from "../cluster/Connection.ts"
import type { ClusterFailure } from "../cluster/CoreCluster.ts"
import { ExportError } from "../ExportError.ts"
import { adminOf } from "../plan/AdminExports.ts"
import { type ExportOrg, exportsPerOrg, type JobExport } from "../plan/JobFile.ts"
import { UsageError } from "../UsageError.ts"
import type { OrgsChoice } from "./Flags.ts"

/** The exports of a run over Orgs, and what was said about the Orgs (for the run's manifest). */
export interface OrgExports {
  readonly exports: ReadonlyArray<JobExport>
  /** Warnings about the Orgs chosen (inactive ones skipped or tried), already logged. */
  readonly warnings: ReadonlyArray<string>
}

/** `orgs/search`'s status of an Org that was deactivated. */
const inactive = "IN_ACTIVE"

const named = (orgs: ReadonlyArray<ExportOrg>) => orgs.map((o) => `${o.id} (${o.name})`).join(", ")

/** Where the Orgs were chosen: `--orgs`, or a job file's `"orgs"` (the flag wins over it). */
export type OrgsFrom = "--orgs" | "job file"

// How messages name the choice: all of it, and the setting.
const choiceOf = { "--orgs": "--orgs all", "job file": `the job file's "orgs": "all"` } as const
const settingOf = { "--orgs": "--orgs", "job file": `the job file's "orgs"` } as const

/**
 * Refuses Orgs chosen (`--orgs`, a job's `orgs`) for a connection that signs in with a pre-issued token, before any
 * request: the token reads its own Org only (see the module comment).
 */
export const orgsWithTokenRefused = (
  connection: Connection,
  choice: OrgsChoice | undefined,
  from: OrgsFrom = "--orgs"
): Effect.Effect<void, UsageError> => {
  if (choice === undefined || connection._tag !== "Cluster" || connection.auth._tag !== "BearerToken") {
    return Effect.void
  }
  const asked = choice === "all" ? choiceOf[from] : `${settingOf[from]} ${choice.join(",")}`
  return Effect.fail(
    new UsageError({
      message: `a token (${connection.sources?.secret ?? "THOUGHTSPOT_TOKEN"}) signs in to the Org it was issued for only and cannot be renewed for another, so it cannot read the Orgs ${asked} asks for: drop ${settingOf[from]} to export the token's own Org, or sign in with a password or secret key to export several Orgs`
    })
  )
}

/**
 * `exports` once per Org `choice` names (`--orgs`, a job's `orgs`), or as they are without one. The Orgs are those
 * `orgs/search` lists for this user; an id it does not list is an error naming the ones it does. `all` leaves out
 * the inactive Orgs (a warning names them); an inactive Org named by id is kept, with a warning. `from` says where the
 * choice was made, for messages.
 */
export const withOrgs = (
  exports: ReadonlyArray<JobExport>,
  choice: OrgsChoice | undefined,
  cluster: Cluster<ClusterFailure>,
  from: OrgsFrom = "--orgs"
): Effect.Effect<OrgExports, ExportError | ClusterFailure> =>
  Effect.gen(function* () {
    if (choice === undefined) return { exports, warnings: [] }
    const admin = yield* adminOf(cluster)
    const known: Array<ExportOrg & { readonly active: boolean }> = []
    for (const org of yield* admin.orgs) {
      if (org.id === undefined) {
        return yield* new ExportError({
          kind: "Remote",
          message: `orgs/search listed an Org without an id${org.name === undefined ? "" : ` ("${org.name}")`}: it cannot be signed in to, so ${settingOf[from]} cannot export it`
        })
      }
      // Only a status that says so is inactive: an Org listed without one is tried (and fails loudly if it must).
      known.push({ id: org.id, name: org.name ?? String(org.id), active: org.status !== inactive })
    }
    const listing = named(known)
    const chosen: Array<ExportOrg> = []
    const warnings: Array<string> = []
    if (choice === "all") {
      // In id order, so that every shard of a job expands it the same way.
      const byId = [...known].sort((a, b) => a.id - b.id)
      chosen.push(...byId.filter((o) => o.active).map(({ id, name }) => ({ id, name })))
      const skipped = byId.filter((o) => !o.active)
      if (skipped.length > 0) {
        const them = skipped.length === 1 ? "it" : "them"
        warnings.push(
          `${choiceOf[from]} skips ${skipped.length === 1 ? "an inactive Org" : `${skipped.length} inactive Orgs`} (status ${inactive} in orgs/search: no one can sign in to ${them}): ${named(skipped)}; activate ${them} to export ${them}`
        )
      }
    } else {
      for (const id of choice) {
        const org = known.find((o) => o.id === id)
        if (org === undefined) {
          return yield* new ExportError({
            kind: "NotFound",
            message: `no Org ${id} among those this user can reach (${listing || "none"}): check the id, or sign in to the Primary Org as an administrator to reach every Org`
          })
        }
        // Named, so tried: the cluster says whether it can be read, and a failure is that Org's alone.
        if (!org.active) {
          warnings.push(
            `Org ${org.id} (${org.name}) is inactive (status ${inactive} in orgs/search) but ${settingOf[from]} names it, so it is tried: a cluster lets no one sign in to an inactive Org, so expect it to fail; activate it, or drop it from ${settingOf[from]}`
          )
        }
        chosen.push({ id: org.id, name: org.name })
      }
    }
    for (const warning of warnings) yield* Effect.logWarning(warning)
    return { exports: exportsPerOrg(exports, chosen), warnings }
  })
