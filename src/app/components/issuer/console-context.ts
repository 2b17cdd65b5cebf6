/**
 * The issuer console's state, handed from IssuerConsole.svelte to every component inside it
 * through Svelte context rather than a `console` prop on each: a component deep in the console
 * (a table row's dialog, the sign-in form) reads it where it needs it, and the components in
 * between do not have to pass it along. The getter throws when called outside a console.
 */
import { createContext } from 'svelte'
import type { IssuerConsoleState } from '../../state/issuer-console.svelte.ts'

const [getIssuerConsole, setIssuerConsole] = createContext<IssuerConsoleState>()

export { getIssuerConsole, setIssuerConsole }
