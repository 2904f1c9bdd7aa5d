/**
 * The sandbox's own control routes, for tests that drive a sandbox running in another process. They live
 * under `/__sandbox/`, outside the API base, take no credentials, and skip rate limits and faults: they are
 * not ThoughtSpot endpoints. `POST /__sandbox/touch` with `{"ids":[GUID,…]}` marks objects as modified now and
 * answers `{"touched":[{"id","modified"}]}`.
 */
import type { ApiResponse } from "./Api.ts"
import { ApiError, badRequest } from "./ApiError.ts"
import type { ModifiedTimes } from "./Modified.ts"
import { json, strings } from "./Params.ts"

/** The path prefix of the control routes. */
export const controlBase = "/__sandbox/"

/** Answers one control request; throws `ApiError` for a bad one. */
export const control = (
  method: string,
  path: string,
  body: Buffer,
  modified: ModifiedTimes,
  nowMs: number
): ApiResponse => {
  if (path !== `${controlBase}touch`) {
    throw new ApiError(404, 10002, `No such control route: ${path}. The sandbox has POST ${controlBase}touch.`)
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
  const ids = strings(parsed as Record<string, unknown>, "ids")
  if (ids === undefined || ids.length === 0) throw badRequest('ids is required: {"ids":["<GUID>",…]}.')
  return json({ touched: modified.touch(ids, nowMs) })
}
