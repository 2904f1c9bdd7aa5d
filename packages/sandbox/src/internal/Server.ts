/**
 * The wire layer on plain `node:http`: body collection, the documented header checks, rate limiting, fault
 * injection (status faults, latency, connection resets, truncated/malformed/slow bodies), dispatch to the API
 * handlers and one log line per request. `node:http` is used rather than Effect's HttpServer because the faults
 * need the raw socket (RST mid-body, a Content-Length that lies, paced writes) and pages are pre-serialized bytes.
 */

import type { IncomingMessage, ServerResponse } from "node:http"
import { type FaultDecision, FaultInjector, type FaultKind, faultRoutes, RateLimiter } from "../Faults.ts"
import type { ResolvedOptions } from "../Options.ts"
import { type ApiResponse, authenticate, makeRoutes, type Route } from "./Api.ts"
import { ApiError, badRequest, errorBody } from "./ApiError.ts"
import type { AuthStore } from "./Auth.ts"
import { control, controlBase } from "./Control.ts"
import { corruptJson } from "./Corrupt.ts"
import type { CatalogEdits } from "./Edits.ts"
import type { Engine } from "./Engine.ts"
import type { ModifiedTimes } from "./Modified.ts"

/** The API base path. */
export const apiBase = "/api/rest/2.0/"

/** Request counters of one sandbox. */
export interface WireStats {
  requests: number
  /** Requests being answered now (from arrival until their response is finished or dropped). */
  inFlight: number
  peakInFlight: number
  byStatus: Record<string, number>
  faultsInjected: Record<FaultKind, number>
  rateLimited: number
}

const maxBodyBytes = 1 << 20

const readBody = (req: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    let size = 0
    req.on("data", (c: Buffer) => {
      size += c.length
      if (size <= maxBodyBytes) chunks.push(c)
    })
    req.on("end", () => resolve(size > maxBodyBytes ? undefined : Buffer.concat(chunks)))
    req.on("error", reject)
  })

/** Builds the request listener of one sandbox. */
export const makeListener = (
  options: ResolvedOptions,
  secretKey: string,
  auth: AuthStore,
  engine: Engine,
  stats: WireStats,
  modified: ModifiedTimes,
  edits: CatalogEdits
): ((req: IncomingMessage, res: ServerResponse) => void) => {
  const clock = options.clock
  const routes = makeRoutes(
    { secretKey, timezone: options.timezone, tokenValiditySeconds: options.tokenValiditySeconds, now: clock.now },
    auth,
    engine,
    modified,
    edits
  )
  // The fault configuration is checked against `faultRoutes`: it must name exactly the routes served.
  const served = Object.keys(routes).sort()
  if (served.join("\n") !== [...faultRoutes].sort().join("\n")) {
    throw new Error(`sandbox: faultRoutes (Faults.ts) is out of step with the routes served: ${served.join(", ")}`)
  }
  const injector = new FaultInjector(options.faults, options.seed)
  const rateLimit = options.faults.rateLimit === undefined ? { perSecond: 100, burst: 10 } : options.faults.rateLimit
  const limiter = rateLimit === false ? undefined : new RateLimiter(rateLimit)
  const retryAfter = options.faults.retryAfter === true

  const errorResponse = (e: ApiError): ApiResponse => ({
    status: e.status,
    headers: { "content-type": "application/json", ...e.headers },
    body: [errorBody(e, options.errorShape)]
  })

  const handle = async (
    req: IncomingMessage,
    path: string
  ): Promise<{ response: ApiResponse; fault: FaultDecision | undefined }> => {
    if (path.startsWith(controlBase)) {
      const body = (await readBody(req)) ?? Buffer.alloc(0)
      try {
        return { response: control(req.method ?? "GET", path, body, modified, edits, clock.now()), fault: undefined }
      } catch (e) {
        if (e instanceof ApiError) return { response: errorResponse(e), fault: undefined }
        throw e
      }
    }
    const route = path.startsWith(apiBase) ? path.slice(apiBase.length) : undefined
    const entry: Route | undefined = route === undefined ? undefined : routes[route]
    const fail = (e: ApiError, fault?: FaultDecision) => ({ response: errorResponse(e), fault })
    if (limiter !== undefined) {
      const waitMs = limiter.take(req.socket.remoteAddress ?? "?", clock.now())
      if (waitMs > 0) {
        stats.rateLimited++
        req.resume()
        const headers: Record<string, string> = retryAfter
          ? { "retry-after": String(Math.max(1, Math.ceil(waitMs / 1000))) }
          : {}
        return fail(new ApiError(429, 10000, "Too many requests: the rate limit of this client was exceeded.", headers))
      }
    }
    const fault = route === undefined ? undefined : injector.next(route)
    if (fault !== undefined && fault.latencyMs > 0) await clock.sleep(fault.latencyMs)
    if (fault?.kind !== undefined) {
      const k = fault.kind
      if (k === "error500" || k === "error502" || k === "error503" || k === "error429") {
        stats.faultsInjected[k]++
        req.resume()
        const status = Number(k.slice(5))
        const headers: Record<string, string> = status === 429 && retryAfter ? { "retry-after": "1" } : {}
        const message =
          status === 429
            ? "Too many requests."
            : status === 500
              ? "Error Code: INTERNAL_ERROR (injected)"
              : "Service unavailable (injected)"
        return fail(new ApiError(status, 10000, message, headers), fault)
      }
    }
    const body = await readBody(req)
    if (options.requireUserAgent && !req.headers["user-agent"]) {
      return fail(badRequest("The User-Agent header is required for all requests."), fault)
    }
    if (entry === undefined) return fail(new ApiError(404, 10002, `No such endpoint: ${req.method} ${path}`), fault)
    if (req.method !== entry.method) {
      return fail(new ApiError(405, 10002, `${req.method} is not supported on ${path}; use ${entry.method}.`), fault)
    }
    if (body === undefined) return fail(new ApiError(413, 10002, "The request body is larger than 1 MiB."), fault)
    let parsed: Record<string, unknown> = {}
    if (req.method === "POST") {
      const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase()
      if (body.length > 0 || type !== "") {
        if (type !== "application/json") {
          return fail(new ApiError(415, 10002, `Unsupported Content-Type '${type}'; send application/json.`), fault)
        }
        if (body.length > 0) {
          let value: unknown
          try {
            value = JSON.parse(body.toString("utf8"))
          } catch {
            return fail(badRequest("The request body is not valid JSON."), fault)
          }
          if (typeof value !== "object" || value === null || Array.isArray(value)) {
            return fail(badRequest("The request body must be a JSON object."), fault)
          }
          parsed = value as Record<string, unknown>
        }
      }
    }
    const principal = authenticate(auth, req.headers, clock.now())
    if (principal instanceof ApiError && entry.auth) return fail(principal, fault)
    if (principal === undefined && entry.auth) {
      return fail(new ApiError(401, 10097, "Authentication required: send a bearer token or a session cookie."), fault)
    }
    try {
      const response = entry.handle({
        body: parsed,
        headers: req.headers,
        // Every handler sees the caller's org as this sandbox has it (objects deleted or renamed here).
        principal:
          principal instanceof ApiError || principal === undefined ? undefined : { ...principal, view: edits.view }
      })
      return { response, fault }
    } catch (e) {
      if (e instanceof ApiError) return fail(e, fault)
      return fail(new ApiError(500, 10000, e instanceof Error ? e.message : String(e)), fault)
    }
  }

  const send = async (res: ServerResponse, response: ApiResponse, fault: FaultDecision | undefined) => {
    let chunks = (response.body ?? []).map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p))
    let length = chunks.reduce((n, c) => n + c.length, 0)
    const kind = response.status === 200 ? fault?.kind : undefined
    if (kind === "truncate" || kind === "malformed") {
      stats.faultsInjected[kind]++
      const whole = Buffer.concat(chunks)
      const half = Math.floor(whole.length / 2)
      chunks = kind === "truncate" ? [whole.subarray(0, half)] : [...corruptJson(whole)]
      length = chunks.reduce((n, c) => n + c.length, 0)
    }
    const headers: Record<string, string | ReadonlyArray<string> | number> = { ...response.headers }
    if (response.status !== 204) headers["content-length"] = length
    res.writeHead(response.status, headers as Record<string, string | Array<string> | number>)
    if (kind === "reset" || kind === "disconnect") {
      stats.faultsInjected[kind]++
      const whole = Buffer.concat(chunks)
      await new Promise<void>((resolve) => res.write(whole.subarray(0, Math.floor(whole.length / 2)), () => resolve()))
      if (kind === "reset") res.socket?.resetAndDestroy()
      else res.socket?.end()
      return
    }
    const slow = fault?.slowBody
    if (slow !== undefined) {
      const whole = Buffer.concat(chunks)
      for (let i = 0; i < whole.length; i += slow.chunkBytes) {
        if (res.destroyed) return
        res.write(whole.subarray(i, i + slow.chunkBytes))
        await clock.sleep(slow.delayMs)
      }
      res.end()
      return
    }
    if (response.afterSend !== undefined) res.once("finish", response.afterSend)
    for (const c of chunks) res.write(c)
    res.end()
  }

  return (req, res) => {
    const started = performance.now()
    stats.requests++
    stats.inFlight++
    stats.peakInFlight = Math.max(stats.peakInFlight, stats.inFlight)
    res.once("close", () => stats.inFlight--)
    const path = (req.url ?? "/").split("?")[0]!
    handle(req, path)
      .then(({ response, fault }) => {
        stats.byStatus[response.status] = (stats.byStatus[response.status] ?? 0) + 1
        return send(res, response, fault).then(() => fault)
      })
      .catch((e: unknown) => {
        if (!res.headersSent) {
          const r = errorResponse(new ApiError(500, 10000, e instanceof Error ? e.message : String(e)))
          res.writeHead(r.status, { "content-type": "application/json" })
          res.end(r.body?.[0])
        } else res.destroy()
        return undefined
      })
      .then((fault) => {
        if (options.log !== undefined) {
          const ms = (performance.now() - started).toFixed(1)
          const tag = fault?.kind !== undefined ? ` fault=${fault.kind}` : ""
          options.log(`${req.method} ${path} ${res.statusCode} ${ms}ms${tag}`)
        }
      })
  }
}
