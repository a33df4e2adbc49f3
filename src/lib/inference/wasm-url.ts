// Our own copy of wllama's wasm, emitted by Vite next to the app (and precached by the service
// worker), so loading a model never reaches for a CDN.
import wllamaWasmUrl from '@wllama/wllama/esm/wasm/wllama.wasm?url';

export { wllamaWasmUrl };
