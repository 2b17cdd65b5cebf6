/** Facts about other processes on this host, for the pid lock files of the services. */

/** True while a process with this pid exists (EPERM: it exists but is not ours to signal). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}
