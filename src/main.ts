/**
 * Browser entry: mounts the app shell, then registers the service worker.
 */
import { mount } from 'svelte'
import App from './app/App.svelte'
import { registerPwa } from './app/pwa/register.ts'
import './app/styles/global.css'

const target = document.getElementById('app')
if (!target) throw new Error('index.html has no #app element')

const app = mount(App, { target })
registerPwa()

export default app
