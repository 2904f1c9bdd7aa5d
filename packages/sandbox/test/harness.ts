/** Test harness: a sandbox on loopback with a hand-driven clock, and a small fetch wrapper for the API. */
import { afterEach } from "vitest"
import { type RunningSandbox, type SandboxOptions, startSandbox } from "../src/index.ts"

/** A clock tests move by hand; `sleep` records the delay and returns at once. */
export class ManualClock {
  nowMs = Date.parse("2026-01-15T12:00:00Z")
  readonly slept: Array<number> = []
  readonly now = () => this.nowMs
  readonly sleep = (ms: number) => {
    this.slept.push(ms)
    return Promise.resolve()
  }
  advance(ms: number) {
    this.nowMs += ms
  }
}

const running: Array<RunningSandbox> = []
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()))
})

/** A started sandbox plus helpers; closed after each test. */
export const sandbox = async (options: SandboxOptions = {}) => {
  const clock = new ManualClock()
  const sb = await startSandbox({ clock, ...options })
  running.push(sb)
  const base = `${sb.url}/api/rest/2.0`
  const call = async (
    path: string,
    body?: unknown,
    init: { token?: string; headers?: Record<string, string>; method?: string } = {}
  ) => {
    const headers: Record<string, string> = { "user-agent": "spotpipe-test/1", ...init.headers }
    if (init.token !== undefined) headers["authorization"] = `Bearer ${init.token}`
    if (body !== undefined && headers["content-type"] === undefined) headers["content-type"] = "application/json"
    const res = await fetch(`${base}/${path}`, {
      method: init.method ?? (body === undefined ? "GET" : "POST"),
      headers,
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) })
    })
    const text = await res.text()
    return {
      status: res.status,
      headers: res.headers,
      text,
      json: <T = Record<string, unknown>>() => JSON.parse(text) as T
    }
  }
  const token = async (username = "tsUserA", password = "Guest@123!", extra: Record<string, unknown> = {}) => {
    const r = await call("auth/token/full", { username, password, ...extra })
    if (r.status !== 200) throw new Error(`token request failed: ${r.status} ${r.text}`)
    return r.json<{ token: string }>().token
  }
  return { sb, clock, base, call, token }
}

/** One `contents[]` item of a data response. */
export interface DataContent {
  readonly available_data_row_count: number
  readonly column_names: Array<string>
  readonly data_rows: Array<Array<unknown>>
  readonly record_offset: number
  readonly record_size: number
  readonly returned_data_row_count: number
  readonly sampling_ratio: number
  readonly visualization_id?: string
  readonly visualization_name?: string
}

/** A data response (searchdata, answer or liveboard data). */
export interface DataResponse {
  readonly metadata_id?: string
  readonly metadata_name?: string
  readonly contents: Array<DataContent>
}

/** The inner error object of a nested (shape B) ThoughtSpot error body. */
export const nestedError = (text: string): { code: number; debug: Array<string> } => {
  const inner = (JSON.parse(text) as { error: { message: { debug: { code: number; debug: string } } } }).error.message
    .debug
  return { code: inner.code, debug: JSON.parse(inner.debug) as Array<string> }
}
