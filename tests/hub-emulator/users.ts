/** The emulator's users, orgs and personal access tokens (contracts.md). */

export interface Org {
	id: string;
	name: string;
	fullname: string;
}

export interface User {
	id: string;
	name: string;
	fullname: string;
	email: string;
	password: string;
	isPro: boolean;
	orgs: Org[];
	/** Personal access tokens (role `read`). */
	pats: { token: string; displayName: string; createdAt: string }[];
}

export const ORGS: Record<string, Org> = {
	'llama-lovers': { id: '65f0c17a7e1a5c0000000001', name: 'llama-lovers', fullname: 'Llama Lovers' }
};

export const USERS: readonly User[] = [
	{
		id: '65f0a11ce0000000000a11ce',
		name: 'alice',
		fullname: 'Alice Liddell',
		email: 'alice@example.com',
		password: 'alice-password',
		isPro: false,
		orgs: [ORGS['llama-lovers']!],
		pats: [
			{
				token: 'hf_AliceReadToken0123456789abcdefghij',
				displayName: 'alice-read',
				createdAt: '2025-03-01T09:00:00.000Z'
			}
		]
	},
	{
		id: '65f0b0b00000000000000b0b',
		name: 'bob',
		fullname: 'Bob Builder',
		email: 'bob@example.com',
		password: 'bob-password',
		isPro: true,
		orgs: [],
		pats: [
			{
				token: 'hf_BobReadTokenXX0123456789abcdefghij',
				displayName: 'bob-read',
				createdAt: '2025-03-02T09:00:00.000Z'
			}
		]
	}
];

/** Users granted access to gated repos at startup (and after a reset). */
export const DEFAULT_GRANTS: readonly { repo: string; user: string }[] = [
	{ repo: 'citrate-test/gated-llama-GGUF', user: 'alice' },
	{ repo: 'citrate-test/gated-auto-GGUF', user: 'alice' }
];

export function findUser(nameOrId: string): User | undefined {
	return USERS.find((u) => u.name === nameOrId || u.id === nameOrId);
}

export function findPat(token: string): { user: User; pat: User['pats'][number] } | undefined {
	for (const user of USERS) {
		const pat = user.pats.find((p) => p.token === token);
		if (pat) return { user, pat };
	}
	return undefined;
}

export function avatarUrl(name: string): string {
	return `/avatars/${name}.svg`;
}
