/**
 * The admin exports' outputs: `tml` (one TML document per object), `principals` (users, groups, roles and their
 * memberships and privileges as tables) and `permissions` (one row per object, principal and permission). Each is
 * an ordinary planned output of the one engine: the tables are row outputs whose pages come from core's listings
 * (re-rendered on resume, like a metadata listing), a TML document is a document output (`PlannedOutput.document`:
 * its text written, hashed, checkpointed, published and recorded like any file).
 *
 * TML layout: `<export>/<type>/<object name>.tml` (YAML) or `.tml.json` (JSON), `<type>` the object type in lower
 * case (`liveboard`, `answer`, `logical_table`, `connection`, `user`, `user_group`, `role`); names through the
 * file-name allocator per folder over the whole listing (`TmlFileNames`), so two objects of one name get ` (2)`
 * and a `--modified-since` run names every file as a full run does. Objects are listed when the run is
 * planned (by name, then GUID); users, groups and roles come from the batched TML endpoint, which gives their
 * documents with the listing. Every object asked for gives a file or a failure: an item ThoughtSpot answered
 * with ERROR fails that output only (the engine writes the others and lists it), a WARNING is kept as the
 * output's warning.
 */
import type { Tml } from "@spotpipe/core"
import { Clock, Effect, Stream } from "effect"
import {
  type AdminCluster,
  type Cluster,
  type DataPage,
  epochSeconds,
  type ListedObject,
  type PrincipalListing,
  type TmlFormat,
  type TypedColumn
} from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import { typesByPosition } from "./ColumnPlanner.ts"
import { baseFileName, FileNameAllocator } from "./FileName.ts"
import { defaultAdminTypes, type JobExport } from "./JobFile.ts"
import type { FileNames } from "./Names.ts"
import type { DocumentText, PlannedOutput, ResolvedExport } from "./PlannedOutput.ts"
import { type EarlierDocuments, idKey, movedFiles, noRemovals, planRemovals, type RemovalPlan } from "./TmlMirror.ts"
import { ModifiedTracker } from "./Watermark.ts"

/**
 * What the planner fixes for an output from its key, file and the run's data time zone (for an export that sets
 * none): settings and fingerprint.
 */
export type Settle = (
  key: string,
  file: string,
  clusterZone: string
) => Pick<PlannedOutput<never>, "export" | "key" | "file" | "settings" | "fingerprint">

/** The cluster's admin side, or a failure saying this cluster has none (a test's plain cluster). */
export const adminOf = <E>(cluster: Cluster<E>): Effect.Effect<AdminCluster<E>, ExportError> =>
  cluster.admin === undefined
    ? Effect.fail(new ExportError({ kind: "Remote", message: "this cluster gives no TML, principals or permissions" }))
    : Effect.succeed(cluster.admin)

const principalTypes = ["USER", "USER_GROUP", "ROLE"] as const
type PrincipalType = (typeof principalTypes)[number]
const isPrincipalType = (type: string): type is PrincipalType =>
  (principalTypes as ReadonlyArray<string>).includes(type)

const noRows = typesByPosition([])

/** The TML types `metadata/search` lists (users, groups and roles come from the batched TML export). */
const listableTypes: ReadonlyArray<string> = ["LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CONNECTION"]

/**
 * Pages that may fail with the export's own ExportError, typed as the cluster's failures: every reader of pages
 * maps failures through `toExportError`, which keeps an ExportError as it is (as a split export's parts do).
 */
const asClusterStream = <E>(pages: Stream.Stream<DataPage, E | ExportError>) => pages as Stream.Stream<DataPage, E>

/** The document of `object` in an answer of `metadata/tml/export`: its own item, or a failure saying why not. */
export const documentOf = (
  object: ListedObject,
  what: string,
  items: ReadonlyArray<Tml.TmlItem>
): Effect.Effect<DocumentText, ExportError> => {
  const own = items.filter((item) => item.id === object.id)
  // A lone item without an id (or a lone failure: its message is the answer) is the one asked for; a lone document
  // of another object is not this one's.
  const lone = own.length === 0 && items.length === 1 ? items[0] : undefined
  if (lone?._tag === "TmlExported" && lone.id !== undefined) {
    return Effect.fail(
      new ExportError({
        kind: "Incomplete",
        message: `${what}: ThoughtSpot answered the TML of ${(lone.type ?? "an object").toLowerCase()} ${JSON.stringify(lone.name ?? lone.id)} (${lone.id}), not of this object (${object.id}): its document is not written under this name; export it again, or check that the object still exists`
      })
    )
  }
  const chosen = own.length === 1 ? own[0] : lone
  if (chosen === undefined) {
    return Effect.fail(
      new ExportError({
        kind: "Incomplete",
        message: `${what}: ThoughtSpot answered ${items.length} TML items, ${own.length} of them for this object (${object.id}): export it again`
      })
    )
  }
  if (chosen._tag === "TmlFailed") {
    return Effect.fail(
      new ExportError({
        kind: "Remote",
        message: `${what}: ThoughtSpot answered ${chosen.statusCode}: ${chosen.message}`
      })
    )
  }
  const others = items
    .filter((item) => item !== chosen)
    .map(
      (item) =>
        `ThoughtSpot also sent the TML of ${item.type ?? "an object"} ${JSON.stringify(item.name ?? item.id ?? "")}, not written with this object (export its type to write it)`
    )
  return Effect.succeed({
    text: chosen.edoc,
    warnings: [...(chosen.warning === undefined ? [] : [`ThoughtSpot answered WARNING: ${chosen.warning}`]), ...others]
  })
}

/** The object type of a TML kind (`worksheet` → LOGICAL_TABLE), for an associated object's folder. */
const typeOfKind = (kind: string | undefined): string => {
  const lower = (kind ?? "unknown").toLowerCase()
  if (["worksheet", "model", "table", "view", "sql_view"].includes(lower)) return "LOGICAL_TABLE"
  if (lower === "group") return "USER_GROUP"
  return lower.toUpperCase()
}

/** A batch item (or an associated object's item) as its object's document. */
const batchDocument = (item: Tml.TmlItem, what: string): Effect.Effect<DocumentText, ExportError> =>
  item._tag === "TmlFailed"
    ? Effect.fail(
        new ExportError({
          kind: "Remote",
          message: `${what}: ThoughtSpot answered ${item.statusCode}: ${item.message}`
        })
      )
    : Effect.succeed({
        text: item.edoc,
        warnings: item.warning === undefined ? [] : [`ThoughtSpot answered WARNING: ${item.warning}`]
      })

/**
 * The file names of a `tml` export, `<type folder>/<name>.<ext>`. Every listed object's name is handed out in
 * listing order (by name, then GUID) whether it is written or not, so that a run that writes only some of them
 * (`--modified-since`) gives each the name a full run gives it; objects found later (`--associated`) get names
 * after those. Objects whose names can take each other's numbered names (`Revenue`, `Revenue (2)`, `revenue`)
 * are one group (`groupOf`), written together.
 */
export class TmlFileNames {
  readonly #ext: string
  readonly #style: FileNames
  readonly #listed: Array<ListedObject> = []

  constructor(ext: string, style: FileNames) {
    this.#ext = ext
    this.#style = style
  }

  /** Records listed objects, in their listing order. */
  list(objects: ReadonlyArray<ListedObject>): void {
    this.#listed.push(...objects)
  }

  /** The GUIDs of every listed object. */
  listedIds(): ReadonlyArray<string> {
    return this.#listed.map((o) => o.id).filter((id) => id !== "")
  }

  /**
   * The group of `object`'s name in its folder: its file name's base, case-folded, without numbering suffixes
   * (a slug's cut to a length numbering never cuts into). Names of different groups never take each other's.
   */
  groupOf(object: ListedObject): string {
    const base = baseFileName(object.name, this.#style).toLowerCase()
    const key = this.#style === "slug" ? base.replace(/(_\d+)+$/, "").slice(0, 48) : base.replace(/( \(\d+\))+$/, "")
    return `${object.type.toLowerCase()}/${key}`
  }

  /** The group (see {@link groupOf}) of a file this allocator hands out, `<type folder>/<name>.<ext>`. */
  groupOfFile(file: string): string {
    const slash = file.indexOf("/")
    const name = file.slice(slash + 1)
    const base = (name.endsWith(`.${this.#ext}`) ? name.slice(0, -this.#ext.length - 1) : name).toLowerCase()
    const key = this.#style === "slug" ? base.replace(/(_\d+)+$/, "").slice(0, 48) : base.replace(/( \(\d+\))+$/, "")
    return `${file.slice(0, slash)}/${key}`
  }

  /**
   * The file of each of `objects`, all distinct: a listed object's (the same object, or one of its type and GUID)
   * as the listing names it, any other's after those.
   */
  files(objects: ReadonlyArray<ListedObject>): ReadonlyArray<string> {
    const folders = new Map<string, FileNameAllocator>()
    const named = new Map<ListedObject, string>()
    const byId = new Map<string, string>()
    const idKey = (object: ListedObject) => `${object.type}\u0000${object.id}`
    const allocate = (object: ListedObject) => {
      const folder = object.type.toLowerCase()
      let allocator = folders.get(folder)
      if (allocator === undefined) {
        allocator = new FileNameAllocator()
        folders.set(folder, allocator)
      }
      const file = `${folder}/${allocator.allocate(object.name, this.#ext, this.#style)}`
      named.set(object, file)
      if (object.id !== "" && !byId.has(idKey(object))) byId.set(idKey(object), file)
    }
    for (const object of this.#listed) allocate(object)
    for (const object of objects) {
      if (named.has(object)) continue
      const listed = object.id === "" ? undefined : byId.get(idKey(object))
      if (listed === undefined) allocate(object)
      else named.set(object, listed)
    }
    return objects.map((object) => named.get(object)!)
  }
}

/** The outputs of a `tml` export: every object of its types listed now, one document each. */
export const resolveTml = <E>(
  cluster: Cluster<E>,
  entry: JobExport,
  types: ReadonlyArray<string>,
  settle: Settle,
  earlier?: EarlierDocuments
): Effect.Effect<ResolvedExport<E>, E | ExportError> =>
  Effect.gen(function* () {
    const admin = yield* adminOf(cluster)
    const format: TmlFormat = entry.format === "json" ? "JSON" : "YAML"
    const ext = entry.format === "json" ? "tml.json" : "tml"
    // `--modified-since`: only the objects modified since (an object without a `modified` is kept). Users, groups
    // and roles are always written whole (their batch has no times). Every run records the watermark of its
    // listing, a full one too (its every object seen), so `--modified-since last` can follow a first full run.
    const modifiedSince = entry.spec.type === "tml" ? entry.spec.modifiedSince : undefined
    const since = modifiedSince === undefined ? undefined : Date.parse(modifiedSince)
    const tracker = new ModifiedTracker(since)
    tracker.begin(yield* Clock.currentTimeMillis)
    const documents: Array<{
      readonly object: ListedObject
      readonly document: (what: string) => Effect.Effect<DocumentText, E | ExportError>
      /** The manifest's `source.query`: why a `--modified-since` run writes it (null: a run that writes all). */
      readonly query?: string
    }> = []
    // File names are handed out over every listed object, modified or not, so that a `--modified-since` run names
    // each file as a full run does (see `TmlFileNames`).
    const names = new TmlFileNames(ext, entry.fileNames)
    const ownDocument =
      (object: ListedObject) =>
      (what: string): Effect.Effect<DocumentText, E | ExportError> =>
        Effect.flatMap(admin.exportTml(object, format, false), (items) => documentOf(object, what, items))
    // Every object of the run's types, written or not (the folder's other files are of objects gone, TmlMirror.ts),
    // and the listed objects this run does not write (written after all when an earlier file's move touches them).
    const listedOfTypes: Array<ListedObject> = []
    const unwritten: Array<ListedObject> = []
    for (const type of types) {
      if (isPrincipalType(type)) {
        // The batch endpoint lists users, groups and roles with their documents: held until written.
        for (const item of yield* admin.exportTmlBatch(type, format)) {
          const id = item.id ?? ""
          const object = { type, id, name: item.name ?? (id === "" ? "untitled" : id) }
          names.list([object])
          listedOfTypes.push(object)
          documents.push({ object, document: (what) => batchDocument(item, what) })
        }
      } else {
        const listed = yield* admin.listObjects(type)
        names.list(listed)
        listedOfTypes.push(...listed)
        const isModified = (object: ListedObject) =>
          since === undefined || object.modified === undefined || object.modified >= since
        // A changed object's namesakes are written with it: their numbered files (` (2)`) are handed out again as
        // one set, so a name that moved to another object of the set never keeps that other object's document.
        const changedNames = new Set(listed.filter(isModified).map((object) => names.groupOf(object)))
        for (const object of listed) {
          if (object.modified !== undefined) tracker.see(object.modified)
          if (!isModified(object) && !changedNames.has(names.groupOf(object))) {
            unwritten.push(object)
            continue
          }
          documents.push({
            object,
            document: ownDocument(object),
            ...(since === undefined
              ? {}
              : {
                  query: isModified(object)
                    ? `modified >= ${modifiedSince}`
                    : `modified < ${modifiedSince}; written with a changed object of the same file name`
                })
          })
        }
      }
    }
    tracker.end()
    if (entry.spec.type === "tml" && entry.spec.associated === true) {
      // The objects each one is built on are known only from its export: read now, each written once, as an object
      // of its own type unless it was listed (then its own document is it).
      const known = new Set([...documents.map((d) => d.object.id), ...names.listedIds()])
      const firstFound = documents.length
      for (const [i, { object }] of [...documents.entries()]) {
        if (isPrincipalType(object.type)) continue
        const items = yield* admin.exportTml(object, format, true)
        documents[i] = {
          object,
          document: (what) =>
            documentOf(
              object,
              what,
              items.filter((item) => item.id === object.id || item.id === undefined)
            )
        }
        for (const item of items) {
          if (item.id === undefined || known.has(item.id)) continue
          known.add(item.id)
          const associated = { type: typeOfKind(item.type), id: item.id, name: item.name ?? item.id }
          documents.push({ object: associated, document: (what) => batchDocument(item, what) })
        }
      }
      // A found object is named over the whole listing of its type, as a listed one is, and its namesakes there are
      // written with it (as a changed object's are): a later run that finds only some of them (others built on them
      // changed) never writes one into another's file. A type metadata/search cannot list keeps the order found.
      const found = documents.slice(firstFound)
      const foundGroups = new Set(found.map((d) => names.groupOf(d.object)))
      for (const type of new Set(found.map((d) => d.object.type))) {
        if (types.includes(type) || !listableTypes.includes(type)) continue
        const listing = yield* admin.listObjects(type)
        names.list(listing)
        for (const object of listing) {
          if (known.has(object.id) || !foundGroups.has(names.groupOf(object))) continue
          known.add(object.id)
          documents.push({ object, document: ownDocument(object) })
        }
      }
    }
    // Per key (the export's name, known once the run names its exports): the documents written besides (namesakes of
    // an earlier file that moved) and the earlier files to remove.
    const mirrors = new Map<string, { readonly extra: typeof documents; readonly removals: RemovalPlan }>()
    const mirrorOf = (key: string) => {
      const known = mirrors.get(key)
      if (known !== undefined) return known
      let mirror: { readonly extra: typeof documents; readonly removals: RemovalPlan } = {
        extra: [],
        removals: noRemovals
      }
      if (earlier !== undefined && earlier.size > 0) {
        const current = new Map<string, string>()
        const files = names.files(listedOfTypes)
        listedOfTypes.forEach((object, i) => {
          if (object.id !== "") current.set(idKey(object.type, object.id), `${key}/${files[i]}`)
        })
        const format = entry.format === "json" ? "json" : "yaml"
        // A listing with an object without a GUID cannot say which earlier files moved: nothing is removed (a warning
        // says so) and nothing is written besides.
        const withoutId = listedOfTypes.filter((object) => object.id === "").length
        const moved = new Set(
          withoutId > 0
            ? []
            : movedFiles(earlier, key, format, types, current).map((file) =>
                names.groupOfFile(file.slice(key.length + 1))
              )
        )
        const extra = unwritten
          .filter((object) => moved.has(names.groupOf(object)))
          .map((object) => ({
            object,
            document: ownDocument(object),
            query: `modified < ${modifiedSince}; written as a namesake of a file that moved (a deleted or renamed object)`
          }))
        mirror = { extra, removals: planRemovals(earlier, key, format, types, current, withoutId) }
      }
      mirrors.set(key, mirror)
      return mirror
    }
    return {
      export: entry,
      defaultName: "tml",
      objectId: null,
      removals: (key) => mirrorOf(key).removals,
      outputs: (key, clusterZone) => {
        const written = [...documents, ...mirrorOf(key).extra]
        const files = names.files(written.map((d) => d.object))
        return written.map(({ object, document, query }, i) => {
          const what = `TML of ${object.type.toLowerCase()} "${object.name}"`
          return {
            ...settle(key, `${key}/${files[i]}`, clusterZone),
            label: `tml ${object.type} ${object.name}`,
            what,
            source: {
              type: object.type,
              id: object.id === "" ? null : object.id,
              name: object.name,
              viz: null,
              query: query ?? null
            },
            pages: () => Stream.empty,
            typesOf: noRows,
            emptyColumns: [],
            document: () => document(what),
            watermark: () => tracker.value()
          }
        })
      }
    }
  })

// ── principals ────────────────────────────────────────────────────────────────────────────────────────────────

/** One table of the `principals` export. */
interface PrincipalTable {
  readonly name: string
  readonly columns: ReadonlyArray<TypedColumn>
  readonly rows: (listing: PrincipalListing) => Effect.Effect<ReadonlyArray<ReadonlyArray<unknown>>, ExportError>
}

const text = (name: string): TypedColumn => ({ name, type: "VARCHAR" })
const orNull = <A>(value: A | null | undefined): A | null => value ?? null

/**
 * A group's members, roles or privileges, which the listing must carry (members asked for with
 * include_users/include_sub_groups): a group without them would be written as having none.
 */
const listed = <A>(
  group: { readonly name: string },
  field: string,
  value: ReadonlyArray<A> | null | undefined,
  what = "memberships"
): Effect.Effect<ReadonlyArray<A>, ExportError> =>
  value === undefined || value === null
    ? Effect.fail(
        new ExportError({
          kind: "Incomplete",
          message: `groups/search sent no "${field}" for group "${group.name}": its ${what} would be unknown, so none are written; run the export again, or report the cluster's version`
        })
      )
    : Effect.succeed(value)

/**
 * The tables of `principals`, each a file `<export>/<table>.<ext>`. Memberships are the edges `group_members`
 * (a user or a group, `member_type` USER or USER_GROUP, directly in a group), `group_roles` (a role assigned to a
 * group); privileges are `group_privileges` and `role_privileges`, one row per privilege.
 */
export const principalTables: ReadonlyArray<PrincipalTable> = [
  {
    name: "users",
    columns: [
      text("id"),
      text("name"),
      text("display_name"),
      text("email"),
      text("account_type"),
      text("account_status"),
      text("visibility"),
      { name: "created_ms", type: "INT64" },
      { name: "modified_ms", type: "INT64" },
      // Typed as metadata's `created`/`modified` (the same rule, cut to the second); `*_ms` keep the exact times.
      { name: "created", type: "DATE_TIME" },
      { name: "modified", type: "DATE_TIME" }
    ],
    rows: ({ users }) =>
      Effect.succeed(
        users.map((u) => [
          u.id,
          u.name,
          u.display_name,
          orNull(u.email),
          orNull(u.account_type),
          orNull(u.account_status),
          u.visibility,
          orNull(u.creation_time_in_millis),
          orNull(u.modification_time_in_millis),
          epochSeconds(u.creation_time_in_millis),
          epochSeconds(u.modification_time_in_millis)
        ])
      )
  },
  {
    name: "groups",
    columns: [text("id"), text("name"), text("display_name"), text("description"), text("type"), text("visibility")],
    rows: ({ groups }) =>
      Effect.succeed(
        groups.map((g) => [g.id, g.name, g.display_name, orNull(g.description), orNull(g.type), g.visibility])
      )
  },
  {
    name: "roles",
    columns: [text("id"), text("name"), text("description")],
    rows: ({ roles }) => Effect.succeed(roles.map((r) => [r.id, r.name, r.description]))
  },
  {
    name: "group_members",
    columns: [text("group_id"), text("group_name"), text("member_type"), text("member_id"), text("member_name")],
    rows: ({ groups }) =>
      Effect.map(
        Effect.forEach(groups, (g) =>
          Effect.map(
            Effect.all([listed(g, "users", g.users), listed(g, "sub_groups", g.sub_groups)]),
            ([users, subGroups]) => [
              ...users.map((u) => [g.id, g.name, "USER", orNull(u.id), orNull(u.name)]),
              ...subGroups.map((s) => [g.id, g.name, "USER_GROUP", orNull(s.id), orNull(s.name)])
            ]
          )
        ),
        (rows) => rows.flat()
      )
  },
  {
    name: "group_roles",
    columns: [text("group_id"), text("group_name"), text("role_id"), text("role_name")],
    rows: ({ groups }) =>
      Effect.map(
        Effect.forEach(groups, (g) =>
          Effect.map(listed(g, "roles", g.roles), (roles) =>
            roles.map((r) => [g.id, g.name, orNull(r.id), orNull(r.name)])
          )
        ),
        (rows) => rows.flat()
      )
  },
  {
    name: "group_privileges",
    columns: [text("group_id"), text("group_name"), text("privilege")],
    rows: ({ groups }) =>
      Effect.map(
        Effect.forEach(groups, (g) =>
          Effect.map(listed(g, "privileges", g.privileges, "privileges"), (privileges) =>
            privileges.map((p) => [g.id, g.name, p])
          )
        ),
        (rows) => rows.flat()
      )
  },
  {
    name: "role_privileges",
    columns: [text("role_id"), text("role_name"), text("privilege")],
    rows: ({ roles }) => Effect.succeed(roles.flatMap((r) => r.privileges.map((p) => [r.id, r.name, p])))
  }
]

/** The outputs of a `principals` export: one table each, all from one reading of the listings. */
export const resolvePrincipals = <E>(
  cluster: Cluster<E>,
  entry: JobExport,
  settle: Settle
): Effect.Effect<ResolvedExport<E>, E | ExportError> =>
  Effect.gen(function* () {
    const admin = yield* adminOf(cluster)
    // One read for every table of the export (one snapshot); read again by a new run or a resumed one.
    const listing = yield* Effect.cached(admin.principals)
    return {
      export: entry,
      defaultName: "principals",
      objectId: null,
      outputs: (key, clusterZone) =>
        principalTables.map((table) => ({
          ...settle(key, `${key}/${table.name}.${entry.format}`, clusterZone),
          label: `principals ${table.name}`,
          what: `principals (${table.name})`,
          source: { type: "PRINCIPALS", id: null, name: table.name, viz: null, query: null },
          pages: () =>
            asClusterStream<E>(
              Stream.fromEffect(
                Effect.flatMap(listing, (l) =>
                  Effect.map(
                    table.rows(l),
                    (rows): DataPage => ({ columnNames: table.columns.map((c) => c.name), rows })
                  )
                )
              )
            ),
          typesOf: typesByPosition(table.columns),
          emptyColumns: table.columns.map((c) => c.name)
        }))
    }
  })

// ── permissions ───────────────────────────────────────────────────────────────────────────────────────────────

/** The columns of a `permissions` export: one row per object, principal and permission (EFFECTIVE). */
export const permissionColumns: ReadonlyArray<TypedColumn> = [
  text("object_type"),
  text("object_id"),
  text("object_name"),
  text("principal_type"),
  text("principal_sub_type"),
  text("principal_id"),
  text("principal_name"),
  text("permission"),
  text("shared_permission")
]

/** Objects per `fetch-permissions` request. */
const permissionBatch = 50

const asRecord = (u: unknown): Record<string, unknown> | undefined =>
  typeof u === "object" && u !== null && !Array.isArray(u) ? (u as Record<string, unknown>) : undefined
const asText = (u: unknown): string | null => (typeof u === "string" ? u : null)

const badPermissions = (detail: string) =>
  new ExportError({
    kind: "Remote",
    message: `security/metadata/fetch-permissions answered ${detail}: spotpipe cannot tell who may do what, so nothing is written for these objects`
  })

/** The rows of one `fetch-permissions` answer for `objects`: each object must be in it exactly once. */
export const permissionRows = (
  objects: ReadonlyArray<ListedObject>,
  details: unknown
): Effect.Effect<ReadonlyArray<ReadonlyArray<unknown>>, ExportError> =>
  Effect.gen(function* () {
    const record = asRecord(details)
    const list = Array.isArray(details) ? details : record === undefined ? undefined : Object.values(record)
    if (list === undefined) return yield* badPermissions("no metadata_permission_details")
    const byId = new Map<string, Record<string, unknown>>()
    for (const raw of list) {
      const detail = asRecord(raw)
      const id = asText(detail?.["metadata_id"])
      if (detail === undefined || id === null) return yield* badPermissions("an entry without metadata_id")
      if (byId.has(id)) return yield* badPermissions(`object ${id} twice`)
      byId.set(id, detail)
    }
    const rows: Array<ReadonlyArray<unknown>> = []
    for (const object of objects) {
      const detail = byId.get(object.id)
      if (detail === undefined)
        return yield* badPermissions(`nothing for ${object.type} "${object.name}" (${object.id})`)
      byId.delete(object.id)
      const infos = detail["principal_permission_info"]
      if (!Array.isArray(infos)) return yield* badPermissions(`no principal_permission_info for ${object.id}`)
      for (const rawInfo of infos) {
        const info = asRecord(rawInfo)
        const permissions = info?.["principal_permissions"]
        if (info === undefined || !Array.isArray(permissions)) {
          return yield* badPermissions(`a principal_permission_info without principal_permissions for ${object.id}`)
        }
        for (const rawPermission of permissions) {
          const p = asRecord(rawPermission)
          if (p === undefined || asText(p["permission"]) === null) {
            return yield* badPermissions(`a principal permission without permission for ${object.id}`)
          }
          rows.push([
            asText(detail["metadata_type"]) ?? object.type,
            object.id,
            asText(detail["metadata_name"]) ?? object.name,
            asText(info["principal_type"]),
            asText(info["principal_sub_type"]),
            asText(p["principal_id"]),
            asText(p["principal_name"]),
            asText(p["permission"]),
            asText(p["shared_permission"])
          ])
        }
      }
    }
    if (byId.size > 0) return yield* badPermissions(`objects that were not asked for (${[...byId.keys()].join(", ")})`)
    return rows
  })

/** The output of a `permissions` export: the objects of its types, listed as its pages are read. */
export const resolvePermissions = <E>(
  cluster: Cluster<E>,
  entry: JobExport,
  types: ReadonlyArray<string>,
  settle: Settle
): Effect.Effect<ResolvedExport<E>, E | ExportError> =>
  Effect.gen(function* () {
    const admin = yield* adminOf(cluster)
    const columnNames = permissionColumns.map((c) => c.name)
    const pages = Stream.fromIterable(types).pipe(
      Stream.mapEffect((type) => admin.listObjects(type)),
      Stream.flatMap((objects) => {
        const batches: Array<ReadonlyArray<ListedObject>> = []
        for (let i = 0; i < objects.length; i += permissionBatch) batches.push(objects.slice(i, i + permissionBatch))
        return Stream.fromIterable(batches)
      }),
      Stream.mapEffect((batch) =>
        Effect.flatMap(admin.permissions(batch), (details) =>
          Effect.map(permissionRows(batch, details), (rows): DataPage => ({ columnNames, rows }))
        )
      )
    )
    return {
      export: entry,
      defaultName: "permissions",
      objectId: null,
      outputs: (key, clusterZone) => [
        {
          ...settle(key, `${key}.${entry.format}`, clusterZone),
          label: `permissions (${types.join(", ")})`,
          what: `permissions (${types.join(", ")})`,
          source: { type: "PERMISSIONS", id: null, name: types.join(","), viz: null, query: null },
          pages: () => asClusterStream<E>(pages),
          typesOf: typesByPosition(permissionColumns),
          emptyColumns: columnNames
        }
      ]
    }
  })

/** The types of an admin export (its own, else the default). */
export const adminTypes = (types: ReadonlyArray<string> | undefined): ReadonlyArray<string> =>
  types ?? defaultAdminTypes
