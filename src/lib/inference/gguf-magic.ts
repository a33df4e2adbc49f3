import { AppError } from '../errors';

/** The cheap first check of a model file: its GGUF magic and version, before llama.cpp reads it. */

const GGUF_MAGIC = 0x46554747; // "GGUF" little-endian

/** Rejects files that are not GGUF before handing them to llama.cpp (which may abort on them). */
export async function assertGgufMagic(files: readonly Blob[]): Promise<void> {
	for (const file of files) {
		const head = new DataView(await file.slice(0, 8).arrayBuffer());
		const name = 'name' in file ? String((file as File).name) : 'The file';
		if (head.byteLength < 8 || head.getUint32(0, true) !== GGUF_MAGIC)
			throw new AppError('GGUF_INVALID', `${name} is not a GGUF file (its first bytes are wrong).`);
		const version = head.getUint32(4, true);
		if (version < 2 || version > 3)
			throw new AppError(
				'GGUF_INVALID',
				`${name} uses GGUF version ${version}, which is not supported.`
			);
	}
}
