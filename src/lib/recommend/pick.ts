/**
 * What the recommendations say about each model on this device, and which one Quick start offers:
 * pure functions over the fit estimate and the speed estimate of each recommended variant.
 */
import type { FitEstimate, ModelVariant } from '../hub';
import { formatSpeed, SLOW_TOKENS_PER_SECOND } from '../inference/speed-prediction';
import { formatMemory } from '../units';
import type { RecommendationTier } from './catalog';

export interface RatedModel {
	id: string;
	tier: RecommendationTier;
	variant: ModelVariant | null;
	fit: FitEstimate | null;
	/** Estimated decode tokens per second here; null until known. */
	speed: number | null;
}

/** Why a model does not suit a browser on this device, or null when it does. */
export function whyNot(model: Pick<RatedModel, 'fit' | 'speed'>): string | null {
	const { fit, speed } = model;
	if (fit?.verdict === 'wont-fit') {
		const failing = fit.checks.find((check) => check.status === 'fail');
		return `Needs ${formatMemory(fit.totalBytes)}: ${failing ? `more than ${failing.label} allows` : 'too much memory'} here.`;
	}
	if (speed !== null && speed < SLOW_TOKENS_PER_SECOND)
		return `${formatSpeed(speed, 'about')} on this device’s CPU: too slow for a chat in the browser.`;
	if (fit?.verdict === 'tight')
		return `Needs ${formatMemory(fit.totalBytes)}: close to this device's limits.`;
	return null;
}

/**
 * The model Quick start offers: the first browser model (in order of preference) that fits and
 * runs at a usable speed here; else the fastest one that fits; null when none fits.
 */
export function pickQuickStart<T extends RatedModel>(models: readonly T[]): T | null {
	const fitting = models.filter(
		(model) =>
			model.tier === 'browser' &&
			model.variant !== null &&
			model.fit?.verdict === 'fits' &&
			model.speed !== null
	);
	const usable = fitting.find((model) => (model.speed ?? 0) >= SLOW_TOKENS_PER_SECOND);
	if (usable) return usable;
	return fitting.reduce<T | null>(
		(best, model) => (best === null || (model.speed ?? 0) > (best.speed ?? 0) ? model : best),
		null
	);
}
