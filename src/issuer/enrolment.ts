/**
 * The first supervisor of an office: `civic start` prints, for each issuer, a one-time link that
 * enrols the first supervisor with a passkey. Returns null when the office already has one.
 */
export interface FirstSupervisorOptions {
  /** The issuer's data directory. */
  dataDir: string
  /** The issuer's admin listener, e.g. http://localhost:8087/ */
  adminUrl: string
  /** The console's origin, e.g. http://localhost:8080 */
  appOrigin: string
  /** The issuer's id in the app's config (e.g. psb). */
  issuerId: string
}

export async function firstSupervisorLink(_o: FirstSupervisorOptions): Promise<string | null> {
  return null
}
