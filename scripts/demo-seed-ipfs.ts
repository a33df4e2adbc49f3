// Adds one generated chat model to the demo's IPFS gateway and prints its CID.
import { makeScriptedLlamaGguf } from '../tests/fixtures/gguf/index';

const gatewayUrl = process.argv[2];
if (!gatewayUrl) throw new Error('usage: tsx scripts/demo-seed-ipfs.ts <gateway-url>');
const bytes = makeScriptedLlamaGguf({
	reply: 'Hello from IPFS! I was fetched by CID and every block was verified.',
	name: 'IPFS demo'
});
const response = await fetch(`${gatewayUrl}/__gateway/add?name=ipfs-demo-F32.gguf`, {
	method: 'POST',
	body: bytes
});
if (!response.ok) throw new Error(`the gateway answered ${response.status}`);
const { cid } = (await response.json()) as { cid: string };
console.log(cid);
