/**
 * Modification times that move. The catalog's objects are shared constants; each sandbox keeps its own
 * overrides here, so that `touch` (the `RunningSandbox` method and the loopback control route) changes what
 * `metadata/search` reports for that sandbox only. Incremental exports are tested against this.
 */
import { ApiError } from "./ApiError.ts"
import type { CatalogObject } from "./Catalog.ts"
import { anyObject } from "./Orgs.ts"

/** One touched object and its new modification time (epoch ms). */
export interface Touched {
  readonly id: string
  readonly modified: number
}

/** Per-sandbox modification times. */
export class ModifiedTimes {
  readonly #overrides = new Map<string, number>()

  /** The object's current modification time. */
  of(o: CatalogObject): number {
    return this.#overrides.get(o.id) ?? o.modified
  }

  /**
   * Marks objects as modified at `nowMs`. The time always moves forward (by at least 1 ms), so two touches
   * within one millisecond still differ. Unknown ids fail the whole call (nothing is changed). `find` looks an id
   * up (a sandbox's: its saved objects too, its deleted ones not; by default the built-in catalog's).
   */
  touch(
    ids: ReadonlyArray<string>,
    nowMs: number,
    find: (id: string) => CatalogObject | undefined = anyObject
  ): ReadonlyArray<Touched> {
    const objects = ids.map((id) => {
      const o = find(id)
      if (o === undefined) {
        throw new ApiError(400, 10002, `Cannot touch '${id}': no object has this id. Use a GUID from metadata/search.`)
      }
      return o
    })
    return objects.map((o) => {
      const modified = Math.max(nowMs, this.of(o) + 1)
      this.#overrides.set(o.id, modified)
      return { id: o.id, modified }
    })
  }
}
