/** Every failure the user can see carries one of these codes and a message written for them. */
export const ERROR_CODES = [
	'UNKNOWN',
	'OFFLINE',
	'CONFIG_INVALID',
	'AUTH_NOT_CONFIGURED',
	'AUTH_ACCESS_DENIED',
	'AUTH_STATE_MISMATCH',
	'AUTH_STATE_EXPIRED',
	'AUTH_CODE_MISSING',
	'AUTH_CODE_INVALID',
	'AUTH_ISSUER_MISMATCH',
	'AUTH_ID_TOKEN_INVALID',
	'AUTH_NETWORK',
	'AUTH_REFRESH_FAILED',
	'AUTH_TOKEN_MALFORMED',
	'AUTH_TOKEN_REJECTED',
	'AUTH_VAULT_CORRUPT',
	'AUTH_PROVIDER_ERROR',
	'AUTH_SESSION_EXPIRED',
	'AUTH_SESSION_ENDED',
	'AUTH_RESPONSE_INCOMPLETE',
	'HUB_GATED',
	'HUB_FORBIDDEN',
	'HUB_NOT_FOUND',
	'HUB_RATE_LIMITED',
	'HUB_UNAVAILABLE',
	'HUB_BAD_RESPONSE',
	'HUB_INVALID_REPO_ID',
	'GGUF_INVALID',
	'DOWNLOAD_HASH_MISMATCH',
	'DOWNLOAD_NETWORK',
	'DOWNLOAD_CHANGED_UPSTREAM',
	'DOWNLOAD_CANCELLED',
	'DOWNLOAD_INVALID_REQUEST',
	'STORAGE_QUOTA',
	'STORAGE_UNAVAILABLE',
	'IPFS_BLOCK_INVALID',
	'IPFS_NOT_FOUND',
	'IPFS_GATEWAY',
	'P2P_LINK_INVALID',
	'P2P_UNREACHABLE',
	'P2P_STALLED',
	'CSP_ORIGIN_INVALID',
	'PINNING_CONFIG_INVALID',
	'PINNING_UNAUTHORIZED',
	'PINNING_UNAVAILABLE',
	'PINNING_BAD_RESPONSE',
	'PINNING_REJECTED',
	'PINNING_NOT_FOUND',
	'PINNING_FAILED',
	'ENGINE_LOAD_TIMEOUT',
	'ENGINE_OOM',
	'ENGINE_FAILED',
	'ENGINE_NOT_LOADED',
	'CHAT_IMPORT_INVALID',
	'ABORTED'
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** The shape an error takes across postMessage / comlink. */
export interface SerializedAppError {
	code: ErrorCode;
	message: string;
	details?: Record<string, unknown>;
}

export class AppError extends Error {
	override readonly name = 'AppError';
	readonly code: ErrorCode;
	readonly details: Record<string, unknown> | undefined;

	constructor(
		code: ErrorCode,
		message: string,
		options: { cause?: unknown; details?: Record<string, unknown> } = {}
	) {
		super(message, { cause: options.cause });
		this.code = code;
		this.details = options.details;
	}

	toJSON(): SerializedAppError {
		return this.details === undefined
			? { code: this.code, message: this.message }
			: { code: this.code, message: this.message, details: this.details };
	}

	static fromJSON(data: SerializedAppError): AppError {
		return new AppError(data.code, data.message, { details: data.details });
	}

	static is(error: unknown, code?: ErrorCode): error is AppError {
		return error instanceof AppError && (code === undefined || error.code === code);
	}
}

export function isSerializedAppError(value: unknown): value is SerializedAppError {
	return (
		typeof value === 'object' &&
		value !== null &&
		typeof (value as SerializedAppError).code === 'string' &&
		(ERROR_CODES as readonly string[]).includes((value as SerializedAppError).code) &&
		typeof (value as SerializedAppError).message === 'string'
	);
}

/** Any thrown value as an AppError, keeping the original as `cause`. */
export function toAppError(error: unknown, fallback: ErrorCode = 'UNKNOWN'): AppError {
	if (error instanceof AppError) return error;
	if (isSerializedAppError(error)) return AppError.fromJSON(error);
	if (error instanceof DOMException && error.name === 'AbortError')
		return new AppError('ABORTED', 'The operation was cancelled.', { cause: error });
	if (error instanceof DOMException && error.name === 'QuotaExceededError')
		return new AppError('STORAGE_QUOTA', 'The browser ran out of storage space for this site.', {
			cause: error
		});
	const message = error instanceof Error ? error.message : String(error);
	return new AppError(fallback, message || 'Something went wrong.', { cause: error });
}
