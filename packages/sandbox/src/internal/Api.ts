/**
 * The REST v2.0 endpoints: request validation, authentication, access checks and response bodies, independent
 * of the socket (the wire layer in `Server.ts` adds rate limits, faults and logging around these handlers).
 */
import { ApiError, badRequest, forbidden, unauthorized } from "./ApiError.ts"
import { auditLogRoutes } from "./AuditLog.ts"
import type { AuthStore, Principal, TokenRecord } from "./Auth.ts"
import {
  type CatalogObject,
  canRead,
  isSecured,
  type MetadataType,
  metadataTypes,
  type SavedQuery,
  tagObjects,
  type UserDef,
  users
} from "./Catalog.ts"
import { detailOf } from "./Detail.ts"
import type { CatalogEdits } from "./Edits.ts"
import type { Engine } from "./Engine.ts"
import type { ModifiedTimes } from "./Modified.ts"
import { allUsers, findOrg, membership, type OrgContent, orgOf } from "./Orgs.ts"
import {
  bool,
  eachOneOf,
  int,
  json,
  likePattern,
  obj,
  oneOf,
  pageList,
  refuseFlag,
  refuseValue,
  sortList,
  str,
  strings
} from "./Params.ts"
import { findPrincipal, permissionOf, permissionRoutes } from "./Permissions.ts"
import { principalRoutes, requireAdministration, userBody } from "./Principals.ts"
import { QueryError, type QueryPlan } from "./Query.ts"
import type { DataFormat } from "./ResultSet.ts"
import { withRuntime } from "./Runtime.ts"
import { tmlRoutes } from "./Tml.ts"

/** The largest data page ThoughtSpot returns (documented). */
export const maxRecordSize = 100_000

/** Settings the handlers need. */
export interface ApiSettings {
  readonly secretKey: string
  readonly timezone: string
  readonly tokenValiditySeconds: number | undefined
  readonly now: () => number
}

/** What a handler sees. */
export interface ApiRequest {
  readonly body: Record<string, unknown>
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly principal: Principal | undefined
}

/** What a handler answers: status, headers and body parts (written in order). */
export interface ApiResponse {
  readonly status: number
  readonly headers?: Readonly<Record<string, string | ReadonlyArray<string>>>
  readonly body?: ReadonlyArray<Buffer | string>
  /** Work to run once the whole body has been handed to the socket (page buffer release, look-ahead rendering). */
  readonly afterSend?: () => void
}

/** A route: method, whether it needs a caller, and its handler. */
export interface Route {
  readonly method: "GET" | "POST"
  readonly auth: boolean
  readonly handle: (req: ApiRequest) => ApiResponse
}

const noContent = (headers?: Record<string, string | ReadonlyArray<string>>): ApiResponse =>
  headers === undefined ? { status: 204 } : { status: 204, headers }

/** Reads the bearer token or session cookie of a request; undefined when absent. */
export const authenticate = (
  auth: AuthStore,
  headers: ApiRequest["headers"],
  nowMs: number
): Principal | ApiError | undefined => {
  const header = headers["authorization"]
  const authorization = typeof header === "string" ? header : undefined
  if (authorization !== undefined && authorization.length > 0) {
    const m = /^Bearer\s+(.+)$/i.exec(authorization)
    if (m === null) return unauthorized("Authorization header must be 'Bearer <token>'.")
    const record = auth.tokens.get(m[1]!.trim())
    if (record === undefined) return unauthorized("The bearer token is not valid.")
    if (record.revoked) return unauthorized("The bearer token has been revoked.")
    if (nowMs >= record.expiresMs) return unauthorized("The bearer token has expired.")
    return { user: record.user, objectId: record.objectId, token: record, session: undefined }
  }
  const cookie = headers["cookie"]
  const cookieText = typeof cookie === "string" ? cookie : undefined
  const sid = cookieText === undefined ? undefined : /(?:^|;\s*)JSESSIONID=([^;]+)/.exec(cookieText)?.[1]
  if (sid !== undefined) {
    const session = auth.sessions.get(sid)
    if (session === undefined || session.closed || nowMs - session.lastSeenMs > session.idleMs) {
      return unauthorized("The session is not valid or has expired; log in again.")
    }
    session.lastSeenMs = nowMs
    return { user: session.user, objectId: undefined, token: undefined, session }
  }
  return undefined
}

const tokenBody = (t: TokenRecord) => ({
  token: t.token,
  creation_time_in_millis: t.createdMs,
  expiration_time_in_millis: t.expiresMs,
  scope: {
    access_type: t.objectId === undefined ? "FULL" : "REPORT_BOOK_VIEW",
    org_id: t.orgId,
    metadata_id: t.objectId ?? null
  },
  valid_for_user_id: t.user.id,
  valid_for_username: t.user.name
})

const headerOf = (o: CatalogObject, org: OrgContent, modified: ModifiedTimes) => {
  const author = users[0]!
  const header: Record<string, unknown> = {
    id: o.id,
    name: o.name,
    description: o.description,
    author: author.id,
    authorName: author.name,
    authorDisplayName: author.displayName,
    created: o.created,
    modified: modified.of(o),
    modifiedBy: author.id,
    owner: o.type === "ANSWER" || o.type === "LIVEBOARD" ? o.id : author.id,
    isDeleted: false,
    isHidden: false,
    isAutoCreated: false,
    isAutoDelete: false,
    tags: tagObjects(o, org.tags).map((t) => ({ id: t.id, name: t.name })),
    orgIds: [org.org.id],
    isExternal: false,
    isDeprecated: false
  }
  if (o.subtype !== undefined) header["type"] = o.subtype
  if (o.type === "USER") {
    const u = allUsers.find((x) => x.id === o.id)!
    header["displayName"] = u.displayName
    header["type"] = "LOCAL_USER"
  }
  if (o.type === "LIVEBOARD") header["hasTabs"] = false
  if (o.type === "LOGICAL_TABLE") header["aiAnswerGenerationDisabled"] = false
  return header
}

/** Applies `record_offset`/`record_size` validation for data endpoints; `-1` and sizes above the cap read 100 000. */
const paging = (body: Record<string, unknown>) => {
  const offset = int(body, "record_offset", 0)
  const size = int(body, "record_size", 10)
  if (offset < 0) throw badRequest("Invalid parameter values: record_offset must be ≥ 0")
  if (size === 0 || size < -1) throw badRequest("Invalid parameter values: record_size must be ≥ 1 (or -1)")
  return { offset, size: size === -1 || size > maxRecordSize ? maxRecordSize : size }
}

const dataFormat = (body: Record<string, unknown>): DataFormat => {
  const f = str(body, "data_format") ?? "COMPACT"
  if (f !== "COMPACT" && f !== "FULL") throw badRequest("Invalid parameter values: data_format must be COMPACT or FULL")
  return f
}

/** `metadata[].type` values of `metadata/search` (the OpenAPI document's enum). */
const searchTypes = [...metadataTypes, "LOGICAL_RELATIONSHIP", "INSIGHT_SPEC", "COLLECTION"] as const

/** `metadata[].subtypes` values of `metadata/search` (the OpenAPI document's enum). */
const searchSubtypes = [
  "ONE_TO_ONE_LOGICAL",
  "WORKSHEET",
  "PRIVATE_WORKSHEET",
  "USER_DEFINED",
  "AGGR_WORKSHEET",
  "SQL_VIEW"
] as const

/** `sort_options.field_name` values of `metadata/search` (the OpenAPI document's enum). */
const metadataSortFields = [
  "NAME",
  "DISPLAY_NAME",
  "AUTHOR",
  "CREATED",
  "MODIFIED",
  "VIEWS",
  "FAVORITES",
  "LAST_ACCESSED"
] as const

/**
 * The token requests' fields for just-in-time provisioning and ABAC: the sandbox creates no users and applies no
 * entitlements, so asking for either is refused. Without `auto_create`, ThoughtSpot uses `email`, `display_name`
 * and `group_identifiers` for nothing (they describe a user to create), so they are only type-checked.
 */
const refuseTokenExtras = (body: Record<string, unknown>) => {
  refuseFlag(body, "auto_create", "it provisions no users just in time; request a token for an existing user", false)
  str(body, "email")
  str(body, "display_name")
  strings(body, "group_identifiers")
  refuseValue(body, "user_parameters", "object", "it applies no ABAC runtime filters, sorts or parameters to tokens")
}

/** The data requests' runtime parameters: the sandbox's answers have none (runtime sorts and filters: Runtime.ts). */
const refuseRuntime = (body: Record<string, unknown>) => {
  refuseValue(body, "runtime_param_override", "object", "its answers and liveboards have no parameters")
}

/** An `exclude_objects` item of `metadata/search`: both fields are required (the spec). */
const exclusion = (raw: unknown): { identifier: string; type: string } => {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw badRequest("Invalid parameter values: each exclude_objects item must be an object ({identifier, type})")
  }
  const item = raw as Record<string, unknown>
  const identifier = str(item, "identifier")
  const type = oneOf(item, "type", searchTypes)
  if (identifier === undefined || identifier === "" || type === undefined) {
    throw badRequest("Invalid parameter values: each exclude_objects item needs both identifier and type")
  }
  return { identifier, type }
}

const runAll = (tasks: ReadonlyArray<() => void>) => {
  for (const task of tasks) task()
}

/** Builds the endpoint table for one sandbox. */
export const makeRoutes = (
  settings: ApiSettings,
  auth: AuthStore,
  engine: Engine,
  modified: ModifiedTimes,
  edits: CatalogEdits
): Readonly<Record<string, Route>> => {
  const validityMs = (requested: number) => {
    const cap = settings.tokenValiditySeconds
    return (cap === undefined ? requested : Math.min(requested, cap)) * 1000
  }

  const credentials = (body: Record<string, unknown>): UserDef => {
    const username = str(body, "username")
    if (username === undefined || username === "") throw badRequest("Invalid parameter values: username is required.")
    const password = str(body, "password") ?? ""
    const secret = str(body, "secret_key") ?? ""
    if (password === "" && secret === "") throw badRequest("Either secret_key or password must be provided.")
    const user = allUsers.find((u) => u.name.toLowerCase() === username.toLowerCase())
    // When both are sent, ThoughtSpot checks secret_key (trusted authentication) and ignores password.
    const ok = user !== undefined && (secret !== "" ? secret === settings.secretKey : password === user.password)
    if (!ok || user === undefined) throw unauthorized("Authentication failed: wrong username, password or secret key.")
    return user
  }

  /**
   * The org a token request asks for: `org_id` (the spec's field) or `org_identifier` (id or name, as
   * `auth/token/custom` and session login take it); the Primary org when neither is sent.
   */
  const requestedOrg = (body: Record<string, unknown>, user: UserDef): OrgContent => {
    const orgId = int(body, "org_id", undefined)
    const orgIdentifier = str(body, "org_identifier")
    if (orgId !== undefined && orgIdentifier !== undefined && findOrg(orgIdentifier)?.org.id !== orgId) {
      throw badRequest(
        `Invalid parameter values: org_id ${orgId} and org_identifier '${orgIdentifier}' name different orgs.`
      )
    }
    const wanted = orgId ?? orgIdentifier ?? 0
    const org = findOrg(wanted)
    if (org === undefined) throw badRequest(`Invalid parameter values: org '${wanted}' does not exist.`)
    const member = membership(org, user.id)
    if (member === undefined) {
      throw unauthorized(
        `Authentication failed: user ${user.name} is not a member of org '${org.org.name}' (${org.org.id}).`
      )
    }
    // The spec's 403 of every sign-in route: a deactivated or locked account gets no token and no session.
    if (member.accountStatus === "INACTIVE" || member.accountStatus === "LOCKED") {
      throw forbidden("User account is inactive or locked.")
    }
    // A deactivated org is listed by orgs/search but cannot be signed in to.
    if (org.org.status === "IN_ACTIVE") {
      throw forbidden(`Org '${org.org.name}' (${org.org.id}) is inactive: no one can sign in to it.`)
    }
    return org
  }

  const issue = (body: Record<string, unknown>, user: UserDef, org: OrgContent, objectId: string | undefined) => {
    const validity = int(body, "validity_time_in_sec", 300)
    // An int32 in the spec: a token valid 2147483648 s or more cannot be asked for.
    if (validity <= 0 || validity > 2_147_483_647) {
      throw badRequest("Invalid parameter values: validity_time_in_sec must be from 1 to 2147483647 (int32)")
    }
    return auth.issue(user, objectId, org.org.id, settings.now(), validityMs(validity))
  }

  const findReadable = (p: Principal, type: MetadataType, identifier: string | undefined, field: string) => {
    if (identifier === undefined || identifier === "")
      throw badRequest(`Invalid parameter values: ${field} is required.`)
    const o = orgOf(p).objects.find((x) => x.type === type && (x.id === identifier || x.name === identifier))
    if (o === undefined) {
      throw badRequest(`Invalid parameter values: no ${type} with id or name '${identifier}' exists.`)
    }
    if (!canRead(p, o)) throw forbidden(`User does not have access to read ${type} ${o.id}.`)
    return o
  }

  const content = (
    query: SavedQuery | { plan: QueryPlan; samplingRatio: number },
    body: Record<string, unknown>,
    viz: SavedQuery | undefined,
    after: Array<() => void>
  ): Array<Buffer | string> => {
    const { offset, size } = paging(body)
    const format = dataFormat(body)
    const plan = withRuntime(query.plan, body, engine.calendar.timezone)
    const result = engine.result(plan)
    if (result instanceof QueryError) throw badRequest(`Search query could not be run: ${result.message}`)
    const from = Math.min(offset, result.rowCount)
    const to = Math.min(result.rowCount, offset + size)
    const rows = engine.page(plan, result, from, to, format)
    // Once the body is in the socket the page buffer may be reused, and the next page is worth rendering ahead.
    after.push(() => engine.release(rows))
    if (to - from === size) after.push(() => engine.lookAhead(plan, result, to, size, format))
    const head =
      `{"available_data_row_count":${result.rowCount},"column_names":${JSON.stringify(result.columnNames)},` +
      `"data_rows":[`
    let tail =
      `],"record_offset":${offset},"record_size":${size},"returned_data_row_count":${to - from},` +
      `"sampling_ratio":${query.samplingRatio}`
    if (viz !== undefined)
      tail += `,"visualization_id":${JSON.stringify(viz.id)},"visualization_name":${JSON.stringify(viz.name)}`
    return [head, rows, `${tail}}`]
  }

  const principalOf = (req: ApiRequest): Principal => req.principal!

  return {
    ...principalRoutes(settings.now),
    ...auditLogRoutes(settings.now),
    ...tmlRoutes(),
    ...permissionRoutes(),
    "auth/token/full": {
      method: "POST",
      auth: false,
      handle: (req) => {
        refuseTokenExtras(req.body)
        const user = credentials(req.body)
        return json(tokenBody(issue(req.body, user, requestedOrg(req.body, user), undefined)))
      }
    },
    "auth/token/object": {
      method: "POST",
      auth: false,
      handle: (req) => {
        const objectId = str(req.body, "object_id")
        if (objectId === undefined || objectId === "")
          throw badRequest("Invalid parameter values: object_id is required.")
        refuseTokenExtras(req.body)
        const user = credentials(req.body)
        const org = requestedOrg(req.body, user)
        const o = org.objects.find((x) => isSecured(x) && x.id === objectId)
        if (o === undefined) throw badRequest(`Invalid parameter values: object_id '${objectId}' does not exist.`)
        if (user.access !== undefined && !user.access.has(o.id)) {
          throw forbidden(`User does not have access to read ${o.type} ${o.id}.`)
        }
        return json(tokenBody(issue(req.body, user, org, o.id)))
      }
    },
    "auth/session/login": {
      method: "POST",
      auth: false,
      handle: (req) => {
        let user: UserDef
        let org: OrgContent
        const bearer = authenticate(auth, req.headers, settings.now())
        if (str(req.body, "username") === undefined && bearer !== undefined) {
          if (bearer instanceof ApiError) throw bearer
          user = bearer.user
          org = str(req.body, "org_identifier") === undefined ? orgOf(bearer) : requestedOrg(req.body, user)
        } else {
          user = credentials(req.body)
          org = requestedOrg(req.body, user)
        }
        const s = auth.openSession(user, bool(req.body, "remember_me", false), settings.now(), org.org.id)
        return noContent({
          "set-cookie": [`JSESSIONID=${s.id}; Path=/; HttpOnly`, `clientId=${s.clientId}; Path=/; Secure; HttpOnly`]
        })
      }
    },
    "auth/session/logout": {
      method: "POST",
      auth: true,
      handle: (req) => {
        const p = principalOf(req)
        if (p.session !== undefined) p.session.closed = true
        return noContent({ "set-cookie": ["JSESSIONID=; Path=/; HttpOnly; Max-Age=0"] })
      }
    },
    "auth/session/user": {
      method: "GET",
      auth: true,
      handle: (req) => {
        const p = principalOf(req)
        const org = orgOf(p)
        return json(userBody(membership(org, p.user.id)!, org, settings.now()))
      }
    },
    "auth/session/token": {
      method: "GET",
      auth: true,
      handle: (req) => {
        const p = principalOf(req)
        const t = auth.issue(p.user, undefined, orgOf(p).org.id, settings.now(), validityMs(86_400))
        const { scope: _scope, ...rest } = tokenBody(t)
        return json(rest)
      }
    },
    "auth/token/validate": {
      method: "POST",
      auth: true,
      handle: (req) => {
        const token = str(req.body, "token")
        if (token === undefined || token === "") throw badRequest("Invalid parameter values: token is required.")
        const t = auth.tokens.get(token)
        if (t === undefined) throw badRequest("The provided token is malformed and cannot be parsed.")
        if (t.revoked) throw badRequest("The provided token has been revoked.")
        if (settings.now() >= t.expiresMs) throw badRequest("The provided token has expired.")
        const { token: _token, valid_for_username: _name, ...rest } = tokenBody(t)
        return json({ ...rest, token_type: "BEARER" })
      }
    },
    "auth/token/revoke": {
      method: "POST",
      auth: true,
      handle: (req) => {
        const userIdentifier = str(req.body, "user_identifier")
        const token = str(req.body, "token")
        if (!userIdentifier && !token) throw badRequest("Either user_identifier or token must be provided.")
        if (token) {
          const t = auth.tokens.get(token)
          if (t === undefined) throw badRequest("The provided token is malformed and cannot be parsed.")
          t.revoked = true
        }
        if (userIdentifier) {
          const u = allUsers.find((x) => x.id === userIdentifier || x.name === userIdentifier)
          if (u === undefined) throw badRequest(`Invalid parameter values: user '${userIdentifier}' does not exist.`)
          auth.revokeAll(u.id)
        }
        return noContent()
      }
    },
    system: {
      method: "GET",
      auth: true,
      handle: (req) => {
        requireAdministration(principalOf(req), "SYSTEM_INFO_ADMINISTRATION", "retrieve system information")
        return json({
          id: "spotpipe-sandbox",
          name: "spotpipe sandbox",
          release_version: "10.13.0.cl-sandbox",
          time_zone: settings.timezone,
          locale: "en-US",
          date_format: "MM/dd/yyyy",
          api_version: "v2",
          type: "SOFTWARE",
          environment: "DEV",
          license: "sandbox",
          date_time_format: "MM/dd/yyyy HH:mm:ss",
          time_format: "HH:mm:ss",
          system_user_id: users[0]!.id,
          super_user_id: users[0]!.id,
          accept_language: "en-US"
        })
      }
    },
    "metadata/delete": {
      method: "POST",
      auth: true,
      handle: (req) => {
        edits.delete(principalOf(req), req.body)
        return noContent()
      }
    },
    "metadata/search": {
      method: "POST",
      auth: true,
      handle: (req) => {
        const p = principalOf(req)
        const body = req.body
        const items = body["metadata"]
        if (items !== undefined && items !== null && !Array.isArray(items)) {
          throw badRequest("Invalid parameter values: metadata must be an array")
        }
        const filters = (items ?? []) as Array<Record<string, unknown>>
        for (const f of filters) {
          // ThoughtSpot refuses such an item; read as a filter it would crash (null) or match everything.
          if (typeof f !== "object" || f === null || Array.isArray(f)) {
            throw badRequest("Invalid parameter values: each metadata item must be an object")
          }
          // The spec's types the sandbox has no objects of match nothing, as on a cluster without such objects.
          oneOf(f, "type", searchTypes)
          eachOneOf(f, "subtypes", searchSubtypes)
          refuseValue(
            f,
            "obj_identifier",
            "string",
            "its objects have no custom object ids",
            "metadata[].obj_identifier"
          )
        }
        oneOf(body, "dependent_object_version", ["V1", "V2"])
        oneOf(body, "liveboard_response_version", ["V1", "V2"])
        int(body, "dependent_objects_record_size", 50)
        // Kinds of objects the sandbox has none of (auto-created, hidden, incomplete, discoverable-only objects,
        // personalised views, parameters, search-assist lessons): these flags add or remove nothing here.
        for (const flag of [
          "include_auto_created_objects",
          "include_hidden_objects",
          "include_incomplete_objects",
          "include_personalised_views",
          "include_worksheet_search_assist_data",
          "include_discoverable_objects",
          "show_resolved_parameters"
        ])
          bool(body, flag, false)
        refuseFlag(body, "include_dependent_objects", "it lists no dependents", false)
        refuseFlag(body, "include_stats", "it keeps no view, favorite or access statistics", false)
        refuseFlag(body, "include_only_published_objects", "it publishes no objects across orgs", false)
        const favorites = obj(body, "favorite_object_options")
        if (favorites !== undefined) {
          strings(favorites, "user_identifiers")
          refuseFlag(favorites, "include", "its users have no favorites", false, "favorite_object_options.include")
        }
        const excluded = body["exclude_objects"]
        if (excluded !== undefined && excluded !== null && !Array.isArray(excluded)) {
          throw badRequest("Invalid parameter values: exclude_objects must be an array")
        }
        const exclusions = ((excluded ?? []) as Array<unknown>).map(exclusion)
        const permissionsIn = body["permissions"]
        if (permissionsIn !== undefined && permissionsIn !== null && !Array.isArray(permissionsIn)) {
          throw badRequest("Invalid parameter values: permissions must be an array")
        }
        const org = orgOf(p)
        const permissionFilters = ((permissionsIn ?? []) as Array<unknown>).map((raw) => {
          if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
            throw badRequest(
              "Invalid parameter values: each permissions item must be an object ({principal, share_mode})"
            )
          }
          const item = raw as Record<string, unknown>
          const shareMode = oneOf(item, "share_mode", ["READ_ONLY", "MODIFY", "NO_ACCESS"])
          if (item["principal"] === undefined || item["principal"] === null || shareMode === undefined) {
            throw badRequest("Invalid parameter values: each permissions item needs both principal and share_mode")
          }
          return { principal: findPrincipal(org, item["principal"], "permissions[].principal"), shareMode }
        })
        // Every object's author, and its last modifier, is the default user (see the header).
        const byUser = (key: string): boolean => {
          const wanted = strings(body, key)
          if (wanted === undefined || wanted.length === 0) return true
          const author = users[0]!
          return wanted.some((i) => i === author.id || i.toLowerCase() === author.name.toLowerCase())
        }
        const authorMatches = byUser("created_by_user_identifiers") && byUser("modified_by_user_identifiers")
        const matches = (o: CatalogObject, f: Record<string, unknown>) => {
          const type = str(f, "type")
          if (type !== undefined && o.type !== type) return false
          const identifier = str(f, "identifier")
          if (identifier !== undefined && o.id !== identifier && o.name !== identifier) return false
          const pattern = str(f, "name_pattern")
          if (pattern !== undefined && !likePattern(pattern).test(o.name)) return false
          const subtypes = f["subtypes"]
          if (Array.isArray(subtypes) && subtypes.length > 0 && !subtypes.includes(o.subtype)) return false
          return true
        }
        const wantedTags = strings(body, "tag_identifiers")
        const found = org.objects.filter(
          (o) =>
            canRead(p, o) &&
            authorMatches &&
            (filters.length === 0 || filters.some((f) => matches(o, f))) &&
            // An empty list filters nothing, as an empty created_by_user_identifiers does.
            (wantedTags === undefined ||
              wantedTags.length === 0 ||
              tagObjects(o, org.tags).some((t) => wantedTags.includes(t.id) || wantedTags.includes(t.name))) &&
            !exclusions.some((x) => o.type === x.type && (o.id === x.identifier || o.name === x.identifier)) &&
            (permissionFilters.length === 0 ||
              permissionFilters.some((f) => permissionOf(org, f.principal, o) === f.shareMode))
        )
        // The spec's values; VIEWS, FAVORITES and LAST_ACCESSED have no data here, so they (like the name-like
        // DISPLAY_NAME and AUTHOR) order by name.
        const sorted = sortList(body, found, metadataSortFields, (o, field) =>
          field === "CREATED" ? o.created : field === "MODIFIED" ? modified.of(o) : o.name.toLowerCase()
        )
        const page = pageList(body, sorted, 10)
        const includeDetails = bool(body, "include_details", false)
        const includeHeaders = bool(body, "include_headers", true)
        const includeVizHeaders = bool(body, "include_visualization_headers", false)
        return json(
          page.map((o) => ({
            metadata_type: o.type,
            metadata_id: o.id,
            metadata_name: o.name,
            metadata_header: includeHeaders ? headerOf(o, org, modified) : null,
            metadata_detail: includeDetails ? detailOf(o) : null,
            dependent_objects: null,
            incomplete_objects: null,
            visualization_headers:
              includeVizHeaders && o.type === "LIVEBOARD"
                ? o.visualizations.map((v) => ({ id: v.id, name: v.name }))
                : null,
            stats: null
          }))
        )
      }
    },
    searchdata: {
      method: "POST",
      auth: true,
      handle: (req) => {
        const p = principalOf(req)
        const query = str(req.body, "query_string")
        if (query === undefined || query.trim() === "")
          throw badRequest("Invalid parameter values: query_string is required.")
        refuseRuntime(req.body)
        findReadable(p, "LOGICAL_TABLE", str(req.body, "logical_table_identifier"), "logical_table_identifier")
        const plan = engine.parse(query)
        if (plan instanceof QueryError) throw badRequest(`Search query could not be parsed: ${plan.message}`)
        const after: Array<() => void> = []
        return {
          status: 200,
          headers: { "content-type": "application/json" },
          body: ['{"contents":[', ...content({ plan, samplingRatio: 1 }, req.body, undefined, after), "]}"],
          afterSend: () => runAll(after)
        }
      }
    },
    "metadata/answer/data": {
      method: "POST",
      auth: true,
      handle: (req) => {
        refuseRuntime(req.body)
        const o = findReadable(principalOf(req), "ANSWER", str(req.body, "metadata_identifier"), "metadata_identifier")
        const head = `{"metadata_id":${JSON.stringify(o.id)},"metadata_name":${JSON.stringify(o.name)},"contents":[`
        const after: Array<() => void> = []
        return {
          status: 200,
          headers: { "content-type": "application/json" },
          body: [head, ...content(o.visualizations[0]!, req.body, undefined, after), "]}"],
          afterSend: () => runAll(after)
        }
      }
    },
    "metadata/liveboard/data": {
      method: "POST",
      auth: true,
      handle: (req) => {
        refuseRuntime(req.body)
        refuseValue(req.body, "transient_content", "string", "it renders no transient Liveboard content")
        const o = findReadable(
          principalOf(req),
          "LIVEBOARD",
          str(req.body, "metadata_identifier"),
          "metadata_identifier"
        )
        const wanted = req.body["visualization_identifiers"]
        if (wanted !== undefined && wanted !== null && !Array.isArray(wanted)) {
          throw badRequest("Invalid parameter values: visualization_identifiers must be an array")
        }
        const vizzes =
          Array.isArray(wanted) && wanted.length > 0
            ? wanted.map((w) => {
                const v = o.visualizations.find((x) => x.id === w || x.name === w)
                if (v === undefined) {
                  throw badRequest(
                    `Invalid parameter values: visualization '${String(w)}' is not in liveboard ${o.id}.`
                  )
                }
                return v
              })
            : o.visualizations
        const parts: Array<Buffer | string> = [
          `{"metadata_id":${JSON.stringify(o.id)},"metadata_name":${JSON.stringify(o.name)},"contents":[`
        ]
        const after: Array<() => void> = []
        vizzes.forEach((v, i) => {
          if (i > 0) parts.push(",")
          parts.push(...content(v, req.body, v, after))
        })
        parts.push("]}")
        return {
          status: 200,
          headers: { "content-type": "application/json" },
          body: parts,
          afterSend: () => runAll(after)
        }
      }
    }
  }
}
