/**
 * At most `max` jobs under way at once; later arrivals wait in order, and a finishing job hands
 * its slot to the next one (so the count never dips and rises between them). The gates use it
 * to bound concurrent signature checks: the runtime runs WebCrypto in the same small worker
 * pool as file I/O, and unbounded checks would queue ahead of the storage's fsyncs.
 */
export class Slots {
  readonly #max: number
  #busy = 0
  #waiting: (() => void)[] = []

  constructor(max: number) {
    if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be a positive integer')
    this.#max = max
  }

  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#busy < this.#max) this.#busy++
    else await new Promise<void>((slot) => this.#waiting.push(slot)) // handed over, still counted
    try {
      return await job()
    } finally {
      const next = this.#waiting.shift()
      if (next) next()
      else this.#busy--
    }
  }
}
