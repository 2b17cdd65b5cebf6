/** Svelte compiler options for the app: TypeScript in components through Vite's preprocessor. */
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte'

export default {
  preprocess: vitePreprocess(),
}
