/**
 * The sandbox's own control routes, for tests that drive a sandbox running in another process. They live
 * under `/__sandbox/`, outside the API base, take no credentials, and skip rate limits and faults: they are
 * not ThoughtSpot endpoints. `POST /__sandbox/touch` with `{"ids":[GUID,…]}` marks objects as modified now and
 * answers `{"touched":[{"id","modified"}]}`; `POST /__sandbox/rename` with `{"id":GUID,"name":…}` renames an object
 * (see `Edits.ts`) and answers `{"renamed":{"id","name"}}`.
 */
import type { ApiResponse } from "./Api.ts"
import { ApiError, badRequest } from "./ApiError.ts"
import type { CatalogEdits } from "./Edits.ts"
import type { ModifiedTimes } from "./Modified.ts"
import { orgs } from "./Orgs.ts"
import { json, str, strings } from "./Params.ts"

/** The path prefix of the control routes. */
export const controlBase = "/__sandbox/"

/** Answers one control request; throws `ApiError` for a bad one. */
export const control = (
  method: string,
  path: string,
  body: Buffer,
  modified: ModifiedTimes,
  edits: CatalogEdits,
  nowMs: number
): ApiResponse => {
  if (path !== `${controlBase}touch` && path !== `${controlBase}rename`) {
    throw new ApiError(
      404,
      10002,
      `No such control route: ${path}. The sandbox has POST ${controlBase}touch and POST ${controlBase}rename.`
    )
  }
  if (method !== "POST") throw new ApiError(405, 10002, `${method} is not supported on ${path}; use POST.`)
  let parsed: unknown
  try {
    parsed = JSON.parse(body.toString("utf8"))
  } catch {
    throw badRequest('The control request body is not valid JSON; send {"ids":["<GUID>",…]}.')
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest('The control request body must be a JSON object: {"ids":["<GUID>",…]}.')
  }
  if (path === `${controlBase}rename`) {
    const id = str(parsed as Record<string, unknown>, "id")
    const name = str(parsed as Record<string, unknown>, "name")
    if (id === undefined || name === undefined)
      throw badRequest('id and name are required: {"id":"<GUID>","name":"…"}.')
    return json({ renamed: edits.rename(id, name, orgs, nowMs) })
  }
  const ids = strings(parsed as Record<string, unknown>, "ids")
  if (ids === undefined || ids.length === 0) throw badRequest('ids is required: {"ids":["<GUID>",…]}.')
  return json({ touched: modified.touch(ids, nowMs, (id) => edits.find(id, orgs)) })
}
