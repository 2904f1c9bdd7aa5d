/**
 * The planner: turns the exports of a run (a job file's entries, or a single command's one export) into the output
 * files to write. It resolves each export's object on the cluster (GUID or exact name, see `ObjectNames`), chooses a
 * liveboard's visualizations, names every file, and fixes every setting each file is written with (see
 * `OutputSettings`) and the fingerprint resume compares. Nothing is read from the data or written here.
 *
 * Names: a job file's export has its key already (its `output`, or a name made from the spec, allocated in job
 * order so that every shard computes the same); a single command's export is named after the object it found
 * (`answer-<name>`, `search-<table>`, `liveboard-<name>/`), placed here by the objects' GUIDs (`placeFileNames`):
 * two objects of the same name each get a hash of their GUID, `answer-Revenue [3f2a9c1b]`, whatever order they come
 * in, and one object written in two formats (the demo) keeps one name. A liveboard's files go into a folder named by
 * the key, one file per visualization, placed by the visualizations' GUIDs over all of the liveboard's (not only the
 * ones chosen), so a visualization's file keeps its name when others are reordered, added or left out. With
 * `--file-names slug` (an export's `fileNames`) every one of these names is a slug (`revenue_3f2a9c1b`).
 *
 * A part of a split export (`"split": K`) is planned here too: one one-row request gives the result's row count,
 * from which its page range follows (`partRange`); its pages are that range only (`partPages`).
 */
import { Effect, Option, Stream } from "effect"
import type {
  Cluster,
  DataPage,
  MetadataFilter,
  MetadataObject,
  PageDecoder,
  ResultColumn,
  Visualization
} from "../cluster/Cluster.ts"
import { metadataColumns, metadataListColumns } from "../cluster/Cluster.ts"
import { ExportError } from "../ExportError.ts"
import type { OutputPart } from "../output/Manifest.ts"
import { manifestFileName } from "../output/Manifest.ts"
import { UsageError } from "../UsageError.ts"
import { adminOf, adminTypes, resolvePermissions, resolvePrincipals, resolveTml } from "./AdminExports.ts"
import { typesByName, typesByPosition } from "./ColumnPlanner.ts"
import { placeFileNames } from "./FileName.ts"
import {
  auditOutput,
  incrementalMetadata,
  incrementalRuntime,
  incrementalSearch,
  savedLimitCheck
} from "./Incremental.ts"
import { canonicalJson, defaultOutputName, type JobExport, orgFolder, type PartOf } from "./JobFile.ts"
import { findObject, isGuidOf, suggestVisualizations } from "./ObjectNames.ts"
import { fingerprintOf, type OutputSettings } from "./OutputSettings.ts"
import type { PlannedOutput, ResolvedExport } from "./PlannedOutput.ts"
import {
  columnTypeIn,
  type RuntimeFilter,
  type RuntimeOptions,
  runtimeFilterGivenOf,
  runtimeRequestOf,
  runtimeSourceOf,
  typedRuntimeFilters
} from "./RuntimeOptions.ts"
import { savedTml } from "./SavedTml.ts"
import { searchColumnTypes } from "./SearchColumns.ts"
import { hasSortBy, savedOrder, unsortedSearch } from "./SearchOrder.ts"
import { type GivenIn, settingNames } from "./SettingNames.ts"
import type { EarlierDocuments } from "./TmlMirror.ts"

/**
 * The pages of `part` of a result of `sourceRows` rows in pages of `pageSize`: the result's pages cut into
 * `count` contiguous ranges in order, balanced to a page (a part may be empty when there are fewer pages).
 */
export const partRange = (part: PartOf, sourceRows: number, pageSize: number): OutputPart => {
  const total = Math.ceil(sourceRows / pageSize)
  const first = Math.floor(((part.index - 1) * total) / part.count)
  const end = Math.floor((part.index * total) / part.count)
  return {
    index: part.index,
    count: part.count,
    first_page: first,
    pages: end - first,
    page_size: pageSize,
    source_rows: sourceRows
  }
}

/**
 * A part's pages from row `offset` (its first row, or where a resumed part left off) to the end of its range. Each
 * page must report the row count the ranges were planned with (else the parts would not fit together); the
 * part's pages then carry none, since the part is short of the result by design. A part without pages (fewer pages
 * than parts) is one page of no rows with the result's columns (`columnNames`, from the planning read), so that
 * its file has the header its siblings have, as an empty result's file does.
 */
const partPages =
  <E>(
    part: OutputPart,
    what: string,
    columnNames: ReadonlyArray<string>,
    from: (offset: number, decoder: PageDecoder) => Stream.Stream<DataPage, E>
  ) =>
  (offset: number, decoder: PageDecoder): Stream.Stream<DataPage, E | ExportError> => {
    if (part.pages === 0) return Stream.make({ columnNames, rows: [] })
    const remaining = part.first_page + part.pages - offset / part.page_size
    if (remaining <= 0) return Stream.empty
    let seen = 0
    const changed = (detail: string) =>
      new ExportError({
        kind: "Incomplete",
        message: `${what}: ${detail} since its parts were planned (${part.source_rows} rows): its parts would not fit together; run all parts of the split export again`
      })
    return from(offset, decoder).pipe(
      Stream.take(remaining),
      Stream.mapEffect((page) => {
        seen += 1
        if (page.availableRowCount !== undefined && page.availableRowCount !== part.source_rows) {
          return Effect.fail(changed(`the result has ${page.availableRowCount} rows now`))
        }
        return Effect.succeed({ ...page, availableRowCount: undefined })
      }),
      Stream.concat(
        Stream.fromEffectDrain(
          Effect.suspend(() =>
            seen < remaining ? Effect.fail(changed(`the result ended ${remaining - seen} pages early`)) : Effect.void
          )
        )
      )
    )
  }

/** The row count and columns of a result, from a one-row page (to plan a split export's parts before reading them). */
const rowCountOf = <E>(first: Stream.Stream<DataPage, E>, what: string) =>
  Effect.flatMap(Stream.runHead(first.pipe(Stream.take(1))), (head) => {
    const page = Option.getOrUndefined(head)
    const rows = page?.availableRowCount
    return rows === undefined || page === undefined
      ? Effect.fail(
          new ExportError({
            kind: "Remote",
            message: `${what}: the server reported no row count, which a split export needs to cut its pages into parts: remove "split"`
          })
        )
      : Effect.succeed({ rows, columnNames: page.columnNames })
  })

/** The settings every output of a run shares (the rest come from its export and file). */
export type RunSettings = Omit<
  OutputSettings,
  "file" | "format" | "pageSize" | "timezone" | "columnNames" | "nullString"
>

/** A result's column names for its header when it yields no page: none unless its description names them all. */
const namesOf = (columns: ReadonlyArray<ResultColumn>): ReadonlyArray<string> =>
  columns.every((c) => c.name !== undefined) ? columns.map((c) => c.name!) : []

/**
 * A liveboard's visualizations named in `wanted` (GUIDs, in any case, or exact names; in that order, each once),
 * or all of them. A name two of its visualizations share is refused with their GUIDs, and a liveboard without
 * visualizations fails: either would otherwise write another visualization's rows, or nothing, without a word.
 */
export const chooseVisualizations = (
  liveboard: MetadataObject,
  wanted: ReadonlyArray<string> | undefined,
  givenIn: GivenIn = "job file"
): Effect.Effect<ReadonlyArray<Visualization>, ExportError> =>
  Effect.gen(function* () {
    const all = liveboard.visualizations
    if (givenIn === "command line" && wanted !== undefined) {
      // `--viz` is split at commas, so a name holding commas ("Total Revenue, Total Quantity by Color", as
      // ThoughtSpot names charts) would be read as other visualizations, or none: it is named by its GUID instead.
      const commas = (text: string) => text.split(",").map((part) => part.trim())
      const split = all.find((v) => {
        const parts = commas(v.name)
        if (parts.length < 2) return false
        return wanted.some((_, i) => parts.every((part, j) => wanted[i + j] === part))
      })
      if (split !== undefined) {
        return yield* new ExportError({
          kind: "NotFound",
          message: `--viz is split at commas, and the visualization "${split.name}" of liveboard "${liveboard.name}" has commas in its name: give its GUID in --viz instead (${split.id})`
        })
      }
    }
    if (all.length === 0) {
      return yield* new ExportError({
        kind: "NotFound",
        message: `liveboard "${liveboard.name}" (${liveboard.id}) has no visualizations, so there is nothing to export from it: check the liveboard in ThoughtSpot, or leave it out`
      })
    }
    if (wanted === undefined) return all
    const chosen: Array<Visualization> = []
    for (const w of wanted) {
      const byGuid = all.find((v) => isGuidOf(w, v.id))
      const named = byGuid === undefined ? all.filter((v) => v.name === w) : [byGuid]
      if (named.length > 1) {
        return yield* new ExportError({
          kind: "NotFound",
          message: `liveboard "${liveboard.name}" has ${named.length} visualizations named "${w}": name the one you mean by its GUID (${named
            .map((v) => v.id)
            .join(", ")}; spotpipe ls visualizations lists them)`
        })
      }
      const match = named[0]
      if (match === undefined) {
        const names = all.map((v) => v.name)
        return yield* new ExportError({
          kind: "NotFound",
          message: `liveboard "${liveboard.name}" has no visualization "${w}": choose from ${names
            .map((name) => `"${name}"`)
            .join(", ")}${suggestVisualizations(w, names)}`
        })
      }
      if (!chosen.includes(match)) chosen.push(match)
    }
    return chosen
  })

/** `options` with `filters` as its runtime filters (as it is when there are none). */
const withFilters = <A extends RuntimeOptions>(options: A, filters: ReadonlyArray<RuntimeFilter> | undefined): A =>
  filters === undefined ? options : { ...options, runtimeFilters: filters }

/** The runtime filters as given: the export's own, then the one `--since-column` adds (`since`: it does). */
const givenFilters = (
  spec: RuntimeOptions & { readonly sinceColumn?: string; readonly since?: string },
  since: boolean
): ReadonlyArray<RuntimeFilter> => [
  ...(spec.runtimeFilters ?? []),
  ...(since && spec.sinceColumn !== undefined && spec.since !== undefined
    ? [{ column: spec.sinceColumn, op: "GE", values: [spec.since] }]
    : [])
]

/**
 * A metadata export's `tags` and `authors`: `cluster` with its listing asking ThoughtSpot for them; the parts of the
 * manifest's query that name them (`tag in ["Finance"]`); and, after each read, a warning (logged, and kept for the
 * manifest) for each given tag or author that no listed object carries — a misspelt name lists nothing, never
 * without a word.
 */
const metadataFilterOf = <E>(
  cluster: Cluster<E>,
  spec: { readonly tags?: ReadonlyArray<string>; readonly authors?: ReadonlyArray<string> },
  what: string
) => {
  let warnings: ReadonlyArray<string> = []
  let unmatched: { readonly tags: ReadonlyArray<string>; readonly authors: ReadonlyArray<string> } | undefined
  const filter: MetadataFilter = {
    tags: spec.tags,
    authors: spec.authors,
    unmatched: (found) => {
      unmatched = found
    }
  }
  const filtered: Cluster<E> = {
    ...cluster,
    metadataPages: (types, size, lists, modified) => cluster.metadataPages(types, size, lists, modified, filter)
  }
  const quoted = (names: ReadonlyArray<string>) => names.map((n) => JSON.stringify(n)).join(", ")
  // With both filters, a value matches along with the other's (ThoughtSpot asks for both).
  const none = `matched no ${what.replace(/^metadata /, "").replace(/[()]/g, "")} object this user can see${spec.tags !== undefined && spec.authors !== undefined ? " (along with the other filter)" : ""}`
  const pages = <A>(read: () => Stream.Stream<A, E>) =>
    spec.tags === undefined && spec.authors === undefined
      ? read
      : (): Stream.Stream<A, E> =>
          Stream.suspend(() => {
            unmatched = undefined
            warnings = []
            return read().pipe(
              Stream.concat(
                Stream.fromEffectDrain(
                  Effect.gen(function* () {
                    if (unmatched === undefined) return
                    warnings = [
                      ...unmatched.tags.map(
                        (tag) =>
                          `tag ${JSON.stringify(tag)} ${none}: check its name or GUID (spotpipe metadata --type TAG --out - lists the tags)`
                      ),
                      ...unmatched.authors.map(
                        (author) =>
                          `author ${JSON.stringify(author)} ${none}: check the user's name or GUID (spotpipe metadata --type USER --out - lists the users)`
                      )
                    ]
                    for (const warning of warnings) yield* Effect.logWarning(`${what}: ${warning}`)
                  })
                )
              )
            )
          })
  return {
    cluster: filtered,
    query: [
      ...(spec.tags === undefined ? [] : [`tag in [${quoted(spec.tags)}]`]),
      ...(spec.authors === undefined ? [] : [`author in [${quoted(spec.authors)}]`])
    ],
    pages,
    warnings: (): ReadonlyArray<string> => warnings
  }
}

/** The output's warnings (`warnings` when there are any). */
const warningsOf = (warnings: ReadonlyArray<string>) => (warnings.length === 0 ? {} : { warnings: () => warnings })

/**
 * Resolves one export on `cluster`. `dataZone` gives the run's data time zone, for the rare export that needs it
 * while it is resolved (an incremental search's starting point) and sets none; `givenIn` says where identifiers
 * came from, for not-found messages; `started` is when the run started (epoch ms), the "now" its relative times
 * were resolved against.
 */
export const resolveExport = <E>(
  signedIn: Cluster<E>,
  entry: JobExport,
  dataZone: Effect.Effect<string, ExportError | UsageError>,
  run: RunSettings,
  givenIn: GivenIn,
  started: number,
  /** The TML documents earlier runs left in the output folder (a `tml` export removes those of objects gone). */
  earlier?: EarlierDocuments
): Effect.Effect<ResolvedExport<E>, E | ExportError | UsageError> =>
  Effect.gen(function* () {
    // An export of another Org reads through that Org's own client (its own token).
    const org = entry.org
    const cluster =
      org === undefined ? signedIn : yield* Effect.flatMap(adminOf(signedIn), (admin) => admin.forOrg(org))
    const spec = entry.spec
    // Its settings named in messages as its user gave them: flags, or the job file's keys.
    const say = settingNames(entry)
    const filterFlag = say.named("runtimeFilters")
    const ext = entry.format
    const pageSize = entry.pageSize
    // `reads`: the object (and visualization) the output reads, by GUID. Its fingerprint holds them, so a resume
    // never keeps or continues a file of another object that has taken the name since (a rename, a copy).
    const settled = (
      key: string,
      file: string,
      clusterZone: string,
      reads?: { readonly id: string; readonly viz?: string }
    ) => {
      const settings: OutputSettings = {
        ...run,
        file,
        format: entry.format,
        pageSize,
        timezone: entry.timezone ?? clusterZone,
        // Only a data result's date cells can be Custom Calendar periods: the other exports' dates (metadata's
        // created and modified, audit times) have no end, and would get a column that is always empty.
        periodEnd: run.periodEnd && (spec.type === "answer" || spec.type === "liveboard" || spec.type === "search"),
        columnNames: entry.columnNames,
        // Only CSV bytes depend on these: NDJSON ends lines in `\n`, a Parquet file's staged CSV has fixed settings
        // (`typedStaging`), TML is written as fetched. Fixed for the others, so changing them restarts no such output.
        newline: entry.format === "csv" ? run.newline : "\n",
        escapeFormulae: entry.format === "csv" && run.escapeFormulae,
        nullString: entry.format === "csv" ? entry.nullString : ""
      }
      const reading = reads === undefined ? entry.fingerprint : canonicalJson([entry.fingerprint, reads])
      return { export: entry, key, file, settings, fingerprint: fingerprintOf(reading, settings) }
    }
    type Output = Omit<PlannedOutput<E>, "export" | "key" | "file" | "settings" | "fingerprint">
    const single = (defaultName: string, objectId: string | null, output: Output): ResolvedExport<E> => ({
      export: entry,
      defaultName,
      objectId,
      outputs: (key, clusterZone) => [
        {
          ...output,
          ...settled(key, `${key}.${ext}`, clusterZone, objectId === null ? undefined : { id: objectId })
        }
      ]
    })
    // A part of a split export: its page range from the result's row count (one one-row request), its pages only those.
    const splitWhenAsked = (
      resolved: ResolvedExport<E>,
      probe: () => Stream.Stream<DataPage, E>,
      from: (offset: number, decoder: PageDecoder) => Stream.Stream<DataPage, E>,
      what: string
    ): Effect.Effect<ResolvedExport<E>, E | ExportError> => {
      const partOf = entry.part
      if (partOf === undefined) return Effect.succeed(resolved)
      return Effect.map(rowCountOf(probe(), what), ({ rows, columnNames }) => {
        const part = partRange(partOf, rows, pageSize)
        // Typed as the cluster's failures: a part's own ExportError travels where they do, and every reader of
        // pages maps failures through `toExportError`, which keeps an ExportError as it is.
        const pagesFrom = partPages(part, `${what} part ${part.index} of ${part.count}`, columnNames, from) as (
          offset: number,
          decoder: PageDecoder
        ) => Stream.Stream<DataPage, E>
        return {
          ...resolved,
          outputs: (key: string, clusterZone: string) =>
            resolved.outputs(key, clusterZone).map((output) => ({
              ...output,
              label: `${output.label} (part ${part.index}/${part.count})`,
              what: `${output.what} part ${part.index} of ${part.count}`,
              part,
              pages: (decoder: PageDecoder) => pagesFrom(part.first_page * part.page_size, decoder),
              pagesFrom
            }))
        }
      })
    }
    switch (spec.type) {
      case "tml":
        return yield* resolveTml(cluster, entry, adminTypes(spec.tmlTypes), settled, earlier)
      case "principals":
        return yield* resolvePrincipals(cluster, entry, settled)
      case "permissions":
        return yield* resolvePermissions(cluster, entry, adminTypes(spec.permissionTypes), settled)
      case "metadata": {
        const types = spec.metadataTypes
        const what = `metadata (${types.join(", ")})`
        const filtered = metadataFilterOf(cluster, spec, what)
        // NDJSON writes multi-valued fields (tags) as arrays; CSV as text joined with `;`.
        const listing = incrementalMetadata(
          filtered.cluster,
          types,
          pageSize,
          entry.format === "ndjson",
          spec.modifiedSince
        )
        // The query says what was read: the tags, authors and `--modified-since`, each when given.
        const query = [
          ...filtered.query,
          ...(spec.modifiedSince === undefined ? [] : [`modified >= ${spec.modifiedSince}`])
        ].join(" and ")
        return single(defaultOutputName(spec), null, {
          label: types.length === 1 ? `metadata ${types[0]}` : `metadata (${types.length} types)`,
          what,
          source: { type: "METADATA", id: null, name: types.join(","), viz: null, query: query === "" ? null : query },
          pages: filtered.pages(listing.pages),
          warnings: filtered.warnings,
          ...(spec.modifiedSince === undefined ? {} : { watermark: listing.watermark }),
          typesOf: typesByPosition(entry.format === "ndjson" ? metadataListColumns : metadataColumns),
          emptyColumns: metadataColumns.map((c) => c.name)
        })
      }
      case "answer": {
        const answer = yield* findObject(cluster, "ANSWER", spec.id, givenIn)
        const columns = answer.visualizations[0]?.columns ?? []
        const what = `answer "${answer.name}"`
        // `--since-column`: a runtime filter added, and the run's watermark (read before any data).
        const zone = entry.timezone === undefined ? dataZone : Effect.succeed(entry.timezone)
        // A date value of `--runtime-filter` as ThoughtSpot takes it, epoch seconds (see RuntimeOptions.ts).
        const typed = yield* typedRuntimeFilters(spec.runtimeFilters, columnTypeIn(columns), zone, filterFlag, what)
        const own = withFilters(spec, typed.filters)
        // Its saved query (in its TML, read once): its `sort by` if its result spans pages, unless `--sort` fixes
        // the order; with `--since-column`, a `top N` it keeps (refused) at once.
        const tml = yield* savedTml(cluster, { type: "ANSWER", id: answer.id, name: answer.name }, what)
        const limited =
          spec.sinceColumn === undefined ? [] : yield* savedLimitCheck(tml, spec.sinceColumn, what, undefined, say)
        const since = yield* incrementalRuntime(
          columns,
          own,
          zone,
          (request) => cluster.answerPages(answer.id, 1, 0, undefined, request),
          what,
          say
        )
        // `--sort`, `--runtime-filter`: sent with every request, the row count probe of a split export's too.
        const options = since?.runtime ?? own
        const runtime = runtimeRequestOf(options)
        const given = runtimeFilterGivenOf(givenFilters(spec, since !== undefined), options.runtimeFilters)
        const from = (offset: number, decoder: PageDecoder) =>
          cluster.answerPages(answer.id, pageSize, offset, decoder, runtime)
        return yield* splitWhenAsked(
          single(`answer-${answer.name}`, answer.id, {
            label: `answer ${answer.name}`,
            what,
            source: {
              type: "ANSWER",
              id: answer.id,
              name: answer.name,
              viz: null,
              query: null,
              ...runtimeSourceOf(runtime, given)
            },
            pages: (decoder) => from(0, decoder),
            pagesFrom: from,
            typesOf: typesByPosition(columns),
            emptyColumns: namesOf(columns),
            ...(since === undefined ? {} : { watermark: since.watermark }),
            ...warningsOf([...typed.warnings, ...limited, ...(since?.warnings ?? [])]),
            ...(runtime.runtimeSort === undefined ? { unsorted: savedOrder(tml, "answer", undefined, say) } : {})
          }),
          () => cluster.answerPages(answer.id, 1, 0, undefined, runtime),
          from,
          what
        )
      }
      case "search": {
        const table = yield* findObject(cluster, "LOGICAL_TABLE", spec.table, givenIn)
        const what = `search on "${table.name}"`
        // `--since-column`: the query with its filter appended, and the run's watermark (read before any data).
        const zone = entry.timezone === undefined ? dataZone : Effect.succeed(entry.timezone)
        // A date value of `--runtime-filter` as ThoughtSpot takes it: a model column's type, or a result column's.
        const resultType = searchColumnTypes(table.columns)
        const modelType = columnTypeIn(table.columns)
        const typeOf = (name: string) => modelType(name) ?? resultType(name) ?? undefined
        const typed = yield* typedRuntimeFilters(spec.runtimeFilters, typeOf, zone, filterFlag, what)
        const { query, watermark, warnings } = yield* incrementalSearch(cluster, table, spec, zone, what, say)
        const options = withFilters(spec, typed.filters)
        const runtime = runtimeRequestOf(options)
        const from = (offset: number, decoder: PageDecoder) =>
          cluster.searchPages(table.id, query, pageSize, offset, decoder, runtime)
        return yield* splitWhenAsked(
          single(`search-${table.name}`, table.id, {
            label: `search ${table.name}`,
            what,
            source: {
              type: "LOGICAL_TABLE",
              id: table.id,
              name: table.name,
              viz: null,
              query,
              ...runtimeSourceOf(runtime, runtimeFilterGivenOf(spec.runtimeFilters, options.runtimeFilters))
            },
            pages: (decoder) => from(0, decoder),
            pagesFrom: from,
            typesOf: typesByName(resultType),
            emptyColumns: [],
            ...(watermark === undefined ? {} : { watermark }),
            ...warningsOf([...typed.warnings, ...(warnings ?? [])]),
            // The query as sent, filters appended: its own `sort by`, or a runtime sort (`--sort`), fixes the order
            // of its pages.
            ...(hasSortBy(query) || runtime.runtimeSort !== undefined ? {} : { unsorted: unsortedSearch })
          }),
          () => cluster.searchPages(table.id, query, 1, 0, undefined, runtime),
          from,
          what
        )
      }
      case "audit": {
        // `since` and `until` are ISO instants here (resolved before the plan, see Incremental.ts), against the
        // run's start: its range is checked against that same now (`30d` is exactly 30 days before it).
        const audit = auditOutput(cluster, spec, pageSize, started, entry.org, say)
        // Said when planned (a dry run too); the output's manifest entry keeps them.
        for (const warning of audit.rangeWarnings) yield* Effect.logWarning(`${entry.what}: ${warning}`)
        return single(defaultOutputName(spec), null, {
          label: "audit log",
          what: "audit log",
          source: { type: "SECURITY_AUDIT", id: null, name: null, viz: null, query: audit.range },
          pages: audit.pages,
          watermark: audit.watermark,
          warnings: audit.warnings,
          typesOf: typesByPosition(audit.columns),
          emptyColumns: audit.columns.map((c) => c.name)
        })
      }
      case "liveboard": {
        const liveboard = yield* findObject(cluster, "LIVEBOARD", spec.id, givenIn)
        const vizzes = yield* chooseVisualizations(liveboard, spec.visualizations, givenIn)
        // `--since-column`: one visualization per export, since an export has one watermark (see Incremental.ts).
        const only = vizzes[0]
        if (spec.sinceColumn !== undefined && (vizzes.length !== 1 || only === undefined)) {
          return yield* new UsageError({
            message: `liveboard "${liveboard.name}": ${say.named("sinceColumn")} reads one visualization per export, and this one would read ${vizzes.length} (${vizzes.map((v) => `"${v.name}"`).join(", ")}): name one with ${say.written("visualizations", "…")} (one export per visualization)`
          })
        }
        const zone = entry.timezone === undefined ? dataZone : Effect.succeed(entry.timezone)
        // A date value of `--runtime-filter` as ThoughtSpot takes it, epoch seconds (see RuntimeOptions.ts): a
        // column's type as the liveboard's visualizations give it (one filter goes to each).
        const typed = yield* typedRuntimeFilters(
          spec.runtimeFilters,
          columnTypeIn(liveboard.visualizations.flatMap((v) => v.columns)),
          zone,
          filterFlag,
          `liveboard "${liveboard.name}"`
        )
        const own = withFilters(spec, typed.filters)
        // The visualizations' saved queries (one TML of the liveboard, read once): their `sort by` if a result
        // spans pages; with `--since-column`, a `top N` the one visualization keeps (refused) at once.
        const tml = yield* savedTml(
          cluster,
          { type: "LIVEBOARD", id: liveboard.id, name: liveboard.name },
          `liveboard "${liveboard.name}"`
        )
        const limited =
          spec.sinceColumn === undefined || only === undefined
            ? []
            : yield* savedLimitCheck(
                tml,
                spec.sinceColumn,
                `visualization "${only.name}" of liveboard "${liveboard.name}"`,
                only.id,
                say
              )
        const since =
          only === undefined
            ? undefined
            : yield* incrementalRuntime(
                only.columns,
                own,
                zone,
                (request) => cluster.liveboardPages(liveboard.id, only.id, 1, 0, undefined, request),
                `visualization "${only.name}" of liveboard "${liveboard.name}"`,
                say
              )
        const options = since?.runtime ?? own
        const runtime = runtimeRequestOf(options)
        const given = runtimeFilterGivenOf(givenFilters(spec, since !== undefined), options.runtimeFilters)
        return {
          export: entry,
          defaultName: `liveboard-${liveboard.name}`,
          objectId: liveboard.id,
          outputs: (key, clusterZone) => {
            // Files live in a folder named by the export, so their names cannot clash with other exports'. Named
            // over every visualization, so that which ones are chosen changes no file's name.
            const all = liveboard.visualizations
            const files = placeFileNames(
              all.map((v) => ({ name: v.name, identity: v.id })),
              ext,
              entry.fileNames
            )
            return vizzes.map((viz) => ({
              ...settled(key, `${key}/${files[all.indexOf(viz)]}`, clusterZone, {
                id: liveboard.id,
                viz: viz.id
              }),
              label: `liveboard ${liveboard.name} / ${viz.name}`,
              what: `visualization "${viz.name}" of liveboard "${liveboard.name}"`,
              source: {
                type: "LIVEBOARD",
                id: liveboard.id,
                name: liveboard.name,
                viz: { id: viz.id, name: viz.name },
                query: null,
                ...runtimeSourceOf(runtime, given)
              },
              pages: (decoder: PageDecoder) =>
                cluster.liveboardPages(liveboard.id, viz.id, pageSize, 0, decoder, runtime),
              pagesFrom: (offset: number, decoder: PageDecoder) =>
                cluster.liveboardPages(liveboard.id, viz.id, pageSize, offset, decoder, runtime),
              typesOf: typesByPosition(viz.columns),
              emptyColumns: namesOf(viz.columns),
              ...(since === undefined ? {} : { watermark: since.watermark }),
              ...warningsOf([...typed.warnings, ...limited, ...(since?.warnings ?? [])]),
              ...(runtime.runtimeSort === undefined ? { unsorted: savedOrder(tml, "visualization", viz.id, say) } : {})
            }))
          }
        }
      }
    }
  })

/**
 * The key of each resolved export, in order: its own, or a name placed from its default name by its object's GUID
 * (`placeFileNames`) — one per object (the same object in two formats shares it); where different objects share a
 * name, each gets a hash of its GUID. An Org's exports are named inside its own folder (`--orgs`).
 */
export const nameExports = <E>(resolved: ReadonlyArray<ResolvedExport<E>>): ReadonlyArray<string> => {
  const reserved = [manifestFileName]
  for (const r of resolved) if (r.export.key !== undefined) reserved.push(`${r.export.key}.x`)
  // One name per object and folder: the objects of each folder, in order of first appearance.
  const identityOf = (r: ResolvedExport<E>) => JSON.stringify([r.defaultName, r.objectId, r.export.org?.id ?? null])
  const folders = new Map<number | null, Map<string, ResolvedExport<E>>>()
  for (const r of resolved) {
    if (r.export.key !== undefined) continue
    const org = r.export.org?.id ?? null
    const objects = folders.get(org) ?? new Map<string, ResolvedExport<E>>()
    if (!objects.has(identityOf(r))) objects.set(identityOf(r), r)
    folders.set(org, objects)
  }
  const keyOf = new Map<string, string>()
  for (const [org, objects] of folders) {
    const list = [...objects.values()]
    // Allocated with the extension `x` (then cut), so that the key serves every format and folder. An object
    // without a GUID (a listing) is told apart by its name. One style: these are the exports of one command.
    const names = placeFileNames(
      list.map((r) => ({ name: r.defaultName, identity: r.objectId ?? r.defaultName })),
      "x",
      list[0]!.export.fileNames,
      org === null ? reserved : []
    )
    list.forEach((r, i) => {
      const name = names[i]!.slice(0, -2)
      keyOf.set(identityOf(r), r.export.org === undefined ? name : `${orgFolder(r.export.org)}/${name}`)
    })
  }
  return resolved.map((r) => r.export.key ?? keyOf.get(identityOf(r))!)
}
