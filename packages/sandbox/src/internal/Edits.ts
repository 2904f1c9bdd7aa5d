/**
 * Objects deleted, renamed and saved in one sandbox. The catalog's objects are shared constants; each sandbox keeps its
 * own edits here and every endpoint sees its caller's org through {@link CatalogEdits.view}, so a deleted object is
 * gone from `metadata/search`, TML export, data and permission requests of that sandbox only, and a renamed one is
 * listed and exported under its new name. `metadata/delete` (the OpenAPI endpoint) deletes; `rename` (the
 * `RunningSandbox` method and `POST /__sandbox/rename`) renames, since ThoughtSpot renames through TML import,
 * which the sandbox does not have; `save` (the `RunningSandbox` method) adds an answer or liveboard of its own
 * queries, served like the built-in ones. Incremental TML backups are tested against this.
 */
import { ApiError, badRequest, forbidden } from "./ApiError.ts"
import type { Principal } from "./Auth.ts"
import { answer, type CatalogObject, liveboard } from "./Catalog.ts"
import type { ModifiedTimes } from "./Modified.ts"
import { holdsPrivilege, type OrgContent, orgOf } from "./Orgs.ts"
import { bool, oneOf, str } from "./Params.ts"

/** The types `metadata/delete` takes (the OpenAPI document's enum). */
const deleteTypes = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "LOGICAL_COLUMN", "LOGICAL_RELATIONSHIP"] as const

/** What `CatalogEdits.save` saves: an answer of one query, or a liveboard of named queries. */
export type SavedObject =
  | { readonly answer: string; readonly query: string }
  | { readonly liveboard: string; readonly visualizations: ReadonlyArray<readonly [name: string, query: string]> }

/** Per-sandbox deletions, renames and saved objects. */
export class CatalogEdits {
  readonly #deleted = new Set<string>()
  readonly #names = new Map<string, string>()
  /** Answers and liveboards saved in this sandbox (`save`), by the org they were saved in. */
  readonly #saved = new Map<OrgContent, Array<CatalogObject>>()
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
    const objects = [...org.objects, ...(this.#saved.get(org) ?? [])]
      .filter((o) => !this.#deleted.has(o.id))
      .map((o): CatalogObject => {
        const name = this.#names.get(o.id)
        return name === undefined ? o : { ...o, name }
      })
    const content = { ...org, objects }
    this.#views.set(org, { version: this.#version, content })
    return content
  }

  /** The object `id` of `orgs` as this sandbox has it (saved ones too, deleted ones not). */
  find(id: string, orgs: ReadonlyArray<OrgContent>): CatalogObject | undefined {
    return orgs.flatMap((org) => this.view(org).objects).find((o) => o.id === id)
  }

  /**
   * Renames an object of `org`s (any org when absent) to `name` and marks it modified at `nowMs`, as a rename on a
   * cluster does. An unknown or deleted id, or an empty name, throws and changes nothing.
   */
  rename(id: string, name: string, orgs: ReadonlyArray<OrgContent>, nowMs: number): { id: string; name: string } {
    if (name.trim() === "") throw badRequest(`Cannot rename '${id}' to an empty name.`)
    const o = this.find(id, orgs)
    if (o === undefined) {
      throw new ApiError(400, 10002, `Cannot rename '${id}': no object has this id. Use a GUID from metadata/search.`)
    }
    this.#modified.touch([id], nowMs, (x) => this.find(x, orgs))
    this.#names.set(id, name)
    this.#version++
    return { id, name }
  }

  /**
   * Saves a new answer (one search query over the model) or liveboard (named queries) in `org` at `nowMs`, as an
   * author does on a cluster (ThoughtSpot saves through its UI or TML import, which the sandbox lacks): from then on
   * it is listed, described, exported as TML and read like the built-in ones. A query the sandbox cannot run, or a
   * name an object of that type already has in `org`, throws and changes nothing.
   */
  save(saved: SavedObject, org: OrgContent, nowMs: number): { id: string; name: string } {
    const scope = `saved:${org.org.id}:`
    const made =
      "answer" in saved
        ? answer(saved.answer, saved.query, [], 1, scope)
        : liveboard(saved.liveboard, saved.visualizations, [], scope)
    if (this.view(org).objects.some((o) => o.type === made.type && (o.name === made.name || o.id === made.id))) {
      throw badRequest(`Cannot save ${made.type} '${made.name}': one of that name exists. Give it another name.`)
    }
    const list = this.#saved.get(org) ?? []
    list.push({ ...made, created: nowMs, modified: nowMs })
    this.#saved.set(org, list)
    this.#version++
    return { id: made.id, name: made.name }
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
