/**
 * The IPFS Pinning Service API's objects (spec v1.0.0,
 * https://ipfs.github.io/pinning-services-api-spec/): what every compliant
 * service (this node, IPFS Cluster, hosted pinning services) sends and takes.
 */
export const PIN_STATUSES = ['queued', 'pinning', 'pinned', 'failed'] as const;
export type PinStatusValue = (typeof PIN_STATUSES)[number];

export interface Pin {
	cid: string;
	name?: string;
	origins?: string[];
	meta?: Record<string, string>;
}

export interface PinStatus {
	requestid: string;
	status: PinStatusValue;
	/** ISO 8601 */
	created: string;
	pin: Pin;
	delegates: string[];
	info?: Record<string, string>;
}

export interface PinResults {
	count: number;
	results: PinStatus[];
}

export interface Failure {
	error: { reason: string; details?: string };
}

export const TEXT_MATCHING = ['exact', 'iexact', 'partial', 'ipartial'] as const;
export type TextMatchingStrategy = (typeof TEXT_MATCHING)[number];

export interface PinQuery {
	cid?: string[];
	name?: string;
	match: TextMatchingStrategy;
	status: PinStatusValue[];
	before?: Date;
	after?: Date;
	limit: number;
	meta?: Record<string, string>;
}
