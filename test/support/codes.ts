/** The stable code a call throws (CivicError and its InputError), or undefined when it returns. */
import { CivicError } from '../../src/core/errors.ts'

export function codeOf(f: () => unknown): string | undefined {
  try {
    f()
  } catch (e) {
    if (e instanceof CivicError) return e.code
    throw e
  }
  return undefined
}
