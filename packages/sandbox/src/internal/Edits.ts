/**
 * Objects deleted and renamed in one sandbox. The catalog's objects are shared constants; each sandbox keeps its
 * own edits here and every endpoint sees its caller's org through {@link CatalogEdits.view}, so a deleted object is
 * gone from `metadata/search`, TML export, data and permission requests of that sandbox only, and a renamed one is
 * listed and exported under its new name. `metadata/delete` (the OpenAPI endpoint) deletes; `rename` (the
 * `RunningSandbox` method and `POST /__sandbox/rename`) renames, since ThoughtSpot renames through TML import,
 * which the sandbox does not have. Incremental TML backups are tested against this.
 */
import { ApiError, badRequest, forbidden } from "./ApiError.ts"
import type { Principal } from "./Auth.ts"
import type { CatalogObject } from "./Catalog.ts"
import type { ModifiedTimes } from "./Modified.ts"
import { holdsPrivilege, type OrgContent, orgOf } from "./Orgs.ts"
import { bool, oneOf, str } from "./Params.ts"

/** The types `metadata/delete` takes (the OpenAPI document's enum). */
const deleteTypes = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "LOGICAL_COLUMN", "LOGICAL_RELATIONSHIP"] as const

/** Per-sandbox deletions and renames. */
export class CatalogEdits {
  readonly #deleted = new Set<string>()
  readonly #names = new Map<string, string>()
  readonly #modified: ModifiedTimes
  #version = 0
  readonly #views = new Map<OrgContent, { readonly version: number; readonly content: OrgContent }>()

  constructor(modified: ModifiedTimes) {
    this.#modified = modified
  }

  /** `org` as this sandbox has it: deleted objects left out, renamed ones under their new names. */
  readonly view = (org: OrgContent): OrgContent => {
    if (this.#version === 0) return org
    const cached = this.#views.get(org)
    if (cached?.version === this.#version) return cached.content
    const objects = org.objects
      .filter((o) => !this.#deleted.has(o.id))
      .map((o): CatalogObject => {
        const name = this.#names.get(o.id)
        return name === undefined ? o : { ...o, name }
      })
    const content = { ...org, objects }
    this.#views.set(org, { version: this.#version, content })
    return content
  }

  /**
   * Renames an object of `org`s (any org when absent) to `name` and marks it modified at `nowMs`, as a rename on a
   * cluster does. An unknown or deleted id, or an empty name, throws and changes nothing.
   */
  rename(id: string, name: string, orgs: ReadonlyArray<OrgContent>, nowMs: number): { id: string; name: string } {
    if (name.trim() === "") throw badRequest(`Cannot rename '${id}' to an empty name.`)
    const o = orgs.flatMap((org) => org.objects).find((x) => x.id === id && !this.#deleted.has(x.id))
    if (o === undefined) {
      throw new ApiError(400, 10002, `Cannot rename '${id}': no object has this id. Use a GUID from metadata/search.`)
    }
    this.#modified.touch([id], nowMs)
    this.#names.set(id, name)
    this.#version++
    return { id, name }
  }

  /** `metadata/delete`: removes the objects named (GUIDs, or names with their type) from the caller's org, all or none. */
  delete(p: Principal, body: Record<string, unknown>): void {
    const org = orgOf(p)
    const items = body["metadata"]
    if (!Array.isArray(items) || items.length === 0) {
      throw badRequest("Invalid parameter values: metadata is required (a non-empty array of {identifier, type}).")
    }
    bool(body, "delete_disabled_objects", false)
    if (!holdsPrivilege(org, p.user.id, "ADMINISTRATION") || p.objectId !== undefined) {
      throw forbidden("Deleting metadata objects requires edit access to them.")
    }
    const found = items.map((raw) => {
      if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
        throw badRequest("Invalid parameter values: each metadata item must be an object ({identifier, type}).")
      }
      const item = raw as Record<string, unknown>
      const type = oneOf(item, "type", deleteTypes)
      const identifier = str(item, "identifier")
      if (identifier === undefined || identifier === "") {
        throw badRequest("Invalid parameter values: each metadata item needs an identifier.")
      }
      const o =
        org.objects.find((x) => x.id === identifier && (type === undefined || x.type === type)) ??
        (type === undefined ? undefined : org.objects.find((x) => x.type === type && x.name === identifier))
      if (o === undefined) {
        const hint = type === undefined ? " (give its type to name it by name)" : ""
        throw badRequest(
          `Invalid parameter values: no ${type ?? "object"} with id or name '${identifier}' exists${hint}.`
        )
      }
      return o
    })
    for (const o of found) this.#deleted.add(o.id)
    this.#version++
  }
}
