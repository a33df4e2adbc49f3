/**
 * Repositories served by the emulator, loaded from a folder: `<dir>/<owner>/<name>/repo.json` plus
 * the repo's files (any depth; `README.md` is the model card). `repo.json` may also list
 * `virtualFiles` — large files whose content is generated on the fly (a stored header followed by
 * deterministic padding), so that metadata-only repos need no gigabytes on disk. The SHA-256 of a
 * virtual file is NOT the SHA-256 of its bytes (computing it would mean hashing gigabytes): it is a
 * stable made-up value, and `sha256Checkable` is false for those files.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join, posix, relative, sep } from 'node:path';

export type Gated = false | 'auto' | 'manual';

export interface VirtualFileSpec {
	path: string;
	size: number;
	/** File (relative to the repo folder) holding the first bytes, e.g. a real GGUF header. */
	headerFile?: string;
}

export interface RepoJson {
	gated?: Gated;
	private?: boolean;
	/** User (or org) owning the repo; defaults to the namespace. */
	owner?: string;
	downloads?: number;
	downloadsAllTime?: number;
	likes?: number;
	trendingScore?: number;
	tags?: string[];
	pipeline_tag?: string;
	library_name?: string;
	license?: string;
	createdAt?: string;
	lastModified?: string;
	config?: Record<string, unknown>;
	cardData?: Record<string, unknown>;
	gguf?: Record<string, unknown>;
	virtualFiles?: VirtualFileSpec[];
	_note?: string;
}

export interface RepoFile {
	path: string;
	size: number;
	lfs: boolean;
	/** lfs.oid (SHA-256 hex) — of the bytes, unless `sha256Checkable` is false. */
	sha256: string;
	sha256Checkable: boolean;
	/** git blob id (of the LFS pointer for LFS files). */
	oid: string;
	pointerSize: number;
	/** Reads `length` bytes from `offset` (the caller keeps within size). */
	read(offset: number, length: number): Promise<Buffer>;
	/**
	 * Opens the bytes for many reads (one file handle for a whole response, where `read` opens the
	 * file each time); absent for files held in memory.
	 */
	openReader?(): Promise<FileReader>;
}

export interface FileReader {
	read(offset: number, length: number): Promise<Buffer>;
	close(): Promise<void>;
}

export interface Repo {
	id: string;
	namespace: string;
	name: string;
	meta: Required<Pick<RepoJson, 'downloads' | 'likes' | 'createdAt' | 'lastModified'>> &
		RepoJson & { gated: Gated; private: boolean; owner: string; tags: string[] };
	files: Map<string, RepoFile>;
	/** 40-hex commit id, stable for the same content. */
	sha: string;
	/** 24-hex Mongo-style id (`_id`). */
	objectId: string;
}

const LFS_EXTENSIONS = new Set([
	'7z',
	'arrow',
	'bin',
	'bz2',
	'ckpt',
	'ftz',
	'gguf',
	'gz',
	'h5',
	'joblib',
	'mlmodel',
	'model',
	'msgpack',
	'npy',
	'npz',
	'onnx',
	'ot',
	'parquet',
	'pb',
	'pickle',
	'pkl',
	'pt',
	'pth',
	'rar',
	'safetensors',
	'tar',
	'tflite',
	'tgz',
	'wasm',
	'xz',
	'zip',
	'zst'
]);

/** The `.gitattributes` every new Hub repo starts with (abridged to the LFS patterns above). */
export const DEFAULT_GITATTRIBUTES =
	[...LFS_EXTENSIONS].map((ext) => `*.${ext} filter=lfs diff=lfs merge=lfs -text`).join('\n') +
	'\n*tfevents* filter=lfs diff=lfs merge=lfs -text\n';

const LFS_THRESHOLD = 10 * 1024 * 1024;

export function isLfsPath(path: string, size: number): boolean {
	const ext = path.split('.').pop()?.toLowerCase() ?? '';
	return LFS_EXTENSIONS.has(ext) || size >= LFS_THRESHOLD;
}

function sha1(data: string | Buffer): string {
	return createHash('sha1').update(data).digest('hex');
}

function sha256(data: string | Buffer): string {
	return createHash('sha256').update(data).digest('hex');
}

export function gitBlobOid(content: Buffer): string {
	return sha1(Buffer.concat([Buffer.from(`blob ${content.length}\0`), content]));
}

export function lfsPointer(sha: string, size: number): string {
	return `version https://git-lfs.github.com/spec/v1\noid sha256:${sha}\nsize ${size}\n`;
}

function fileRecord(
	path: string,
	size: number,
	sha: string,
	checkable: boolean,
	contentForOid: (() => Buffer) | null,
	read: RepoFile['read'],
	openReader?: RepoFile['openReader']
): RepoFile {
	const lfs = isLfsPath(path, size) || !contentForOid;
	const pointer = Buffer.from(lfsPointer(sha, size));
	const oid = lfs ? gitBlobOid(pointer) : gitBlobOid(contentForOid!());
	return {
		path,
		size,
		lfs,
		sha256: sha,
		sha256Checkable: checkable,
		oid,
		pointerSize: pointer.length,
		read,
		...(openReader ? { openReader } : {})
	};
}

async function hashFile(absPath: string): Promise<string> {
	const hash = createHash('sha256');
	const handle = await open(absPath, 'r');
	try {
		for await (const chunk of handle.createReadStream()) hash.update(chunk as Buffer);
	} finally {
		await handle.close();
	}
	return hash.digest('hex');
}

async function openDiskReader(absPath: string): Promise<FileReader> {
	const handle = await open(absPath, 'r');
	return {
		async read(offset, length) {
			// Every byte is overwritten by the read (or cut off by the subarray): no need to zero it.
			const buf = Buffer.allocUnsafe(length);
			const { bytesRead } = await handle.read(buf, 0, length, offset);
			return buf.subarray(0, bytesRead);
		},
		close: () => handle.close()
	};
}

function diskReader(absPath: string): RepoFile['read'] {
	return async (offset, length) => {
		const reader = await openDiskReader(absPath);
		try {
			return await reader.read(offset, length);
		} finally {
			await reader.close();
		}
	};
}

/** 64 KiB of seeded pseudo-random bytes; byte i of the padding = pattern[i % 64Ki] ^ (i >> 16). */
function paddingPattern(seed: string): Buffer {
	let x = parseInt(sha1(seed).slice(0, 8), 16) | 1;
	const out = Buffer.alloc(65536);
	for (let i = 0; i < out.length; i += 4) {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		out.writeInt32LE(x | 0, i);
	}
	return out;
}

export function virtualReader(header: Buffer, seed: string): RepoFile['read'] {
	const pattern = paddingPattern(seed);
	return async (offset, length) => {
		const out = Buffer.alloc(length);
		for (let i = 0; i < length;) {
			const pos = offset + i;
			if (pos < header.length) {
				const n = Math.min(header.length - pos, length - i);
				header.copy(out, i, pos, pos + n);
				i += n;
				continue;
			}
			const inBlock = pos & 0xffff;
			const n = Math.min(65536 - inBlock, length - i);
			const k = Math.floor(pos / 65536) & 0xff;
			for (let j = 0; j < n; j++) out[i + j] = pattern[inBlock + j]! ^ k;
			i += n;
		}
		return out;
	};
}

/**
 * The model card's YAML front matter as the Hub's `cardData` (the subset cards use here: scalars,
 * quoted strings and lists of scalars).
 */
export function parseFrontMatter(markdown: string): Record<string, unknown> | undefined {
	const m = /^---\r?\n([\s\S]*?)\r?\n---\r?\n/.exec(markdown);
	if (!m) return undefined;
	const out: Record<string, unknown> = {};
	let listKey: string | null = null;
	const scalar = (v: string): unknown => {
		const t = v.trim();
		if (/^(["']).*\1$/.test(t)) return t.slice(1, -1);
		if (t === 'true' || t === 'false') return t === 'true';
		if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
		return t;
	};
	for (const line of m[1]!.split(/\r?\n/)) {
		const item = /^\s*-\s+(.*)$/.exec(line);
		if (item && listKey) {
			(out[listKey] as unknown[]).push(scalar(item[1]!));
			continue;
		}
		const kv = /^([\w.-]+):\s*(.*)$/.exec(line);
		if (!kv) continue;
		if (kv[2] === '') {
			listKey = kv[1]!;
			out[listKey] = [];
		} else {
			listKey = null;
			out[kv[1]!] = scalar(kv[2]!);
		}
	}
	return out;
}

async function walk(dir: string): Promise<string[]> {
	const out: string[] = [];
	for (const entry of await readdir(dir, { withFileTypes: true })) {
		const abs = join(dir, entry.name);
		if (entry.isDirectory()) out.push(...(await walk(abs)));
		else if (entry.isFile()) out.push(abs);
	}
	return out;
}

const IN_MEMORY_LIMIT = 64 * 1024 * 1024;
const DEFAULT_DATE = '2025-01-15T10:00:00.000Z';

export async function loadRepo(repoDir: string, id: string): Promise<Repo> {
	const json = JSON.parse(await readFile(join(repoDir, 'repo.json'), 'utf8')) as RepoJson;
	const [namespace, name] = id.split('/') as [string, string];
	const files = new Map<string, RepoFile>();
	const virtualHeaders = new Set(
		(json.virtualFiles ?? []).flatMap((v) => (v.headerFile ? [v.headerFile] : []))
	);

	for (const abs of await walk(repoDir)) {
		const path = relative(repoDir, abs).split(sep).join(posix.sep);
		if (path === 'repo.json' || virtualHeaders.has(path) || path.startsWith('.virtual/')) continue;
		const { size } = await stat(abs);
		// Files up to 64 MiB are kept in memory, so the folder may go away while we run.
		const content = size <= IN_MEMORY_LIMIT ? await readFile(abs) : null;
		const sha = content ? sha256(content) : await hashFile(abs);
		const small = !isLfsPath(path, size);
		const read: RepoFile['read'] = content
			? async (offset, length) => content.subarray(offset, offset + length)
			: diskReader(abs);
		const openReader = content ? undefined : () => openDiskReader(abs);
		files.set(
			path,
			fileRecord(path, size, sha, true, small ? () => content! : null, read, openReader)
		);
	}

	for (const spec of json.virtualFiles ?? []) {
		const header = spec.headerFile
			? await readFile(join(repoDir, spec.headerFile))
			: Buffer.alloc(0);
		const seed = `${id}/${spec.path}`;
		const fakeSha = sha256(`citrate-emulator virtual file ${seed} ${spec.size} ${sha256(header)}`);
		files.set(
			spec.path,
			fileRecord(spec.path, spec.size, fakeSha, false, null, virtualReader(header, seed))
		);
	}

	if (!files.has('.gitattributes')) {
		const content = Buffer.from(DEFAULT_GITATTRIBUTES);
		files.set(
			'.gitattributes',
			fileRecord(
				'.gitattributes',
				content.length,
				sha256(content),
				true,
				() => content,
				async (o, l) => content.subarray(o, o + l)
			)
		);
	}

	const readme = files.get('README.md');
	const cardData =
		json.cardData ??
		(readme ? parseFrontMatter((await readme.read(0, readme.size)).toString('utf8')) : undefined);

	const listing = [...files.values()]
		.sort((a, b) => (a.path < b.path ? -1 : 1))
		.map((f) => `${f.path} ${f.oid}`)
		.join('\n');
	const sha = sha1(`commit ${id}\n${listing}`);
	const tags = [...(json.tags ?? [])];
	const hasGguf = [...files.keys()].some((p) => p.endsWith('.gguf'));
	if (hasGguf && !tags.includes('gguf')) tags.unshift('gguf');
	if (json.license && !tags.includes(`license:${json.license}`))
		tags.push(`license:${json.license}`);
	if (!tags.includes('region:us')) tags.push('region:us');

	return {
		id,
		namespace,
		name,
		files,
		sha,
		objectId: sha1(`repo ${id}`).slice(0, 24),
		meta: {
			...json,
			cardData,
			gated: json.gated ?? false,
			private: json.private ?? false,
			owner: json.owner ?? namespace,
			downloads: json.downloads ?? 0,
			likes: json.likes ?? 0,
			tags,
			createdAt: json.createdAt ?? DEFAULT_DATE,
			lastModified: json.lastModified ?? json.createdAt ?? DEFAULT_DATE
		}
	};
}

/** Loads every `<owner>/<name>/repo.json` under `dir`. */
export async function loadRepos(dir: string): Promise<Map<string, Repo>> {
	const repos = new Map<string, Repo>();
	if (!existsSync(dir)) return repos;
	for (const owner of await readdir(dir, { withFileTypes: true })) {
		if (!owner.isDirectory() || owner.name.startsWith('.')) continue;
		for (const name of await readdir(join(dir, owner.name), { withFileTypes: true })) {
			const repoDir = join(dir, owner.name, name.name);
			if (!name.isDirectory() || !existsSync(join(repoDir, 'repo.json'))) continue;
			const repo = await loadRepo(repoDir, `${owner.name}/${name.name}`);
			repos.set(repo.id, repo);
		}
	}
	return repos;
}
