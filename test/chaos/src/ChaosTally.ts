/**
 * Counts for the chaos report: runs, faults the sandbox injected, retries the client made (from its debug
 * log), token refreshes, identical outputs and typed failures. Printed as one table at the end of a suite so
 * the figures can be copied into the README.
 */

/** Totals of one chaos suite. */
export class ChaosTally {
  runs = 0
  identical = 0
  failedTyped = 0
  faults = 0
  retries = 0
  refreshes = 0
  /** Reads that succeeded with data altered by a fault no client can detect (valid JSON, right row count). */
  undetectable = 0
  readonly faultsByKind = new Map<string, number>()
  readonly failures = new Map<string, number>()

  /** Adds the faults of one sandbox (a `stats().faultsInjected` delta). */
  addFaults(byKind: Readonly<Record<string, number>>): void {
    for (const [kind, n] of Object.entries(byKind)) {
      this.faults += n
      this.faultsByKind.set(kind, (this.faultsByKind.get(kind) ?? 0) + n)
    }
  }

  /** Records a typed failure by its reason. */
  addFailure(reason: string): void {
    this.failedTyped++
    this.failures.set(reason, (this.failures.get(reason) ?? 0) + 1)
  }

  /** The report lines. */
  report(title: string): string {
    const kinds = [...this.faultsByKind].filter(([, n]) => n > 0).map(([k, n]) => `${k} ${n}`)
    const failures = [...this.failures].map(([k, n]) => `${k} ${n}`)
    return [
      `${title}`,
      `  runs ${this.runs}, identical ${this.identical}, failed with a typed error ${this.failedTyped}, altered undetectably ${this.undetectable}`,
      `  faults injected ${this.faults} (${kinds.join(", ") || "none"})`,
      `  retries ${this.retries}, token refreshes ${this.refreshes}`,
      ...(failures.length > 0 ? [`  failures: ${failures.join(", ")}`] : [])
    ].join("\n")
  }
}
