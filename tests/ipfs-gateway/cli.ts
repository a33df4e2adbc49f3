import { startIpfsGateway } from './server';

/** `npx tsx tests/ipfs-gateway/cli.ts --port 8975` */
const args = process.argv.slice(2);
const portIndex = args.indexOf('--port');
const port = portIndex >= 0 ? Number(args[portIndex + 1]) : 8975;
const gateway = await startIpfsGateway({ port });
console.log(`IPFS trustless gateway on ${gateway.url}`);
const stop = () => void gateway.close().then(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
