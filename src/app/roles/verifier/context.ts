/**
 * The verifier console's state, handed from VerifierConsole.svelte to every component inside it
 * through Svelte context (as the issuer console does), so a panel deep inside reads it where it
 * needs it. The getter throws when called outside a console.
 */
import { createContext } from 'svelte'
import type { VerifierConsoleState } from '../../state/verifier-console.svelte.ts'

const [getVerifierConsole, setVerifierConsole] = createContext<VerifierConsoleState>()

export { getVerifierConsole, setVerifierConsole }
